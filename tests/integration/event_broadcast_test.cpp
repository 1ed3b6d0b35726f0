// SPDX-License-Identifier: MIT
// Cross-loop work on a Server: ConnectionIds that stay unambiguous across loops,
// for_each_connection on each connection's own loop thread, broadcast to every loop in the
// order sent, and post() to one connection by id (stale and foreign ids find nothing).
#include <soket/event/server.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/loop.hpp>
#include <soket/io/framing.hpp>
#include <soket/io/socket_file.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

// Remembers every connection's id, and which client port it serves; ignores input.
struct Registry : Handler {
  std::mutex mu;
  std::vector<ConnectionId> ids;
  std::map<std::uint16_t, ConnectionId> by_port;
  void on_open(Connection& c) override {
    std::lock_guard lock(mu);
    ids.push_back(c.id());
    by_port[c.peer().port()] = c.id();
  }
  ConnectionId of(const Socket& client) {
    std::lock_guard lock(mu);
    return by_port.at(client.getsockname().port());
  }
  void on_data(Connection&, Buffer& in) override { in.retrieve_all(); }
  std::vector<ConnectionId> snapshot() {
    std::lock_guard lock(mu);
    return ids;
  }
};

ServerOptions loops(std::size_t n) {
  ServerOptions o;
  o.threads = n;
  return o;
}

std::vector<Socket> connect_clients(const Server& server, std::size_t n) {
  std::vector<Socket> clients;
  for (std::size_t i = 0; i < n; ++i) {
    Socket c(Family::inet, Type::stream);
    c.settimeout(20s);
    c.connect(server.address());
    clients.push_back(std::move(c));
  }
  return clients;
}

// Waits (bounded) until the server has adopted `n` connections.
void await_opened(Registry& h, std::size_t n) {
  for (int i = 0; i < 4000 && h.snapshot().size() < n; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(h.snapshot().size(), n);
}

TEST(EventCrossLoop, ConnectionIdsAreUnambiguousAcrossLoops) {
  Registry h;
  Server server(Address("127.0.0.1", 0), h, loops(4));
  server.start();
  auto clients = connect_clients(server, 8);
  await_opened(h, 8);
  auto ids = h.snapshot();
  // Every loop starts its slab at the same slot, so slot and generation alone collide...
  std::set<std::pair<std::uint32_t, std::uint32_t>> slot_gen;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> whole;
  for (auto id : ids) {
    slot_gen.insert({id.slot, id.generation});
    whole.insert({id.loop, id.slot, id.generation});
    EXPECT_NE(id.loop, 0u);
  }
  EXPECT_LT(slot_gen.size(), ids.size());
  // ...and the loop's id tells them apart.
  EXPECT_EQ(whole.size(), ids.size());
  // A loop finds only its own connections: another loop's id with the same slot is nothing.
  std::atomic<int> found_foreign{0}, found_own{0};
  std::mutex done_mu;
  std::atomic<std::size_t> done{0};
  for (std::size_t i = 0; i < server.loops().size(); ++i) {
    Loop& loop = server.loops().loop(i);
    loop.post([&, &loop = loop] {
      for (auto id : ids) {
        Connection* c = loop.find(id);
        if (id.loop == loop.id())
          found_own += c != nullptr;
        else
          found_foreign += c != nullptr;
      }
      ++done;
    });
  }
  for (int i = 0; i < 4000 && done < server.loops().size(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(found_own.load(), 8);
  EXPECT_EQ(found_foreign.load(), 0);
  server.stop();
}

TEST(EventCrossLoop, ForEachConnectionRunsOnEachConnectionsOwnLoop) {
  Registry h;
  Server server(Address("127.0.0.1", 0), h, loops(3));
  server.start();
  auto clients = connect_clients(server, 9);
  await_opened(h, 9);
  std::mutex mu;
  std::set<std::uint32_t> seen_loops;
  std::atomic<int> visits{0}, wrong_thread{0};
  server.for_each_connection([&](Connection& c) {
    if (!c.loop().in_loop_thread()) ++wrong_thread;
    {
      std::lock_guard lock(mu);
      seen_loops.insert(c.id().loop);
    }
    ++visits;  // before the send: a client may read "visited" before a later line runs
    c.send("visited\n");
  });
  for (auto& c : clients) EXPECT_EQ(c.recv(100), "visited\n");
  EXPECT_EQ(visits.load(), 9);
  EXPECT_EQ(wrong_thread.load(), 0);
  EXPECT_EQ(seen_loops.size(), 3u);  // round robin put connections on every loop
  server.stop();
}

TEST(EventCrossLoop, BroadcastReachesEveryLoopInOrderButTheExcepted) {
  Registry h;
  Server server(Address("127.0.0.1", 0), h, loops(4));
  server.start();
  auto clients = connect_clients(server, 12);
  await_opened(h, 12);
  const ConnectionId excepted = h.of(clients[0]);
  constexpr int messages = 2000;
  std::thread sender([&] {
    for (int i = 0; i < messages; ++i) server.broadcast(std::to_string(i) + "\n", excepted);
    server.broadcast("end\n");  // to everyone, the excepted one too
  });
  for (std::size_t k = 0; k < clients.size(); ++k) {
    io::SocketFile f(clients[k]);
    if (k == 0) {
      EXPECT_EQ(f.readline(), "end\n");  // nothing before it
      continue;
    }
    for (int i = 0; i < messages; ++i) ASSERT_EQ(f.readline(), std::to_string(i) + "\n");
    EXPECT_EQ(f.readline(), "end\n");
  }
  sender.join();
  server.stop();
}

TEST(EventCrossLoop, PostReachesOneConnectionAndStaleOrForeignIdsNothing) {
  Registry h;
  Server server(Address("127.0.0.1", 0), h, loops(2));
  server.start();
  auto clients = connect_clients(server, 2);
  await_opened(h, 2);
  const ConnectionId first = h.of(clients[0]), second = h.of(clients[1]);
  EXPECT_TRUE(server.post(second, [](Connection& c) { c.send("just you\n"); }));
  EXPECT_EQ(clients[1].recv(100), "just you\n");

  // A loop that is not this server's: refused at once.
  Loop other;
  ConnectionId foreign{other.id(), first.slot, first.generation};
  EXPECT_FALSE(server.post(foreign, [](Connection&) { ADD_FAILURE() << "foreign id ran"; }));

  // A closed connection's id is stale: the function is not called.
  clients[0].close();
  for (int i = 0; i < 4000 && server.connections() != 1; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server.connections(), 1u);
  std::atomic<bool> ran{false}, after{false};
  EXPECT_TRUE(server.post(first, [&](Connection&) { ran = true; }));
  // Posted after it to the same loop: once this ran, the stale one had its turn.
  for (std::size_t i = 0; i < server.loops().size(); ++i)
    if (server.loops().loop(i).id() == first.loop)
      server.loops().loop(i).post([&] { after = true; });
  for (int i = 0; i < 4000 && !after; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(after.load());
  EXPECT_FALSE(ran.load());
  server.stop();
}

}  // namespace
