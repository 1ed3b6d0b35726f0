// SPDX-License-Identifier: MIT
// DatagramServer: recvmmsg batches, sendmmsg replies, truncation, Unix datagrams.
#include <soket/event/datagram_server.hpp>

#include <gtest/gtest.h>
#include <atomic>
#include <set>
#include <string>
#include <thread>

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
