// SPDX-License-Identifier: MIT
// Python's corner cases of socket.socket, one by one, on real loopback sockets: each expected
// result is what Python 3.11 does on Linux for the same calls (noted beside each test).
#include <soket/socket.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <soket/create.hpp>
#include <soket/error.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace std::chrono_literals;
using soket::test::Child;
using soket::test::closed_port;
using soket::test::error_of;
using soket::test::listen_ephemeral;
using soket::test::loopback_pair;
using soket::test::python_argv;
using soket::test::TempUnixPath;

namespace {

// The exception `fn` throws, as {class matches E, errno, what()}.
template <class E, class Fn>
std::pair<int, std::string> caught(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return {e.code().value(), e.what()};
  } catch (const std::exception& e) {
    return {-1, std::string("wrong exception type: ") + e.what()};
  }
  return {0, "(no error)"};
}

bool writable_within(const Socket& s, std::chrono::milliseconds ms) {
  pollfd p{s.fileno(), POLLOUT, 0};
  return ::poll(&p, 1, static_cast<int>(ms.count())) == 1;
}

bool is_nonblocking(const Socket& s) {
  return (::fcntl(s.fileno(), F_GETFL) & O_NONBLOCK) != 0;
}

// A listener whose accept queue is full, so new SYNs are dropped and connects stay pending
// (timeout_test's trick): the loopback way to see EINPROGRESS turn into EALREADY.
struct FullListener {
  Socket listener{Family::inet};
  std::vector<Socket> queued;
  FullListener() {
    listener.bind({"127.0.0.1", 0});
    listener.listen(0);
    for (int i = 0; i < 16; ++i) {
      Socket c(Family::inet);
      c.settimeout(1.0);  // generous: only a dropped SYN may time out, never a slow handshake
      std::error_code ec;
      c.connect(listener.getsockname(), ec);
      if (ec) return;  // timed out: the queue is full
      queued.push_back(std::move(c));
    }
    ADD_FAILURE() << "the accept queue never filled";
  }
};

}  // namespace

// Python: s.recv(0) == b'' and s.recv_into(bytearray()) == 0 at once, with no system call:
// a queued datagram stays queued, a silent peer does not block, a closed socket is no error.
TEST(Semantics, RecvOfZeroBytesReturnsAtOnceAndConsumesNothing) {
  Socket rx(Family::inet, Type::dgram), tx(Family::inet, Type::dgram);
  rx.bind({"127.0.0.1", 0});
  rx.settimeout(5.0);
  tx.sendto("hello", rx.getsockname());
  EXPECT_EQ(rx.recv(0), "");
  std::span<std::byte> empty;
  EXPECT_EQ(rx.recv_into(empty), 0u);
  EXPECT_EQ(rx.recv(10), "hello");  // still there
  // Nothing queued now: a zero-byte read neither blocks nor times out, in every mode.
  for (Timeout t : {Timeout(), Timeout(0ns), Timeout(50ms)}) {
    rx.settimeout(t);
    EXPECT_EQ(rx.recv(0), "");
    EXPECT_EQ(rx.recv_into(empty), 0u);
  }
  // recvfrom(0) does call the kernel, as Python's does (it times out here).
  rx.settimeout(0.05);
  EXPECT_THROW(rx.recvfrom(0), TimeoutError);
  rx.close();
  EXPECT_EQ(rx.recv(0), "");
  EXPECT_EQ(rx.recv_into(empty), 0u);
}

// Python: with settimeout(0), connect() raises BlockingIOError(EINPROGRESS); again while the
// handshake is pending, BlockingIOError(EALREADY); connect_ex returns the same numbers.
TEST(Semantics, NonBlockingConnectInProgressThenAlready) {
  FullListener full;
  Address to = full.listener.getsockname();
  Socket s(Family::inet);
  s.settimeout(0.0);
  auto [first, first_what] = caught<BlockingIOError>([&] { s.connect(to); });
  EXPECT_EQ(first, EINPROGRESS);
  EXPECT_EQ(first_what, "connect to " + to.to_string() + ": Operation now in progress");
  auto [again, again_what] = caught<BlockingIOError>([&] { s.connect(to); });
  EXPECT_EQ(again, EALREADY);
  EXPECT_EQ(again_what, "connect to " + to.to_string() + ": Operation already in progress");
  Socket t(Family::inet);
  t.setblocking(false);
  EXPECT_EQ(t.connect_ex(to), EINPROGRESS);
  EXPECT_EQ(t.connect_ex(to), EALREADY);
}

// Python: a non-blocking connect to a live listener: EINPROGRESS, then (once writable) the
// next connect_ex completes with 0 and the one after is EISCONN — the kernel's answers.
TEST(Semantics, NonBlockingConnectCompletesThenIsConnected) {
  Socket listener = listen_ephemeral();
  Address to = listener.getsockname();
  Socket s(Family::inet);
  s.settimeout(0.0);
  EXPECT_EQ(s.connect_ex(to), EINPROGRESS);
  ASSERT_TRUE(writable_within(s, 10s));
  EXPECT_EQ(s.connect_ex(to), 0);
  EXPECT_EQ(s.connect_ex(to), EISCONN);
  // A blocking socket says the same through connect(): plain OSError, not BlockingIOError.
  s.settimeout(std::nullopt);
  auto [err, what] = caught<Error>([&] { s.connect(to); });
  EXPECT_EQ(err, EISCONN);
  EXPECT_EQ(what, "connect to " + to.to_string() + ": Transport endpoint is already connected");
  EXPECT_THROW(
      {
        try {
          s.connect(to);
        } catch (const BlockingIOError&) {
          ADD_FAILURE() << "EISCONN is not BlockingIOError";
        }
      },
      Error);
}

// Python: a refused connect can be retried on the same socket, and succeeds once someone
// listens.
TEST(Semantics, ConnectAfterARefusedConnectOnTheSameSocket) {
  Socket s(Family::inet);
  Address nobody{"127.0.0.1", closed_port()};
  EXPECT_THROW(s.connect(nobody), ConnectionRefusedError);
  EXPECT_THROW(s.connect(nobody), ConnectionRefusedError);
  Socket listener = listen_ephemeral();
  EXPECT_NO_THROW(s.connect(listener.getsockname()));
  EXPECT_EQ(s.getpeername(), listener.getsockname());
}

// Python: accept() on a socket that does not listen is OSError(EINVAL), with or without a
// timeout (never TimeoutError).
TEST(Semantics, AcceptOnANonListeningSocketIsEinval) {
  for (Timeout t : {Timeout(), Timeout(0ns), Timeout(200ms)}) {
    Socket s(Family::inet);
    s.settimeout(t);
    auto [err, what] = caught<Error>([&] { s.accept(); });
    EXPECT_EQ(err, EINVAL);
    EXPECT_EQ(what, "accept: Invalid argument");
    s.bind({"127.0.0.1", 0});
    // Once bound, the message names the local address (of a listener, the useful part).
    EXPECT_EQ(error_of([&] { s.accept(); }),
              "accept on " + s.getsockname().to_string() + ": Invalid argument");
  }
}

// Python: listen() takes min(SOMAXCONN, 128); a negative backlog is clamped to 0, which still
// accepts a connection.
TEST(Semantics, ListenDefaultAndNegativeBacklog) {
  for (int backlog : {128, -5, 0}) {
    Socket s(Family::inet);
    s.bind({"127.0.0.1", 0});
    EXPECT_NO_THROW(s.listen(backlog)) << backlog;
    Socket c(Family::inet);
    c.settimeout(10.0);
    c.connect(s.getsockname());
    s.settimeout(10.0);
    auto [conn, peer] = s.accept();
    EXPECT_EQ(peer, c.getsockname());
  }
  Socket d(Family::inet);
  d.bind({"127.0.0.1", 0});
  EXPECT_NO_THROW(d.listen());
}

// Python: a second bind() is OSError(EINVAL).
TEST(Semantics, BindTwiceIsEinval) {
  Socket s(Family::inet);
  s.bind({"127.0.0.1", 0});
  auto [err, what] = caught<Error>([&] { s.bind({"127.0.0.1", 0}); });
  EXPECT_EQ(err, EINVAL);
  EXPECT_EQ(what, "bind to 127.0.0.1:0: Invalid argument");
}

// Python: every call on a closed socket is OSError(EBADF) — settimeout and setblocking too —
// except close() (a no-op), fileno()/detach() (-1), connect_ex (returns EBADF) and recv(0).
TEST(Semantics, ClosedSocketOperationsAreEbadfNamingTheOperation) {
  Socket s(Family::inet);
  s.close();
  const std::string badf = ": Bad file descriptor";
  std::array<std::byte, 4> buf{};
  std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"send", [&] { s.send("x"); }},
      {"sendall", [&] { s.sendall("x"); }},
      {"sendto 127.0.0.1:9",
       [&] {
         s.sendto("x", {"127.0.0.1", 9});
       }},
      {"recv", [&] { s.recv(1); }},
      {"recv_into", [&] { s.recv_into(buf); }},
      {"recvfrom", [&] { s.recvfrom(1); }},
      {"recvfrom_into", [&] { s.recvfrom_into(buf); }},
      {"bind to 127.0.0.1:0",
       [&] {
         s.bind({"127.0.0.1", 0});
       }},
      {"connect to 127.0.0.1:9",
       [&] {
         s.connect({"127.0.0.1", 9});
       }},
      {"listen", [&] { s.listen(); }},
      {"accept", [&] { s.accept(); }},
      {"shutdown", [&] { s.shutdown(Shut::rdwr); }},
      {"getsockname", [&] { s.getsockname(); }},
      {"getpeername", [&] { s.getpeername(); }},
      {"settimeout", [&] { s.settimeout(1.0); }},
      {"setblocking", [&] { s.setblocking(false); }},
      {"setsockopt", [&] { s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); }},
      {"getsockopt", [&] { s.getsockopt(SOL_SOCKET, SO_REUSEADDR); }},
      {"dup", [&] { s.dup(); }},
      {"get_inheritable", [&] { s.get_inheritable(); }},
  };
  for (auto& [op, call] : calls) {
    auto [err, what] = caught<Error>(call);
    EXPECT_EQ(err, EBADF) << op;
    EXPECT_EQ(what, op + badf);
  }
  EXPECT_EQ(s.connect_ex({"127.0.0.1", 9}), EBADF);
  EXPECT_NO_THROW(s.close());
  EXPECT_EQ(s.fileno(), -1);
  EXPECT_EQ(s.detach(), -1);
}

// Python: shutdown() and getpeername() on an unconnected TCP socket are OSError(ENOTCONN).
TEST(Semantics, UnconnectedShutdownAndGetpeernameAreEnotconn) {
  Socket s(Family::inet);
  auto [err, what] = caught<Error>([&] { s.shutdown(Shut::rdwr); });
  EXPECT_EQ(err, ENOTCONN);
  EXPECT_EQ(what, "shutdown: Transport endpoint is not connected");
  EXPECT_EQ(error_of([&] { s.getpeername(); }), "getpeername: Transport endpoint is not connected");
}

// Python on Linux: sendto() on a connected TCP socket ignores the address (returns 1); on a
// connected Unix stream socket it is OSError(EISCONN); send() on an unconnected TCP socket is
// BrokenPipeError (never SIGPIPE); on an unconnected UDP socket OSError(EDESTADDRREQ).
TEST(Semantics, SendAndSendtoOnConnectedAndUnconnectedSockets) {
  auto [client, server] = loopback_pair();
  EXPECT_EQ(client.sendto("x", {"127.0.0.1", 9}), 1u);
  server.settimeout(10.0);
  EXPECT_EQ(server.recv(1), "x");

  TempUnixPath path;
  auto [a, b] = socketpair();
  auto [isconn, isconn_what] =
      caught<Error>([&] { a.sendto("x", Address::unix_path(path.path())); });
  EXPECT_EQ(isconn, EISCONN);
  EXPECT_EQ(isconn_what, "sendto " + path.path() + ": Transport endpoint is already connected");

  Socket tcp(Family::inet);
  auto [pipe, pipe_what] = caught<BrokenPipeError>([&] { tcp.send("x"); });
  EXPECT_EQ(pipe, EPIPE);
  EXPECT_EQ(pipe_what, "send: Broken pipe");
  EXPECT_EQ(error_of([&] { tcp.recv(1); }), "recv: Transport endpoint is not connected");
  // The kernel's quirk, which Python shows too: a failed shutdown() still marks the socket
  // shut, and recv() then reports EOF.
  EXPECT_THROW(tcp.shutdown(Shut::rdwr), Error);
  EXPECT_EQ(tcp.recv(1), "");

  Socket udp(Family::inet, Type::dgram);
  auto [dest, dest_what] = caught<Error>([&] { udp.send("x"); });
  EXPECT_EQ(dest, EDESTADDRREQ);
  EXPECT_EQ(dest_what, "send: Destination address required");
  EXPECT_EQ(error_of([&] { udp.sendall("x"); }), "sendall: Destination address required");
}

// Python: recvfrom() on a Unix datagram socket from an unbound sender gives None as the
// address; getsockname() of an unbound Unix socket is ''.
TEST(Semantics, UnixDatagramFromAnUnboundSenderHasNoAddress) {
  TempUnixPath path;
  Socket rx(Family::local, Type::dgram), tx(Family::local, Type::dgram);
  rx.bind(Address::unix_path(path.path()));
  tx.sendto("hi", Address::unix_path(path.path()));
  rx.settimeout(10.0);
  auto [data, from] = rx.recvfrom(10);
  EXPECT_EQ(data, "hi");
  EXPECT_EQ(from.family(), Family::unspec);
  EXPECT_EQ(from.repr(), "None");
  Address unbound = tx.getsockname();
  EXPECT_EQ(unbound.family(), Family::local);
  EXPECT_EQ(unbound.repr(), "''");
  EXPECT_EQ(unbound.to_string(), "(unnamed)");
}

// Python: an IPv4 literal on an IPv6 socket (and the reverse) is socket.gaierror(EAI_ADDRFAMILY,
// "Address family for hostname not supported") for bind, connect and sendto; '' is the
// socket family's any address ('::' on IPv6).
TEST(Semantics, AddressOfTheOtherIpFamilyIsGaierror) {
  Socket v6(Family::inet6, Type::dgram);
  const std::string msg = "Address family for hostname not supported";
  auto [err, what] = caught<gaierror>([&] { v6.bind({"127.0.0.1", 0}); });
  EXPECT_EQ(err, EAI_ADDRFAMILY);
  EXPECT_EQ(what, "bind to 127.0.0.1:0: " + msg);
  EXPECT_EQ(error_of([&] { v6.connect({"127.0.0.1", 9}); }), "connect to 127.0.0.1:9: " + msg);
  EXPECT_EQ(error_of([&] { v6.sendto("x", {"127.0.0.1", 9}); }), "sendto 127.0.0.1:9: " + msg);
  std::error_code ec;
  v6.bind({"127.0.0.1", 0}, ec);
  EXPECT_EQ(ec, std::error_code(EAI_ADDRFAMILY, gai_category()));
  Socket v4(Family::inet);
  EXPECT_EQ(error_of([&] { v4.bind({"::1", 0}); }), "bind to [::1]:0: " + msg);
  EXPECT_EQ(v4.connect_ex({"::1", 9}), EINVAL);  // no errno for a gaierror; Python raises

  Socket any6(Family::inet6);
  any6.bind({"", 0});
  Address bound = any6.getsockname();
  EXPECT_EQ(bound.family(), Family::inet6);
  EXPECT_EQ(bound.repr(), "('::', " + std::to_string(bound.port()) + ", 0, 0)");
}

// Python resolves a host name with the socket's family (setipaddr). Whether "localhost" has
// an IPv6 address depends on /etc/hosts, so Python on this machine says what to expect.
TEST(Semantics, HostNameResolvesWithTheSocketsFamilyAsPythonDoes) {
  const char* script = R"(
import socket, sys
s = socket.socket(socket.AF_INET6 if sys.argv[1] == '6' else socket.AF_INET)
try:
    s.bind(('localhost', 0))
    print('ok', s.getsockname()[0])
except socket.gaierror as e:
    print('gaierror', e.errno)
)";
  for (Family family : {Family::inet, Family::inet6}) {
    Child py(python_argv(script, {family == Family::inet6 ? "6" : "4"}));
    auto expected = py.read_line();
    ASSERT_TRUE(expected);
    std::string got;
    Socket s(family);
    try {
      s.bind({"localhost", 0});
      got = "ok " + s.getsockname().host();
    } catch (const gaierror& e) {
      got = "gaierror " + std::to_string(e.code().value());
    }
    EXPECT_EQ(got, *expected) << short_name(family);
    EXPECT_EQ(py.wait(), 0);
  }
}

// Python: settimeout may change at any time on a connected socket; each mode takes effect on
// the next call. A tiny positive timeout rounds up to 1 ns (still a timeout, never 0).
TEST(Semantics, SettimeoutChangesWhileConnected) {
  auto [client, server] = loopback_pair();
  server.settimeout(0.0);
  EXPECT_TRUE(is_nonblocking(server));
  EXPECT_THROW(server.recv(1), BlockingIOError);
  server.settimeout(1e-10);
  EXPECT_EQ(server.gettimeout(), Timeout(1ns));
  EXPECT_TRUE(server.getblocking());
  EXPECT_THROW(server.recv(1), TimeoutError);  // a timeout, not BlockingIOError
  server.settimeout(10.0);
  client.sendall("ab");
  EXPECT_EQ(server.recv(10), "ab");
  server.settimeout(std::nullopt);
  EXPECT_FALSE(is_nonblocking(server));
  client.sendall("cd");
  EXPECT_EQ(server.recv(10), "cd");
  server.setblocking(false);
  EXPECT_EQ(server.gettimeout(), Timeout(0ns));
  EXPECT_FALSE(server.getblocking());
  EXPECT_THROW(server.settimeout(1e300), OverflowError);  // as Python
  EXPECT_THROW(server.settimeout(std::nan("")), std::invalid_argument);
  EXPECT_THROW(server.settimeout(-1e-9), std::invalid_argument);
  EXPECT_EQ(server.gettimeout(), Timeout(0ns));  // unchanged by the rejected values
}

// Python: getblocking() of a new socket follows setdefaulttimeout(): False for 0, True for a
// positive default (non-blocking inside), True for None.
TEST(Semantics, GetblockingFollowsSetdefaulttimeout) {
  struct Restore {
    ~Restore() { setdefaulttimeout(std::nullopt); }
  } restore;
  setdefaulttimeout(Timeout(0ns));
  Socket zero(Family::inet);
  EXPECT_FALSE(zero.getblocking());
  EXPECT_EQ(zero.gettimeout(), Timeout(0ns));
  EXPECT_TRUE(is_nonblocking(zero));
  setdefaulttimeout(Timeout(500ms));
  Socket half(Family::inet);
  EXPECT_TRUE(half.getblocking());
  EXPECT_EQ(half.gettimeout(), Timeout(500ms));
  EXPECT_TRUE(is_nonblocking(half));
  setdefaulttimeout(std::nullopt);
  Socket none(Family::inet);
  EXPECT_TRUE(none.getblocking());
  EXPECT_FALSE(is_nonblocking(none));
}

// Python: socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK) has timeout 0.0, and .type drops the
// SOCK_NONBLOCK / SOCK_CLOEXEC bits.
TEST(Semantics, SockNonblockInTheTypeMeansTimeoutZero) {
  Socket nb(Family::inet, static_cast<Type>(SOCK_STREAM | SOCK_NONBLOCK));
  EXPECT_EQ(nb.type(), Type::stream);
  EXPECT_EQ(nb.gettimeout(), Timeout(0ns));
  EXPECT_FALSE(nb.getblocking());
  EXPECT_TRUE(is_nonblocking(nb));
  Socket ce(Family::inet, static_cast<Type>(SOCK_DGRAM | SOCK_CLOEXEC));
  EXPECT_EQ(ce.type(), Type::dgram);
  EXPECT_EQ(ce.gettimeout(), std::nullopt);
  EXPECT_FALSE(is_nonblocking(ce));
}

// Python: bind('') on a Unix socket lets Linux pick an abstract name (autobind), shown as
// b'\x00' + five hex digits; a datagram server can then reply to it.
TEST(Semantics, UnixBindToAnEmptyPathAutobinds) {
  TempUnixPath path;
  Socket server(Family::local, Type::dgram), client(Family::local, Type::dgram);
  server.bind(Address::unix_path(path.path()));
  EXPECT_EQ(client.getsockname(), Address::unix_path(""));  // unbound: ''
  client.bind(Address::unix_path(""));
  Address name = client.getsockname();
  EXPECT_TRUE(name.is_abstract());
  EXPECT_EQ(name.path().size(), 5u);
  EXPECT_EQ(name.path().find_first_not_of("0123456789abcdef"), std::string::npos) << name.repr();
  EXPECT_EQ(name.repr(), "b'\\x00" + name.path() + "'");
  client.sendto("ping", Address::unix_path(path.path()));
  server.settimeout(10.0);
  client.settimeout(10.0);
  auto [data, from] = server.recvfrom(16);
  EXPECT_EQ(data, "ping");
  EXPECT_EQ(from, name);
  server.sendto("pong", from);
  EXPECT_EQ(client.recv(16), "pong");
}
