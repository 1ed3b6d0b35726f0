// SPDX-License-Identifier: MIT
// DatagramServer on both pollers: on the uring backend datagrams are received and sent on the
// ring (multishot RECVMSG into provided buffers, SENDMSG), on epoll with recvmmsg/sendmmsg.
// These run as they are and again as ".uring" copies (SOKET_BACKEND=uring).
#include <soket/event/datagram_server.hpp>

#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include <soket/event/loop.hpp>
#include <soket/socket.hpp>

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

struct Echo : DatagramHandler {
  std::size_t truncated = 0;
  void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                   bool cut) override {
    if (cut) ++truncated;
    s.send_to(data, from);
  }
};

// The completion model needs multishot receive (Linux 6.0).
bool kernel_before_6() {
  utsname u{};
  int major = 0;
  return ::uname(&u) != 0 || std::sscanf(u.release, "%d", &major) != 1 || major < 6;
}

std::string text(std::span<const std::byte> data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

}  // namespace

// The uring backend puts the socket on the ring, epoll reads on readiness; both echo.
TEST(EventDatagramRing, TheUringBackendReceivesAndSendsOnTheRing) {
  Echo h;
  DatagramServer server(Address("127.0.0.1", 0), h);
  bool uring = server.loop().backend() == Backend::uring;
  if (uring && (std::getenv("SOKET_URING_READINESS") || kernel_before_6()))
    GTEST_SKIP() << "no completion model here (kernel before 6.0 or SOKET_URING_READINESS)";
  EXPECT_EQ(server.on_ring(), uring);
  server.start();
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  for (int i = 0; i < 20; ++i) {  // ping-pong: each reply before the next datagram
    client.sendto("turn " + std::to_string(i), server.address());
    auto [data, from] = client.recvfrom(100);
    EXPECT_EQ(data, "turn " + std::to_string(i));
    EXPECT_EQ(from, server.address());
  }
  server.stop();
  EXPECT_EQ(server.received(), 20u);
  EXPECT_EQ(server.dropped(), 0u);
}

// batch = 1: one buffer on the ring. 50 datagrams waiting when the loop starts: the receive
// takes one, finds the ring empty (ENOBUFS on uring), and is re-armed after the batch gave its
// buffer back — one datagram per turn, none lost, as recvmmsg of 1 on epoll.
TEST(EventDatagramRing, AnEmptyBufferRingDelaysDatagramsAndLosesNone) {
  Echo h;
  DatagramServer server(Address("127.0.0.1", 0), h, {.batch = 1, .max_datagram = 512});
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  constexpr int n = 50;
  for (int i = 0; i < n; ++i) client.sendto("d" + std::to_string(i), server.address());
  server.start();
  std::set<std::string> got;
  for (int i = 0; i < n; ++i) got.insert(client.recvfrom(100).first);
  server.stop();
  EXPECT_EQ(got.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(server.received(), static_cast<std::size_t>(n));
  EXPECT_EQ(server.receive_calls(), static_cast<std::size_t>(n));
}

// A datagram longer than the buffer is cut to max_datagram and flagged; the next one is whole.
TEST(EventDatagramRing, ADatagramLargerThanTheBufferIsTruncatedAndFlagged) {
  Echo h;
  DatagramServer server(Address("127.0.0.1", 0), h, {.max_datagram = 100});
  server.start();
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  client.sendto(std::string(5000, 'x'), server.address());
  EXPECT_EQ(client.recvfrom(8192).first, std::string(100, 'x'));
  client.sendto("short", server.address());
  EXPECT_EQ(client.recvfrom(8192).first, "short");
  server.stop();
  EXPECT_EQ(h.truncated, 1u);
}

// A handler that throws is reported on stderr and costs only its datagram.
TEST(EventDatagramRing, AHandlerThatThrowsIsReportedAndTheServerGoesOn) {
  struct Picky : DatagramHandler {
    void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                     bool) override {
      if (text(data) == "bad") throw std::runtime_error("picky handler");
      s.send_to(data, from);
    }
  } h;
  DatagramServer server(Address("127.0.0.1", 0), h);
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  client.sendto("bad", server.address());
  client.sendto("good", server.address());
  testing::internal::CaptureStderr();
  server.start();
  std::string reply = client.recvfrom(100).first;
  server.stop();
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(reply, "good");
  EXPECT_NE(err.find("soket: datagram from ('127.0.0.1', "), std::string::npos) << err;
  EXPECT_NE(err.find("picky handler"), std::string::npos) << err;
  EXPECT_EQ(server.received(), 2u);
}

// A reply the kernel refuses (an IPv6 destination for an IPv4 socket) is counted as dropped;
// the reply to the sender still leaves.
TEST(EventDatagramRing, ARefusedReplyIsCountedAsDropped) {
  struct TwoReplies : DatagramHandler {
    void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                     bool) override {
      s.send_to(data, Address("::1", 9));
      s.send_to(data, from);
    }
  } h;
  DatagramServer server(Address("127.0.0.1", 0), h, {.offload = false});
  server.start();
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  client.sendto("hello", server.address());
  EXPECT_EQ(client.recvfrom(100).first, "hello");
  server.stop();
  EXPECT_EQ(server.dropped(), 1u);
}

// send_to outside a batch (a posted function) goes out at once, more than a batch of them too.
TEST(EventDatagramRing, RepliesSentFromAPostedFunctionLeaveAtOnce) {
  Echo h;
  DatagramServer server(Address("127.0.0.1", 0), h, {.batch = 4});
  Socket client(Family::inet, Type::dgram);
  client.bind(Address("127.0.0.1", 0));
  client.settimeout(10s);
  server.start();
  Address to = client.getsockname();
  server.loop().post([&] {
    for (int i = 0; i < 10; ++i) server.send_to("posted " + std::to_string(i), to);
  });
  for (int i = 0; i < 10; ++i) EXPECT_EQ(client.recvfrom(100).first, "posted " + std::to_string(i));
  server.stop();
  EXPECT_EQ(server.dropped(), 0u);
}

// stop() while datagrams pour in returns (the loop ends, the ring's receive is cancelled) and
// the server can be destroyed at once; the port is free again afterwards (not held by the
// ring until the loop goes).
TEST(EventDatagramRing, StopUnderLoadReturnsAndFreesThePort) {
  Address where;
  {
    Echo h;
    DatagramServer server(Address("127.0.0.1", 0), h, {.batch = 8});
    where = server.address();
    server.start();
    std::atomic<bool> done{false};
    std::thread load([&] {
      Socket s(Family::inet, Type::dgram);
      while (!done) s.sendto(std::string(200, 'l'), where);
    });
    std::this_thread::sleep_for(100ms);
    server.stop();
    done = true;
    load.join();
    EXPECT_GT(server.received(), 0u);
  }
  // The kernel frees a cancelled request's file asynchronously: a bounded wait, not a hang.
  Socket again(Family::inet, Type::dgram);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    try {
      again.bind(where);
      break;
    } catch (const AddressInUseError&) {
      if (std::chrono::steady_clock::now() > deadline) throw;  // the ring kept the socket
      std::this_thread::sleep_for(10ms);
    }
  }
}

// stop() ends the ring's receive on the loop thread; start() arms it again.
TEST(EventDatagramRing, ServesAgainAfterStopAndStart) {
  Echo h;
  DatagramServer server(Address("127.0.0.1", 0), h);
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  for (int round = 0; round < 3; ++round) {
    server.start();
    client.sendto("round " + std::to_string(round), server.address());
    EXPECT_EQ(client.recvfrom(100).first, "round " + std::to_string(round));
    server.stop();
  }
  client.sendto("while stopped", server.address());  // waits in the socket buffer
  server.start();
  EXPECT_EQ(client.recvfrom(100).first, "while stopped");
  server.stop();
  EXPECT_EQ(server.received(), 4u);
}
