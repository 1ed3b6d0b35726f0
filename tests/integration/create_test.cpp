// SPDX-License-Identifier: MIT
#include <soket/create.hpp>

#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

#include <soket/error.hpp>
#include <soket/options.hpp>

#include "support/support.hpp"
#include "support/test_resolver.hpp"

using namespace std::chrono_literals;
using soket::Address;
using soket::Family;
using soket::Socket;
using soket::Type;
namespace opt = soket::opt;

namespace {

using soket::test::error_of;

std::uint16_t refused_port() {
  return soket::test::closed_port();
}

// Restores the default timeout at the end of a test that changes it.
struct DefaultTimeoutGuard {
  soket::Timeout saved = soket::getdefaulttimeout();
  ~DefaultTimeoutGuard() { soket::setdefaulttimeout(saved); }
};

}  // namespace

TEST(CreateConnection, ConnectsToAListeningSocketByName) {
  soket::test::FdLeakGuard leaks;
  {
    auto listener = soket::test::listen_ephemeral();
    std::uint16_t port = listener.getsockname().port();
    Socket c = soket::create_connection(Address{"localhost", port}, 5s);
    auto [conn, peer] = listener.accept();
    EXPECT_EQ(c.gettimeout(), soket::Timeout(5s));
    EXPECT_EQ(c.getpeername().repr(), "('127.0.0.1', " + std::to_string(port) + ")");
    EXPECT_EQ(peer, c.getsockname());
    c.sendall("hello");
    EXPECT_EQ(conn.recv(16), "hello");
  }
  EXPECT_EQ(leaks.leaked(), 0);
}

TEST(CreateConnection, TimeoutDefaultsToGetdefaulttimeout) {
  DefaultTimeoutGuard guard;
  auto listener = soket::test::listen_ephemeral();
  soket::setdefaulttimeout(7s);
  Socket c = soket::create_connection(listener.getsockname());
  EXPECT_EQ(c.gettimeout(), soket::Timeout(7s));
  Socket blocking = soket::create_connection(listener.getsockname(), std::nullopt);
  EXPECT_EQ(blocking.gettimeout(), std::nullopt);
  Socket explicit_default =
      soket::create_connection(listener.getsockname(), soket::global_default_timeout);
  EXPECT_EQ(explicit_default.gettimeout(), soket::Timeout(7s));
}

TEST(CreateConnection, BindsTheSourceAddress) {
  auto listener = soket::test::listen_ephemeral();
  Socket c = soket::create_connection(listener.getsockname(), 5s, Address{"127.0.0.2", 0});
  auto [conn, peer] = listener.accept();
  EXPECT_EQ(peer.host(), "127.0.0.2");
  // A source address that cannot be bound is reported with its address.
  std::string what = error_of([&] {
    soket::create_connection(listener.getsockname(), 5s, Address{"192.0.2.1", 0});
  });
  EXPECT_EQ(what, "bind to 192.0.2.1:0: Cannot assign requested address");
}

TEST(CreateConnection, RefusedRaisesTheLastError) {
  std::uint16_t port = refused_port();
  std::string target = "127.0.0.1:" + std::to_string(port);
  try {
    soket::create_connection(Address{"127.0.0.1", port}, 5s);
    FAIL() << "no error";
  } catch (const soket::ConnectionRefusedError& e) {
    EXPECT_EQ(std::string(e.what()), "connect to " + target + ": Connection refused");
  }
  std::error_code ec;
  Socket s = soket::create_connection(Address{"127.0.0.1", port}, 5s, std::nullopt, ec);
  EXPECT_FALSE(s);
  EXPECT_EQ(ec, std::errc::connection_refused);
}

TEST(CreateConnection, AllErrorsListsEveryAttempt) {
  // localhost resolves to ::1 and 127.0.0.1 in /etc/hosts order on most systems; whatever it
  // resolves to, every attempt must appear in the message.
  std::uint16_t port = refused_port();
  auto attempts = soket::getaddrinfo("localhost", port, Family::unspec, Type::stream);
  ASSERT_FALSE(attempts.empty());
  try {
    soket::create_connection(Address{"localhost", port}, 5s, std::nullopt, true);
    FAIL() << "no error";
  } catch (const soket::ConnectionRefusedError& e) {
    std::string expected = "create_connection localhost:" + std::to_string(port) + ": ";
    for (std::size_t i = 0; i < attempts.size(); ++i)
      expected.append(i ? "; " : "")
          .append("connect to ")
          .append(attempts[i].address.to_string())
          .append(": Connection refused");
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

TEST(CreateConnection, UnknownHostIsGaierror) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  EXPECT_THROW(soket::create_connection(Address{"nosuch.invalid", 80}, 5s), soket::gaierror);
  EXPECT_EQ(error_of([] {
              soket::create_connection(Address{"nosuch.invalid", 80}, 5s);
            }),
            "getaddrinfo nosuch.invalid: Name or service not known");
}

TEST(CreateServer, ListensWithReuseAddress) {
  Socket server = soket::create_server(Address{"127.0.0.1", 0});
  EXPECT_TRUE(server.getsockopt(opt::reuse_address));
  EXPECT_FALSE(server.getsockopt(opt::reuse_port));
  EXPECT_TRUE(server.getsockopt(opt::accept_connection));
  Socket c = soket::create_connection(server.getsockname(), 5s);
  soket::Accepted accepted = server.accept();
  EXPECT_EQ(accepted.address, c.getsockname());
  // Urgent data (MSG_OOB) travels beside the stream on the connection create_* made.
  c.send("!", soket::msg::oob);
  c.sendall("data");
  EXPECT_EQ(accepted.conn.recv(1, soket::msg::oob), "!");
  EXPECT_EQ(accepted.conn.recv(16), "data");
}

TEST(CreateServer, ReusePortLetsTwoServersShareAPort) {
  Socket a = soket::create_server(Address{"127.0.0.1", 0}, Family::inet, 16, true);
  EXPECT_TRUE(a.getsockopt(opt::reuse_port));
  Address bound = a.getsockname();
  Socket b = soket::create_server(bound, Family::inet, 16, true);
  EXPECT_EQ(b.getsockname(), bound);
  // Without reuse_port the same port is in use, and the error names the address.
  try {
    soket::create_server(bound);
    FAIL() << "no error";
  } catch (const soket::AddressInUseError& e) {
    EXPECT_EQ(std::string(e.what()),
              "create_server: bind to " + bound.to_string() + ": Address already in use");
  }
}

TEST(CreateServer, Ipv6OnlyUnlessDualstack) {
  Socket v6 = soket::create_server(Address{"::1", 0}, Family::inet6);
  EXPECT_TRUE(v6.getsockopt(opt::v6_only));
  if (!soket::has_dualstack_ipv6()) GTEST_SKIP() << "no dual-stack IPv6 here";
  Socket dual = soket::create_server(Address{"::", 0}, Family::inet6, std::nullopt, false, true);
  EXPECT_FALSE(dual.getsockopt(opt::v6_only));
  // An IPv4 client reaches the dual-stack server; it sees the peer as ::ffff:127.0.0.1.
  Socket c = soket::create_connection(Address{"127.0.0.1", dual.getsockname().port()}, 5s);
  auto [conn, peer] = dual.accept();
  EXPECT_EQ(peer.host(), "::ffff:127.0.0.1");
  EXPECT_EQ(
      error_of([] {
        soket::create_server(Address{"127.0.0.1", 0}, Family::inet, std::nullopt, false, true);
      }),
      "create_server: dualstack_ipv6 requires AF_INET6 family");
}

TEST(CreateServer, UnixStreamServer) {
  soket::test::TempUnixPath path;
  Socket server = soket::create_server(Address::unix_path(path.path()), Family::local);
  Socket c(Family::local, Type::stream);
  c.connect(Address::unix_path(path.path()));
  auto [conn, peer] = server.accept();
  conn.sendall("x");
  EXPECT_EQ(c.recv(4), "x");
}

TEST(Socketpair, ConnectedUnixStreamAndDgram) {
  soket::test::FdLeakGuard leaks;
  {
    auto [a, b] = soket::socketpair();
    EXPECT_EQ(a.family(), Family::local);
    EXPECT_EQ(a.type(), Type::stream);
    a.sendall("ping");
    EXPECT_EQ(b.recv(16), "ping");
    b.sendall("pong");
    EXPECT_EQ(a.recv(16), "pong");

    auto [x, y] = soket::socketpair(Family::local, Type::dgram);
    EXPECT_EQ(y.type(), Type::dgram);
    x.send("one");
    x.send("two");
    EXPECT_EQ(y.recv(16), "one");  // datagram boundaries are kept
    EXPECT_EQ(y.recv(16), "two");
    EXPECT_THROW(y.recv(16, soket::msg::dontwait), soket::BlockingIOError);

    // Half-close each way, then both.
    a.shutdown(soket::Shut::wr);
    EXPECT_EQ(b.recv(16), "");  // EOF
    b.shutdown(soket::Shut::rd);
    b.sendall("still open");
    EXPECT_EQ(a.recv(16), "still open");
    b.shutdown(soket::Shut::rdwr);
    EXPECT_EQ(a.recv(16), "");
  }
  EXPECT_EQ(leaks.leaked(), 0);
}

TEST(Socketpair, TakesTheDefaultTimeoutAndReportsKernelErrors) {
  DefaultTimeoutGuard guard;
  soket::setdefaulttimeout(0s);
  auto [a, b] = soket::socketpair();
  EXPECT_EQ(a.gettimeout(), soket::Timeout(0s));
  EXPECT_THROW(a.recv(1), soket::BlockingIOError);
  // TCP has no socketpair on Linux.
  std::string what = error_of([] { soket::socketpair(Family::inet, Type::stream); });
  EXPECT_EQ(what, "socketpair(inet, stream): Operation not supported");
  std::error_code ec;
  auto none = soket::socketpair(Family::inet, Type::stream, 0, ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(none.first);
}

TEST(Fromfd, DuplicatesTheDescriptor) {
  soket::test::FdLeakGuard leaks;
  {
    auto [a, b] = soket::socketpair();
    Socket copy = soket::fromfd(a.fileno(), Family::local, Type::stream);
    EXPECT_NE(copy.fileno(), a.fileno());
    copy.sendall("via copy");
    EXPECT_EQ(b.recv(16), "via copy");
    copy.close();  // the original stays open
    a.sendall("via original");
    EXPECT_EQ(b.recv(32), "via original");

    std::string what = error_of([&] { soket::fromfd(a.fileno(), Family::inet, Type::stream); });
    EXPECT_EQ(what, "fromfd " + std::to_string(a.fileno()) +
                        ": the descriptor is a (unix, stream, 0) socket, not (inet, stream, 0)");
    EXPECT_EQ(error_of([] { soket::fromfd(-1, Family::inet, Type::stream); }),
              "fromfd -1: Bad file descriptor");
  }
  EXPECT_EQ(leaks.leaked(), 0);
}

TEST(Dup, SocketDupKeepsTimeoutAndSharesTheConnection) {
  soket::test::FdLeakGuard leaks;
  {
    auto [a, b] = soket::socketpair();
    a.settimeout(3s);
    Socket d = a.dup();
    EXPECT_NE(d.fileno(), a.fileno());
    EXPECT_EQ(d.gettimeout(), soket::Timeout(3s));
    EXPECT_EQ(d.family(), a.family());
    EXPECT_EQ(d.type(), a.type());
    a.close();
    d.sendall("after close");
    EXPECT_EQ(b.recv(32), "after close");

    Socket closed;
    EXPECT_EQ(error_of([&] { closed.dup(); }), "dup: Bad file descriptor");
    std::error_code ec;
    EXPECT_FALSE(closed.dup(ec));
    EXPECT_EQ(ec, std::errc::bad_file_descriptor);

    // Every descriptor starts close-on-exec; Python's set_inheritable flips it.
    EXPECT_FALSE(d.get_inheritable());
    d.set_inheritable(true);
    EXPECT_TRUE(d.get_inheritable());
    d.set_inheritable(false);
    EXPECT_FALSE(d.get_inheritable());
    EXPECT_EQ(error_of([&] { (void)closed.get_inheritable(); }),
              "get_inheritable: Bad file descriptor");
    EXPECT_EQ(error_of([&] { closed.set_inheritable(true); }),
              "set_inheritable: Bad file descriptor");

    int raw = soket::dup(b.fileno());
    EXPECT_GE(raw, 0);
    soket::close(raw);
    EXPECT_EQ(error_of([&] { soket::close(raw); }),
              "close " + std::to_string(raw) + ": Bad file descriptor");
    EXPECT_EQ(error_of([] { soket::dup(-1); }), "dup -1: Bad file descriptor");
  }
  EXPECT_EQ(leaks.leaked(), 0);
}
