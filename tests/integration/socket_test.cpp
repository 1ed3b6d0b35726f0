// SPDX-License-Identifier: MIT
// Every Socket method on real TCP, UDP and Unix sockets over loopback (IPv4 and IPv6).
#include <soket/socket.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <numeric>
#include <thread>
#include <vector>

#include <soket/error.hpp>

#include "support/support.hpp"
#include "support/test_resolver.hpp"

using namespace soket;
using soket::test::closed_port;
using soket::test::listen_ephemeral;
using soket::test::loopback_pair;

namespace {

std::span<std::byte> as_span(std::vector<std::byte>& v) {
  return {v.data(), v.size()};
}

std::string text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool is_cloexec(int fd) {
  return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

class TcpBothFamilies : public ::testing::TestWithParam<Family> {};

}  // namespace

TEST_P(TcpBothFamilies, BindListenAcceptConnectExchange) {
  Family family = GetParam();
  const char* host = family == Family::inet ? "127.0.0.1" : "::1";
  Socket listener(family, Type::stream);
  listener.bind({host, 0});
  listener.listen(5);
  Address where = listener.getsockname();
  EXPECT_EQ(where.family(), family);
  EXPECT_NE(where.port(), 0);

  Socket client(family, Type::stream);
  client.connect(where);
  auto [conn, addr] = listener.accept();
  EXPECT_EQ(addr, client.getsockname());
  EXPECT_EQ(conn.getpeername(), client.getsockname());
  EXPECT_EQ(client.getpeername(), where);
  EXPECT_EQ(conn.family(), family);
  EXPECT_EQ(conn.type(), Type::stream);
  EXPECT_EQ(conn.proto(), 0);

  EXPECT_EQ(conn.send("Thank you for connecting"), 24u);
  EXPECT_EQ(client.recv(1024), "Thank you for connecting");

  client.sendall("hello");
  std::vector<std::byte> buf(16);
  std::size_t n = conn.recv_into(as_span(buf));
  EXPECT_EQ(text({buf.data(), n}), "hello");

  // nbytes limits how much recv_into takes.
  client.sendall("abcdef");
  n = conn.recv_into(as_span(buf), 3);
  EXPECT_EQ(text({buf.data(), n}), "abc");
  EXPECT_EQ(conn.recv(10), "def");

  // After shutdown(wr) the peer reads EOF: an empty string.
  client.shutdown(Shut::wr);
  EXPECT_EQ(conn.recv(10), "");
  EXPECT_EQ(conn.recv_into(as_span(buf)), 0u);
  // The other direction still works after a half-close.
  conn.sendall("still here");
  EXPECT_EQ(client.recv(64), "still here");
}

INSTANTIATE_TEST_SUITE_P(Socket, TcpBothFamilies, ::testing::Values(Family::inet, Family::inet6),
                         [](const auto& p) { return std::string(short_name(p.param)); });

TEST(Socket, RecvfromOnConnectedTcpGivesNoAddress) {
  auto [client, server] = loopback_pair();
  client.sendall("x");
  auto [data, from] = server.recvfrom(10);
  EXPECT_EQ(data, "x");
  EXPECT_EQ(from.family(), Family::unspec);  // Python returns None here
}

TEST(Socket, HostNameIsResolvedWithTheSocketsFamily) {
  Socket listener = listen_ephemeral();
  Socket client(Family::inet);
  client.connect({"localhost", listener.getsockname().port()});
  auto [conn, addr] = listener.accept();
  EXPECT_EQ(addr.host(), "127.0.0.1");
}

TEST(Socket, UdpSendtoRecvfromBothFamilies) {
  for (Family family : {Family::inet, Family::inet6}) {
    const char* host = family == Family::inet ? "127.0.0.1" : "::1";
    Socket a(family, Type::dgram), b(family, Type::dgram);
    a.bind({host, 0});
    b.bind({host, 0});
    EXPECT_EQ(a.sendto("ping", b.getsockname()), 4u);
    auto [data, from] = b.recvfrom(100);
    EXPECT_EQ(data, "ping");
    EXPECT_EQ(from, a.getsockname());

    b.sendto(std::string(300, 'z'), from);
    std::vector<std::byte> buf(1000);
    auto [n, from2] = a.recvfrom_into(as_span(buf));
    EXPECT_EQ(n, 300u);
    EXPECT_EQ(from2, b.getsockname());

    // A datagram larger than nbytes is truncated by the kernel, as in Python.
    a.sendto("0123456789", b.getsockname());
    auto [m, from3] = b.recvfrom_into(as_span(buf), 4);
    EXPECT_EQ(m, 4u);
    EXPECT_EQ(text({buf.data(), m}), "0123");
  }
}

TEST(Socket, ConnectedUdpUsesSendAndRecv) {
  Socket a(Family::inet, Type::dgram), b(Family::inet, Type::dgram);
  a.bind({"127.0.0.1", 0});
  b.bind({"127.0.0.1", 0});
  a.connect(b.getsockname());
  a.send("one");
  EXPECT_EQ(b.recv(10), "one");
}

TEST(Socket, UnixStreamOnAPathAndAnAbstractName) {
  soket::test::TempUnixPath tmp;
  for (Address where : {Address::unix_path(tmp.path()),
                        Address::abstract("soket-test-" + std::to_string(::getpid()))}) {
    Socket listener(Family::unix, Type::stream);
    listener.bind(where);
    listener.listen();
    EXPECT_EQ(listener.getsockname(), where);
    Socket client(Family::unix, Type::stream);
    client.connect(where);
    auto [conn, addr] = listener.accept();
    EXPECT_EQ(addr.repr(), "''");  // an unnamed client, as Python shows it
    EXPECT_EQ(client.getpeername(), where);
    conn.sendall("over unix");
    EXPECT_EQ(client.recv(100), "over unix");
  }
}

TEST(Socket, UnixDatagram) {
  soket::test::TempUnixPath tmp;
  Socket server(Family::unix, Type::dgram), client(Family::unix, Type::dgram);
  server.bind(Address::unix_path(tmp.path()));
  client.bind(Address::unix_path(tmp.path() + ".client"));
  client.sendto("dgram", Address::unix_path(tmp.path()));
  auto [data, from] = server.recvfrom(100);
  EXPECT_EQ(data, "dgram");
  EXPECT_EQ(from.path(), tmp.path() + ".client");
}

TEST(Socket, DescriptorsAreCloseOnExec) {
  Socket listener = listen_ephemeral();
  EXPECT_TRUE(is_cloexec(listener.fileno()));
  Socket client(Family::inet);
  client.connect(listener.getsockname());
  auto [conn, addr] = listener.accept();
  EXPECT_TRUE(is_cloexec(client.fileno()));
  EXPECT_TRUE(is_cloexec(conn.fileno()));
}

TEST(Socket, CloseTwiceIsHarmlessAndDetachGivesUpOwnership) {
  soket::test::FdLeakGuard guard;
  Socket s(Family::inet);
  EXPECT_GE(s.fileno(), 0);
  s.close();
  EXPECT_EQ(s.fileno(), -1);
  EXPECT_NO_THROW(s.close());  // Python: closing a closed socket does nothing
  Socket t(Family::inet, Type::dgram);
  int fd = t.detach();
  EXPECT_EQ(t.fileno(), -1);
  EXPECT_GE(fd, 0);
  Socket adopted = Socket::adopt(fd);  // takes it back, reading family and type
  EXPECT_EQ(adopted.family(), Family::inet);
  EXPECT_EQ(adopted.type(), Type::dgram);
  EXPECT_EQ(adopted.proto(), IPPROTO_UDP);
  adopted.close();
  EXPECT_EQ(guard.leaked(), 0);
}

TEST(Socket, UsingAClosedSocketIsAnError) {
  Socket s(Family::inet);
  s.close();
  try {
    s.send("x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), std::errc::bad_file_descriptor);
    EXPECT_STREQ(e.what(), "send: Bad file descriptor");
  }
}

TEST(Socket, MovesTransferOwnership) {
  soket::test::FdLeakGuard guard;
  Socket a(Family::inet);
  int fd = a.fileno();
  Socket b = std::move(a);
  EXPECT_EQ(b.fileno(), fd);
  EXPECT_EQ(a.fileno(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  Socket c(Family::inet);
  c = std::move(b);  // c's own descriptor is closed
  EXPECT_EQ(c.fileno(), fd);
  c.close();
  EXPECT_EQ(guard.leaked(), 0);
}

TEST(Socket, UnsupportedCombinationFailsWithTheKernelsError) {
  try {
    Socket s(Family::inet, Type::rdm);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "socket(inet, rdm): Socket type not supported");
  }
  std::error_code ec;
  Socket s(Family::unix, Type::stream, 99, ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(s.fileno(), -1);
}

TEST(Socket, ConnectionRefused) {
  std::uint16_t port = closed_port();
  Socket s(Family::inet);
  try {
    s.connect({"127.0.0.1", port});
    FAIL();
  } catch (const ConnectionRefusedError& e) {
    EXPECT_EQ(std::string(e.what()),
              "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  }
  Socket t(Family::inet);
  EXPECT_EQ(t.connect_ex({"127.0.0.1", port}), ECONNREFUSED);
  Socket u(Family::inet);
  std::error_code ec;
  u.connect({"127.0.0.1", port}, ec);
  EXPECT_EQ(ec, std::errc::connection_refused);
  Socket v = listen_ephemeral();
  Socket w(Family::inet);
  EXPECT_EQ(w.connect_ex(v.getsockname()), 0);
}

TEST(Socket, AddressInUse) {
  Socket a = listen_ephemeral();
  Address where = a.getsockname();
  Socket b(Family::inet);
  try {
    b.bind(where);
    FAIL();
  } catch (const AddressInUseError& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_EQ(std::string(e.what()), "bind to " + where.to_string() + ": Address already in use");
  }
}

TEST(Socket, StaleAndMissingUnixSocketFiles) {
  soket::test::TempUnixPath tmp;
  auto where = Address::unix_path(tmp.path());
  {
    Socket old(Family::unix);
    old.bind(where);
  }  // closed, but the file stays
  Socket s(Family::unix);
  EXPECT_THROW(s.bind(where), AddressInUseError);
  Socket c(Family::unix);
  try {
    c.connect(Address::unix_path(tmp.dir() + "/missing"));
    FAIL();
  } catch (const FileNotFoundError& e) {
    EXPECT_EQ(std::string(e.what()),
              "connect to " + tmp.dir() + "/missing: No such file or directory");
  }
}

TEST(Socket, SendAfterPeerClosedIsAnErrorNotSigpipe) {
  auto [client, server] = loopback_pair();
  server.close();
  // The first send may succeed (data queued), then the peer's RST arrives; keep sending until
  // the error surfaces. Without MSG_NOSIGNAL this process would die of SIGPIPE.
  bool raised = false;
  for (int i = 0; i < 100 && !raised; ++i) {
    try {
      client.sendall(std::string(1024, 'x'));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } catch (const ConnectionError& e) {
      raised = true;
      EXPECT_TRUE(e.code() == std::errc::broken_pipe || e.code() == std::errc::connection_reset)
          << e.what();
    }
  }
  EXPECT_TRUE(raised);
}

TEST(Socket, RecvIntoRejectsNbytesBeyondTheBuffer) {
  auto [client, server] = loopback_pair();
  std::vector<std::byte> buf(4);
  EXPECT_THROW(server.recv_into(as_span(buf), 5), std::invalid_argument);
  std::error_code ec;
  server.recv_into(as_span(buf), 5, 0, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
}

TEST(Socket, PeekLeavesDataInPlace) {
  auto [client, server] = loopback_pair();
  client.sendall("peekaboo");
  std::string seen;
  while (seen.size() < 8) seen = server.recv(8, msg::peek | msg::waitall);
  EXPECT_EQ(seen, "peekaboo");
  EXPECT_EQ(server.recv(8, msg::waitall), "peekaboo");
}

TEST(Socket, RawOptionsRoundTrip) {
  Socket s(Family::inet);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  EXPECT_EQ(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ(s.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  std::string raw = s.getsockopt(SOL_SOCKET, SO_TYPE, sizeof(int));
  EXPECT_EQ(raw.size(), sizeof(int));
  EXPECT_THROW(s.getsockopt(SOL_SOCKET, SO_TYPE, 0), std::invalid_argument);
  EXPECT_THROW(s.setsockopt(SOL_SOCKET, 12345, 1), Error);
}

// sendall of 64 MiB through small kernel buffers arrives whole and identical.
TEST(Socket, SendallSixtyFourMebibytesArrivesWhole) {
  auto [client, server] = loopback_pair();
  // Buffers a thousand times smaller than the data: sendall must loop over partial sends.
  client.setsockopt(SOL_SOCKET, SO_SNDBUF, 65536);
  server.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  constexpr std::size_t total = 64u << 20;
  std::vector<std::byte> data(total);
  std::uint32_t x = 2463534242u;  // xorshift: a pattern no shift of itself repeats
  for (auto& b : data) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::byte>(x);
  }
  std::vector<std::byte> got(total);
  std::thread reader([&] {
    std::size_t have = 0;
    while (have < total) {
      std::size_t n = server.recv_into(std::span(got).subspan(have));
      if (n == 0) break;
      have += n;
    }
    got.resize(have);
  });
  client.sendall(data);
  client.shutdown(Shut::wr);
  reader.join();
  ASSERT_EQ(got.size(), total);
  EXPECT_TRUE(got == data);
}

TEST(Socket, UnresolvableHostNameIsNamedInTheError) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  Socket s(Family::inet);
  try {
    s.connect({"nosuch.invalid", 80});
    FAIL();
  } catch (const gaierror& e) {
    EXPECT_EQ(std::string(e.what()).rfind("connect to nosuch.invalid:80: ", 0), 0u) << e.what();
  }
}

// Every message names the operation and the address: for a connected socket the peer (kept
// even after a reset, when getpeername() no longer answers), for accept the listener's own
// address.
TEST(Socket, ErrorsOfConnectedSocketsNameThePeer) {
  {
    auto [client, server] = loopback_pair();
    const std::string peer = server.getpeername().to_string();
    client.setsockopt(opt::linger, std::optional<opt::Seconds>(opt::Seconds(0)));
    client.close();  // linger 0: an RST
    server.settimeout(10.0);
    auto what = soket::test::error_of([&s = server] {
      for (;;) s.recv(100);
    });
    EXPECT_EQ(what, "recv from " + peer + ": Connection reset by peer");
    std::error_code ec;
    server.getpeername(ec);
    EXPECT_TRUE(ec) << "getpeername still answers after a reset; the cache is not exercised";
  }
  {
    auto [client, server] = loopback_pair();
    const std::string peer = client.getpeername().to_string();
    server.close();
    client.settimeout(10.0);
    try {
      for (;;) client.sendall(std::string(65536, 'x'));  // EPIPE once the RST arrives
    } catch (const BrokenPipeError& e) {
      EXPECT_EQ(std::string(e.what()), "sendall to " + peer + ": Broken pipe");
    } catch (const ConnectionResetError& e) {
      EXPECT_EQ(std::string(e.what()), "sendall to " + peer + ": Connection reset by peer");
    }
  }
  {
    auto listener = listen_ephemeral();
    listener.settimeout(0.05);
    EXPECT_EQ(soket::test::error_of([&] { listener.accept(); }),
              "accept on " + listener.getsockname().to_string() + ": timed out");
  }
}

// The error_code twins are noexcept (the claim in socket.hpp), checked by the compiler.
TEST(Socket, ErrorCodeTwinsAreNoexcept) {
  Socket s;
  std::error_code ec;
  std::byte buf[4];
  static_assert(noexcept(s.recv(1, 0, ec)));
  static_assert(noexcept(s.recvfrom(1, 0, ec)));
  static_assert(noexcept(s.recv_into(buf, 0, 0, ec)));
  static_assert(noexcept(s.settimeout(Timeout(), ec)));
  static_assert(noexcept(s.settimeout(1.0, ec)));
  static_assert(noexcept(s.setblocking(true, ec)));
  static_assert(noexcept(s.set_inheritable(true, ec)));
  static_assert(noexcept(s.get_inheritable(ec)));
  const std::filesystem::path path("x");
  const Address any("127.0.0.1", 0);
  static_assert(noexcept(s.sendfile(path, 0, std::nullopt, ec)));
  static_assert(noexcept(s.sendfile(static_cast<std::FILE*>(nullptr), 0, std::nullopt, ec)));
  static_assert(noexcept(soket::create_server(any, Family::inet, std::nullopt, false, false, ec)));
  static_assert(noexcept(soket::fromfd(0, Family::inet, Type::stream, 0, ec)));
  static_assert(noexcept(soket::gethostname(ec)));
  static_assert(noexcept(soket::dup(0, ec)));
  static_assert(noexcept(soket::close(-1, ec)));
  // And they report instead of throwing.
  EXPECT_EQ(s.recv(10, 0, ec), "");
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  EXPECT_FALSE(soket::gethostname(ec).empty());
  EXPECT_FALSE(ec);
  Socket fresh = soket::fromfd(-1, Family::inet, Type::stream, 0, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  auto server =
      soket::create_server(Address("127.0.0.1", 0), Family::inet, std::nullopt, false, false, ec);
  EXPECT_FALSE(ec);
  auto again =
      soket::create_server(server.getsockname(), Family::inet, std::nullopt, false, false, ec);
  EXPECT_EQ(ec, std::errc::address_in_use);
  Socket mismatch = soket::fromfd(server.fileno(), Family::inet, Type::dgram, 0, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(
      soket::test::error_of([&] { soket::fromfd(server.fileno(), Family::inet, Type::dgram); }),
      "fromfd " + std::to_string(server.fileno()) +
          ": the descriptor is a (inet, stream, 6) socket, not (inet, dgram, 0)");
  s = Socket(Family::inet);
  s.set_inheritable(true, ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(s.get_inheritable(ec));
}
