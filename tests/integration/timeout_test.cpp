// SPDX-License-Identifier: MIT
// Python's three modes — blocking (None), non-blocking (0), timeout (> 0) — on real sockets.
// Durations are never asserted: only which error arrives.
#include <soket/socket.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include <soket/error.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace std::chrono_literals;
using soket::test::listen_ephemeral;
using soket::test::loopback_pair;

namespace {

// Restores Python's default timeout (None) whatever a test did.
struct DefaultTimeoutGuard {
  ~DefaultTimeoutGuard() { setdefaulttimeout(std::nullopt); }
};

}  // namespace

TEST(Timeout, ModesAndTheirAccessors) {
  Socket s(Family::inet);
  EXPECT_EQ(s.gettimeout(), std::nullopt);
  EXPECT_TRUE(s.getblocking());
  s.settimeout(2.5);
  EXPECT_EQ(s.gettimeout(), Timeout(2500ms));
  EXPECT_TRUE(s.getblocking());  // Python: a timeout is still "blocking"
  s.setblocking(false);
  EXPECT_EQ(s.gettimeout(), Timeout(0ns));
  EXPECT_FALSE(s.getblocking());
  s.setblocking(true);
  EXPECT_EQ(s.gettimeout(), std::nullopt);
  s.settimeout(Timeout(250ms));
  EXPECT_EQ(s.gettimeout(), Timeout(250ms));
  EXPECT_THROW(s.settimeout(-1.0), std::invalid_argument);
  EXPECT_THROW(s.settimeout(Timeout(-1ms)), std::invalid_argument);
  EXPECT_EQ(s.gettimeout(), Timeout(250ms));  // unchanged by the rejected calls
}

// settimeout(nanoseconds::max()) used to overflow "now + timeout" into the past (UBSan: signed
// overflow; the call then timed out at once). Now the deadline saturates: it means "never".
TEST(Timeout, HugeTimeoutsWaitInsteadOfOverflowing) {
  for (Timeout huge :
       {Timeout(std::chrono::nanoseconds::max()), Timeout(std::chrono::nanoseconds::max() - 1ns),
        Timeout(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::hours(24 * 365 * 200)))}) {
    auto [client, server] = loopback_pair();
    server.settimeout(huge);
    EXPECT_EQ(server.gettimeout(), huge);
    std::thread late([&client = client] {
      std::this_thread::sleep_for(50ms);
      client.sendall("late");
    });
    EXPECT_EQ(server.recv(10), "late");  // waited, did not time out at once
    late.join();
    auto listener = listen_ephemeral();
    listener.settimeout(huge);
    Socket c(Family::inet);
    c.settimeout(huge);
    c.connect(listener.getsockname());
    auto accepted = listener.accept();
    accepted.conn.settimeout(huge);
    c.sendall(std::string(1 << 20, 'x'));  // sendall keeps one (saturated) deadline
    EXPECT_EQ(accepted.conn.recv(1).size(), 1u);
  }
}

// Python's checks of a float timeout, with its exception classes and messages.
TEST(Timeout, ValuesPythonRejectsAreRejectedWithItsMessages) {
  Socket s(Family::inet);
  EXPECT_EQ(soket::test::error_of([&] { s.settimeout(-0.5); }), "Timeout value out of range");
  EXPECT_THROW(s.settimeout(std::nan("")), std::invalid_argument);
  EXPECT_EQ(soket::test::error_of([&] { s.settimeout(std::nan("")); }),
            "Invalid value NaN (not a number)");
  EXPECT_THROW(s.settimeout(1e300), OverflowError);
  EXPECT_THROW(s.settimeout(std::numeric_limits<double>::infinity()), OverflowError);
  std::error_code ec;
  s.settimeout(-1.0, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  s.settimeout(1e300, ec);
  EXPECT_EQ(ec, std::errc::value_too_large);
  s.settimeout(Timeout(-1ns), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(s.gettimeout(), std::nullopt);  // unchanged by every rejected call
  s.settimeout(1.5, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(s.gettimeout(), Timeout(1500ms));
  s.setblocking(false, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(s.gettimeout(), Timeout(0ns));
  DefaultTimeoutGuard restore;
  setdefaulttimeout(Timeout(-1s), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(getdefaulttimeout(), std::nullopt);
  setdefaulttimeout(Timeout(std::chrono::nanoseconds::max()), ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(getdefaulttimeout(), Timeout(std::chrono::nanoseconds::max()));
  s.close();
  s.settimeout(Timeout(1s), ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);  // as Python's settimeout on a closed socket
}

TEST(Timeout, RecvOnASilentPeerRaisesTimeoutError) {
  auto [client, server] = loopback_pair();
  server.settimeout(0.2);
  try {
    server.recv(10);
    FAIL();
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.what(), "recv from " + client.getsockname().to_string() + ": timed out");
    EXPECT_EQ(e.code(), std::errc::timed_out);
  }
  // The socket stays usable after a timeout.
  client.sendall("late");
  EXPECT_EQ(server.recv(10), "late");
}

TEST(Timeout, ZeroTimeoutRaisesBlockingIOError) {
  auto [client, server] = loopback_pair();
  server.settimeout(0.0);
  EXPECT_THROW(server.recv(10), BlockingIOError);
  Socket listener = listen_ephemeral();
  listener.setblocking(false);
  EXPECT_THROW(listener.accept(), BlockingIOError);
  std::error_code ec;
  server.recv(10, 0, ec);
  EXPECT_EQ(ec, std::errc::resource_unavailable_try_again);
}

TEST(Timeout, AcceptTimesOut) {
  Socket listener = listen_ephemeral();
  listener.settimeout(0.1);
  EXPECT_THROW(listener.accept(), TimeoutError);
}

TEST(Timeout, UdpRecvfromTimesOut) {
  Socket s(Family::inet, Type::dgram);
  s.bind({"127.0.0.1", 0});
  s.settimeout(0.1);
  EXPECT_THROW(s.recvfrom(100), TimeoutError);
}

// A listener whose accept queue is full drops further SYNs, so connect() waits: the
// loopback way to provoke a connect timeout without an unreachable network.
TEST(Timeout, ConnectTimesOutWhenTheBacklogIsFull) {
  Socket listener(Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(0);
  std::vector<Socket> queued;
  bool timed_out = false;
  for (int i = 0; i < 16 && !timed_out; ++i) {
    Socket c(Family::inet);
    c.settimeout(0.3);
    try {
      c.connect(listener.getsockname());
      queued.push_back(std::move(c));
    } catch (const TimeoutError& e) {
      timed_out = true;
      EXPECT_EQ(std::string(e.what()),
                "connect to " + listener.getsockname().to_string() + ": timed out");
    }
  }
  EXPECT_TRUE(timed_out);
  Socket d(Family::inet);
  d.settimeout(0.2);
  EXPECT_EQ(d.connect_ex(listener.getsockname()), EAGAIN);  // CPython reports EWOULDBLOCK
}

TEST(Timeout, SendallKeepsOneDeadlineAndReportsWhatWasSent) {
  auto [client, server] = loopback_pair();
  client.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
  client.settimeout(0.3);
  std::string big(32u << 20, 'x');  // far more than the buffers hold: the peer never reads
  EXPECT_THROW(client.sendall(big), TimeoutError);
  std::error_code ec;
  std::size_t sent = client.sendall(std::as_bytes(std::span(big)), 0, ec);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_LT(sent, big.size());
}

TEST(Timeout, DefaultTimeoutAppliesToNewAndAcceptedSockets) {
  DefaultTimeoutGuard restore;
  Socket listener = listen_ephemeral();  // created before: blocking
  setdefaulttimeout(Timeout(1500ms));
  EXPECT_EQ(getdefaulttimeout(), Timeout(1500ms));
  Socket client(Family::inet);
  EXPECT_EQ(client.gettimeout(), Timeout(1500ms));
  client.connect(listener.getsockname());
  auto [conn, addr] = listener.accept();
  EXPECT_EQ(conn.gettimeout(), Timeout(1500ms));  // the default, not the listener's

  setdefaulttimeout(std::nullopt);
  listener.settimeout(5.0);
  Socket c2(Family::inet);
  c2.connect(listener.getsockname());
  auto [conn2, addr2] = listener.accept();
  EXPECT_EQ(conn2.gettimeout(), std::nullopt);  // Python forces it blocking
  EXPECT_THROW(setdefaulttimeout(Timeout(-5ms)), std::invalid_argument);
}
