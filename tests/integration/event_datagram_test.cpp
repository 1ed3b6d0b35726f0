// SPDX-License-Identifier: MIT
// DatagramServer: recvmmsg batches, sendmmsg replies, truncation, Unix datagrams.
#include <soket/event/datagram_server.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/loop.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

struct UdpEcho : DatagramHandler {
  std::size_t truncated = 0;
  void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                   bool cut) override {
    if (cut) ++truncated;
    s.send_to(data, from);
  }
};

}  // namespace

TEST(EventDatagram, BatchesReceivesAndRepliesToEveryDatagram) {
  UdpEcho h;
  DatagramServer server(Address("127.0.0.1", 0), h, {.batch = 32, .max_datagram = 2048});
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  constexpr int n = 64;
  // Queue them all before the loop runs: one readiness event then holds many datagrams.
  for (int i = 0; i < n; ++i) client.sendto("dgram " + std::to_string(i), server.address());
  client.sendto(std::string(4000, 'L'), server.address());  // longer than max_datagram
  server.start();
  std::set<std::string> got;
  std::size_t long_reply = 0;
  for (int i = 0; i < n + 1; ++i) {
    auto [data, from] = client.recvfrom(8192);
    EXPECT_EQ(from, server.address());
    if (data.size() > 100)
      long_reply = data.size();
    else
      got.insert(data);
  }
  server.stop();
  EXPECT_EQ(got.size(), static_cast<std::size_t>(n));
  EXPECT_TRUE(got.count("dgram 0") && got.count("dgram 63"));
  EXPECT_EQ(long_reply, 2048u);  // cut to max_datagram, and flagged
  EXPECT_EQ(h.truncated, 1u);
  EXPECT_EQ(server.received(), static_cast<std::size_t>(n + 1));
  EXPECT_LT(server.receive_calls(), server.received());  // batching happened
  EXPECT_EQ(server.dropped(), 0u);
}

TEST(EventDatagram, WorksOnUnixDatagramSockets) {
  test::TempUnixPath srv, cli;
  UdpEcho h;
  DatagramServer server(Address::unix_path(srv.path()), h);
  Socket client(Family::unix, Type::dgram);
  client.bind(Address::unix_path(cli.path()));
  client.settimeout(10s);
  client.sendto("over unix", server.address());
  server.start();
  auto [data, from] = client.recvfrom(100);
  server.stop();
  EXPECT_EQ(data, "over unix");
  EXPECT_EQ(from.path(), srv.path());
}

TEST(EventDatagram, BindErrorNamesTheAddress) {
  UdpEcho h;
  Socket taken(Family::inet, Type::dgram);
  taken.bind(Address("127.0.0.1", 0));
  try {
    DatagramServer server(taken.getsockname(), h);
    FAIL() << "must not bind a taken port";
  } catch (const AddressInUseError& e) {
    EXPECT_NE(std::string(e.what()).find(taken.getsockname().to_string()), std::string::npos)
        << e.what();
  }
}

// issue 8 §3: DatagramServer owns its loop as Server does, and a host name binds as
// UDPServer's does.
TEST(EventDatagram, OwnsItsLoopAndBindsAHostNameLikeUDPServer) {
  UdpEcho h;
  DatagramServer server(Address("localhost", 0), h);
  EXPECT_EQ(server.address().host(), "127.0.0.1");
  server.start();
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  client.sendto("ping", server.address());
  auto [data, from] = client.recvfrom(100);
  EXPECT_EQ(data, "ping");
  std::atomic<bool> on_loop{false};
  server.loop().post([&] { on_loop = server.loop().in_loop_thread(); });
  server.stop();
  EXPECT_TRUE(on_loop);
  server.stop();  // harmless twice
}

namespace {

// UDP_SEGMENT / UDP_GRO (linux/udp.h): a peer that sends with GSO and receives with GRO, so
// the server's offloads are seen from outside.
constexpr int udp_segment = 103, udp_gro = 104;

// One GSO send from `client`: `count` datagrams of `size` bytes (the last `last` bytes), each
// filled with its own letter.
std::string segmented_payload(int count, std::size_t size, std::size_t last) {
  std::string all;
  for (int i = 0; i < count; ++i)
    all += std::string(i + 1 == count ? last : size, static_cast<char>('a' + i));
  return all;
}

struct RecordingEcho : DatagramHandler {
  std::vector<std::string> seen;  // loop thread; read after stop()
  void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                   bool) override {
    seen.emplace_back(reinterpret_cast<const char*>(data.data()), data.size());
    s.send_to(data, from);
  }
};

}  // namespace

// Five datagrams sent as one GSO buffer reach a GRO socket as one buffer: with batch = 1 a
// single receive call delivers all five, cut at the segment size; without the offload it
// takes five calls. The echoes prove each datagram came out whole and in order.
TEST(EventDatagram, GroDeliversEachDatagramOfACoalescedBufferSeparately) {
  for (bool offload : {true, false}) {
    RecordingEcho h;
    DatagramServer server(Address("127.0.0.1", 0), h, {.batch = 1, .offload = offload});
    Socket client(Family::inet, Type::dgram);
    client.settimeout(10s);
    client.setsockopt(IPPROTO_UDP, udp_segment, 1000);
    std::string payload = segmented_payload(5, 1000, 500);
    client.sendto(payload, server.address());  // queued before the loop runs
    server.start();
    std::string echoed;
    for (int i = 0; i < 5; ++i) {
      auto [data, from] = client.recvfrom(65536);
      EXPECT_EQ(data.size(), i == 4 ? 500u : 1000u) << "datagram " << i;
      echoed += data;
    }
    server.stop();
    EXPECT_EQ(echoed, payload);
    ASSERT_EQ(h.seen.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i)
      EXPECT_EQ(h.seen[i], std::string(i == 4 ? 500 : 1000, static_cast<char>('a' + i)));
    EXPECT_EQ(server.received(), 5u);
    EXPECT_EQ(server.receive_calls(), offload ? 1u : 5u) << "offload " << offload;
  }
}

// Ten same-size replies to one peer in one batch leave as one GSO message: a client with GRO
// on receives them as one 5,000-byte buffer. Without the offload they are ten datagrams.
TEST(EventDatagram, GsoSendsARunOfRepliesToOnePeerAsOneMessage) {
  for (bool offload : {true, false}) {
    RecordingEcho h;
    DatagramServer server(Address("127.0.0.1", 0), h, {.offload = offload});
    Socket client(Family::inet, Type::dgram);
    client.settimeout(10s);
    client.setsockopt(IPPROTO_UDP, udp_segment, 500);
    client.setsockopt(IPPROTO_UDP, udp_gro, 1);
    std::string payload = segmented_payload(10, 500, 500);
    client.sendto(payload, server.address());
    server.start();
    std::string echoed;
    std::size_t first = 0;
    while (echoed.size() < payload.size()) {
      auto [data, from] = client.recvfrom(65536);
      if (first == 0) first = data.size();
      echoed += data;
    }
    server.stop();
    EXPECT_EQ(echoed, payload);
    EXPECT_EQ(first, offload ? 5000u : 500u) << "offload " << offload;
    EXPECT_EQ(server.received(), 10u);
    EXPECT_EQ(server.dropped(), 0u);
  }
}

// Replies of mixed sizes and peers: runs break at a larger datagram and at another peer, and
// every datagram still arrives whole, once, in order per peer.
TEST(EventDatagram, GsoRunsBreakAtSizeAndPeerChanges) {
  struct Burst : DatagramHandler {
    Address other;
    void on_datagram(DatagramServer& s, std::span<const std::byte>, const Address& from,
                     bool) override {
      // 3 x 300, 1 x 100 (ends the run), 2 x 400 (a new run), 1 x 300 to another peer, 1 x 400.
      for (int i = 0; i < 3; ++i) s.send_to(std::string(300, 'a'), from);
      s.send_to(std::string(100, 'b'), from);
      s.send_to(std::string(400, 'c'), from);
      s.send_to(std::string(400, 'd'), from);
      s.send_to(std::string(300, 'e'), other);
      s.send_to(std::string(400, 'f'), from);
    }
  } h;
  Socket other(Family::inet, Type::dgram);
  other.bind(Address("127.0.0.1", 0));
  other.settimeout(10s);
  h.other = other.getsockname();
  DatagramServer server(Address("127.0.0.1", 0), h);
  Socket client(Family::inet, Type::dgram);
  client.settimeout(10s);
  server.start();
  client.sendto("go", server.address());
  std::vector<std::string> got;
  for (int i = 0; i < 7; ++i) got.push_back(client.recvfrom(65536).first);
  EXPECT_EQ(other.recvfrom(65536).first, std::string(300, 'e'));
  server.stop();
  std::vector<std::string> want = {
      std::string(300, 'a'), std::string(300, 'a'), std::string(300, 'a'), std::string(100, 'b'),
      std::string(400, 'c'), std::string(400, 'd'), std::string(400, 'f')};
  EXPECT_EQ(got, want);
  EXPECT_EQ(server.dropped(), 0u);
}
