// SPDX-License-Identifier: MIT
// `soket serve` and `soket client` against Python's own socket and socketserver modules.
#include <gtest/gtest.h>

#include <unistd.h>
#include <csignal>
#include <regex>
#include <string>
#include <thread>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

std::string tool() {
  return soket_tool();
}

// `soket serve ARGS...` on an ephemeral port (tool_support.hpp).
using Served = ServedByTool;

std::string run_client(std::vector<std::string> args, int* status = nullptr,
                       std::string* err = nullptr) {
  args.insert(args.begin(), {tool(), "client"});
  Child c(args);
  c.close_stdin();
  std::string out = c.read_all();
  std::string e = c.read_stderr();
  int st = c.wait();
  if (status) *status = st;
  if (err) *err = e;
  return out;
}

// The documents' client.py in Python 3: prints repr(all bytes received) and its own address.
const char* python_client = R"(
import socket, sys
s = socket.socket()
s.settimeout(20)
s.connect(('127.0.0.1', int(sys.argv[1])))
print(s.getsockname())
data = b''
while True:
    chunk = s.recv(1024)
    if not chunk:
        break
    data += chunk
print(repr(data))
)";

// Python's own greet server: socketserver.TCPServer with the documents' reply.
const char* python_greet_server = R"(
import socketserver, sys
class Greet(socketserver.BaseRequestHandler):
    def handle(self):
        print('Got connection from', self.client_address, flush=True)
        self.request.send(b'Thank you for connecting')
with socketserver.TCPServer(('127.0.0.1', 0), Greet) as srv:
    print(srv.server_address[1], flush=True)
    srv.handle_request()
)";

TEST(SoketServe, GreetGivesPythonClientTheSameBytesAsPythonServer) {
  Served soket_server({"--mode", "greet", "--address", "127.0.0.1:0"});
  ASSERT_NE(soket_server.port, 0) << soket_server.listening;
  EXPECT_EQ(soket_server.listening,
            "Listening on ('127.0.0.1', " + std::to_string(soket_server.port) + ")");
  Child py(python_argv(python_client, {std::to_string(soket_server.port)}));
  auto py_addr = py.read_line();
  auto from_soket = py.read_line();
  ASSERT_TRUE(py_addr && from_soket);
  EXPECT_EQ(*from_soket, "b'Thank you for connecting'");
  EXPECT_EQ(py.wait(), 0);
  // The server logs the connection exactly as server.py: Got connection from ('127.0.0.1', N)
  EXPECT_EQ(soket_server.child.read_line(), "Got connection from " + *py_addr);
  EXPECT_EQ(soket_server.stop(), 0);

  Child python_server(python_argv(python_greet_server));
  auto port = python_server.read_line();
  ASSERT_TRUE(port);
  Child py2(python_argv(python_client, {*port}));
  auto py2_addr = py2.read_line();
  auto from_python = py2.read_line();
  EXPECT_EQ(from_python, from_soket);  // byte for byte the same reply
  EXPECT_EQ(python_server.read_line(), "Got connection from " + py2_addr.value_or("?"));
  EXPECT_EQ(python_server.wait(), 0);
}

// Issue 9: a disconnect is logged as well as the connect, on both engines, with the peer the
// connect line named.
TEST(SoketServe, LogsDisconnectsOnBothEngines) {
  for (std::string engine : {"socketserver", "event"}) {
    SCOPED_TRACE(engine);
    Served server({"--engine", engine, "--mode", "greet", "--address", "127.0.0.1:0"});
    ASSERT_NE(server.port, 0) << server.listening;
    Child py(python_argv(python_client, {std::to_string(server.port)}));
    auto py_addr = py.read_line();
    ASSERT_TRUE(py_addr);
    EXPECT_EQ(py.read_line(), "b'Thank you for connecting'");
    EXPECT_EQ(py.wait(), 0);
    EXPECT_EQ(server.child.read_line(), "Got connection from " + *py_addr);
    EXPECT_EQ(server.child.read_line(), "Closed connection from " + *py_addr);
    EXPECT_EQ(server.stop(), 0);
  }
}

TEST(SoketClient, TalksToPythonThreadingTCPServerEcho) {
  const char* server = R"(
import socketserver
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)
socketserver.ThreadingTCPServer.daemon_threads = True
with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Echo) as srv:
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
)";
  Child py(python_argv(server));
  auto port = py.read_line();
  ASSERT_TRUE(port);
  int status = -1;
  EXPECT_EQ(run_client({"127.0.0.1:" + *port, "hello", "from", "soket"}, &status),
            "hello from soket\n");
  EXPECT_EQ(status, 0);
  // stdin mode: every line comes back, in order.
  Child c({tool(), "client", "127.0.0.1:" + *port, "--timeout", "20"});
  c.write_stdin("one\ntwo\nthree\n");
  c.close_stdin();
  EXPECT_EQ(c.read_all(), "one\ntwo\nthree\n");
  EXPECT_EQ(c.wait(), 0);
}

TEST(SoketServe, EchoOverUdpAndUnix) {
  Served udp({"--mode", "echo", "--proto", "udp", "--address", "127.0.0.1:0"});
  ASSERT_NE(udp.port, 0);
  int status = -1;
  EXPECT_EQ(
      run_client({"--proto", "udp", "127.0.0.1:" + std::to_string(udp.port), "ping"}, &status),
      "ping\n");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(udp.child.read_line()->rfind("Got datagram from ('127.0.0.1', ", 0), 0u);
  EXPECT_EQ(udp.stop(), 0);

  TempUnixPath path;
  Served unix_server({"--mode", "greet", "--proto", "unix", "--unix", path.path()});
  EXPECT_EQ(unix_server.listening, "Listening on '" + path.path() + "'");
  EXPECT_EQ(run_client({"unix:" + path.path()}, &status), "Thank you for connecting");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(unix_server.stop(), 0);
  EXPECT_NE(::access(path.path().c_str(), F_OK), 0);  // the tool removed its socket file
}

TEST(SoketServe, ForkingEchoServesAndStopsCleanly) {
  Served s({"--mode", "echo", "--forking", "--address", "127.0.0.1:0"});
  ASSERT_NE(s.port, 0);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(run_client({"127.0.0.1:" + std::to_string(s.port), "fork", std::to_string(i)}),
              "fork " + std::to_string(i) + "\n");
  EXPECT_EQ(s.stop(), 0);
}

TEST(SoketServe, SigtermWithIdleClientConnectedStopsWithoutHang) {
  Served s({"--mode", "echo", "--address", "127.0.0.1:0"});
  Socket idle(Family::inet);
  idle.settimeout(20.0);
  idle.connect(Address("127.0.0.1", s.port));
  idle.sendall("before\n");
  EXPECT_EQ(idle.recv(100), "before\n");
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(idle.recv(100), "");  // the server closed the connection on its way out
  std::string err = s.child.read_stderr();
  EXPECT_NE(err.find("Server stopped"), std::string::npos) << err;
}

// Connects, retrying while the server still counts a previous client (its handler may be
// finishing): bounded, no timing assumptions.
Socket connect_accepted(const Address& addr, std::string_view probe) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    Socket c(Family::inet);
    c.settimeout(20.0);
    c.connect(addr);
    c.sendall(probe);
    std::string reply = c.recv(100);
    if (reply == probe) return c;
    std::this_thread::sleep_for(10ms);
  }
  throw std::runtime_error("server kept refusing");
}

// Echo echoes bytes (RFC 862) on both engines, so it has no line limit; the connection limit
// stays.
TEST(SoketServe, ConnectionLimit) {
  Served s({"--mode", "echo", "--address", "127.0.0.1:0", "--max-connections", "1"});
  Address addr("127.0.0.1", s.port);
  {
    Socket first = connect_accepted(addr, "short\n");
    Socket second(Family::inet);
    second.settimeout(20.0);
    second.connect(addr);
    EXPECT_EQ(second.recv(100), "error: too many connections\n");
    EXPECT_EQ(second.recv(100), "");
    first.sendall("still served\n");
    EXPECT_EQ(first.recv(100), "still served\n");
  }
  EXPECT_EQ(s.stop(), 0);
  std::string err = s.child.read_stderr();
  EXPECT_NE(err.find(": 1 connections already"), std::string::npos) << err;
}

TEST(SoketServe, IdleTimeoutCutsSilentClient) {
  Served s({"--mode", "echo", "--address", "127.0.0.1:0", "--idle-timeout", "0.2"});
  Socket idle(Family::inet);
  idle.settimeout(20.0);
  idle.connect(Address("127.0.0.1", s.port));
  EXPECT_EQ(idle.recv(100), "");  // cut after 0.2 s of silence
  EXPECT_EQ(s.stop(), 0);
  std::string err = s.child.read_stderr();
  EXPECT_NE(err.find("Idle timeout, closing ('127.0.0.1', "), std::string::npos) << err;
}

TEST(SoketServe, DaytimeAndBadArguments) {
  Served s({"--mode", "daytime", "--address", "127.0.0.1:0"});
  std::string out = run_client({"127.0.0.1:" + std::to_string(s.port)});
  EXPECT_TRUE(std::regex_match(
      out, std::regex(R"([A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\r\n)")))
      << out;
  EXPECT_EQ(s.stop(), 0);

  Child bad({tool(), "serve", "--mode", "shout"});
  EXPECT_NE(bad.wait(), 0);
  EXPECT_NE(bad.read_stderr().find("--mode"), std::string::npos);

  // The port is taken by a listener of our own: the error names it.
  Socket taken = listen_ephemeral();
  std::string where = taken.getsockname().to_string();
  Child busy({tool(), "serve", "--address", where});
  EXPECT_EQ(busy.wait(), 1);
  EXPECT_EQ(busy.read_stderr(), "soket serve: bind to " + where + ": Address already in use\n");
}

TEST(SoketClient, ConnectionRefusedIsReported) {
  // A port that was just free: listen, note it, close.
  std::string where;
  {
    Socket l = listen_ephemeral();
    where = l.getsockname().to_string();
  }
  int status = 0;
  std::string err;
  EXPECT_EQ(run_client({where}, &status, &err), "");
  EXPECT_EQ(status, 1);
  EXPECT_EQ(err, "soket client: connect to " + where + ": Connection refused\n");
}

#ifdef SOKET_HAVE_SERVERKU2_THREADING
TEST(Serverku2Threading, PrintsTheSameLinesAsServerku2) {
  Child server({built_program("examples/serverku2_threading"), "127.0.0.1", "0"});
  const Listening listening = read_listening(server, "serverku2_threading");
  ASSERT_NE(listening.port, 0) << listening.line;
  for (int i = 0; i < 3; ++i) {
    Child py(python_argv(python_client, {std::to_string(listening.port)}));
    auto addr = py.read_line();
    ASSERT_TRUE(addr);
    EXPECT_EQ(py.read_line(), "b'Thank you for connecting'");
    EXPECT_EQ(server.read_line(), *addr + " Now Connected");
    EXPECT_EQ(py.wait(), 0);
  }
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait(), 0) << server.read_stderr();
}
#endif

}  // namespace
}  // namespace soket::test
