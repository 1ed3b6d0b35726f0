// SPDX-License-Identifier: MIT
// soket against Python's own socket module, both directions, over TCP, UDP and Unix sockets.
#include <soket/socket.hpp>

#include <gtest/gtest.h>

#include "support/support.hpp"

using namespace soket;
using soket::test::Child;
using soket::test::python_argv;

namespace {

// A Python server that prints its address, then serves one exchange.
constexpr const char* python_tcp_server = R"(
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == '::1' else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.bind((sys.argv[1], 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, addr = s.accept()
print('Got connection from', addr[:2], flush=True)
c.sendall(b'Thank you for connecting')
data = c.recv(1024)
c.sendall(data.upper())
c.close()
)";

constexpr const char* python_tcp_client = R"(
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print(s.recv(1024).decode(), flush=True)
s.sendall(b'hai dari python')
print(s.recv(1024).decode(), flush=True)
s.close()
)";

std::uint16_t port_from(Child& child) {
  auto line = child.read_line();
  if (!line) throw std::runtime_error("no port from python: " + child.read_stderr());
  return static_cast<std::uint16_t>(std::stoi(*line));
}

}  // namespace

TEST(PythonInterop, SoketClientAgainstPythonTcpServer) {
  for (std::string host : {"127.0.0.1", "::1"}) {
    Child py(python_argv(python_tcp_server, {host}));
    std::uint16_t port = port_from(py);
    Socket s(host == "::1" ? Family::inet6 : Family::inet);
    s.connect({host, port});
    std::string greeting;
    while (greeting.size() < 24) {
      std::string part = s.recv(1024);
      if (part.empty()) break;
      greeting += part;
    }
    EXPECT_EQ(greeting, "Thank you for connecting");
    s.sendall("soket says hi");
    EXPECT_EQ(s.recv(1024), "SOKET SAYS HI");
    auto line = py.read_line();
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "Got connection from ('" + host + "', " +
                         std::to_string(s.getsockname().port()) + ")");
    EXPECT_EQ(py.wait(), 0);
  }
}

TEST(PythonInterop, PythonClientAgainstSoketTcpServer) {
  Socket listener(Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen();
  Child py(
      python_argv(python_tcp_client, {"127.0.0.1", std::to_string(listener.getsockname().port())}));
  listener.settimeout(20.0);
  auto [conn, addr] = listener.accept();
  conn.sendall("Thank you for connecting");
  conn.settimeout(20.0);
  std::string got = conn.recv(1024);
  EXPECT_EQ(got, "hai dari python");
  conn.sendall("terima kasih");
  EXPECT_EQ(py.read_line(), "Thank you for connecting");
  EXPECT_EQ(py.read_line(), "terima kasih");
  EXPECT_EQ(py.wait(), 0);
}

TEST(PythonInterop, UdpBothDirections) {
  constexpr const char* py_udp = R"(
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1], flush=True)
data, addr = s.recvfrom(2048)
s.sendto(b'python got ' + data, addr)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.sendto(b'from python', ('127.0.0.1', int(sys.stdin.readline())))
)";
  Child py(python_argv(py_udp));
  std::uint16_t port = port_from(py);
  Socket s(Family::inet, Type::dgram);
  s.bind({"127.0.0.1", 0});
  s.settimeout(20.0);
  s.sendto("datagram", {"127.0.0.1", port});
  auto [reply, from] = s.recvfrom(2048);
  EXPECT_EQ(reply, "python got datagram");
  EXPECT_EQ(from.port(), port);
  py.write_stdin(std::to_string(s.getsockname().port()) + "\n");
  auto [data, sender] = s.recvfrom(2048);
  EXPECT_EQ(data, "from python");
  EXPECT_EQ(py.wait(), 0);
}

TEST(PythonInterop, UnixStreamBothDirections) {
  soket::test::TempUnixPath tmp;
  // soket serves, Python connects.
  Socket listener(Family::unix);
  listener.bind(Address::unix_path(tmp.path()));
  listener.listen();
  {
    Child py(python_argv(R"(
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
print(s.recv(100).decode(), flush=True)
)",
                         {tmp.path()}));
    listener.settimeout(20.0);
    auto [conn, addr] = listener.accept();
    conn.sendall("Thank you for connecting");
    EXPECT_EQ(py.read_line(), "Thank you for connecting");
    EXPECT_EQ(py.wait(), 0);
  }
  // Python serves, soket connects.
  std::string path2 = tmp.dir() + "/py.sock";
  Child py(python_argv(R"(
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
print('ready', flush=True)
c, addr = s.accept()
c.sendall(b'halo dari python')
)",
                       {path2}));
  ASSERT_EQ(py.read_line(), "ready");
  Socket client(Family::unix);
  client.connect(Address::unix_path(path2));
  client.settimeout(20.0);
  EXPECT_EQ(client.recv(100), "halo dari python");
  EXPECT_EQ(py.wait(), 0);
}

// The repr soket prints is the one Python prints for the same address.
TEST(PythonInterop, ReprMatchesPythons) {
  Child py(python_argv(R"(
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(('::1', 0))
print(s.getsockname()[1], flush=True)
print(repr(s.getsockname()), flush=True)
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
u.bind('\0soket-repr-test')
print(repr(u.getsockname()), flush=True)
)"));
  std::uint16_t port = port_from(py);
  EXPECT_EQ(py.read_line(), Address("::1", port).repr());
  EXPECT_EQ(py.read_line(), Address::abstract("soket-repr-test").repr());
  EXPECT_EQ(py.wait(), 0);
}
