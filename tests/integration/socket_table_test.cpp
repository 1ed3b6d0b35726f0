// SPDX-License-Identifier: MIT
// socket_table: the sockets this test opens, found through sock_diag with their states, queues,
// addresses and this process as their owner; state filters narrow the dump in the kernel.
#include <soket/diag/socket_table.hpp>

#include <gtest/gtest.h>
#include <unistd.h>
#include <algorithm>
#include <string>

#include <soket/soket.hpp>

#include "support/support.hpp"

using namespace soket::diag;

namespace {

std::vector<SocketInfo> with_port(const std::vector<SocketInfo>& rows, std::uint64_t port) {
  std::vector<SocketInfo> out;
  for (const auto& r : rows)
    if (r.local_port == port || r.peer_port == port) out.push_back(r);
  return out;
}

TEST(SocketTable, TcpListenerAndConnectionWithQueues) {
  soket::Socket listener(soket::Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(7);
  auto port = listener.getsockname().port();
  soket::Socket client(soket::Family::inet);
  client.connect(listener.getsockname());
  auto [served, peer] = listener.accept();
  client.sendall(std::string(123, 'q'));
  Query q;
  q.tcp = true;
  q.states = all_states;
  q.processes = true;
  auto rows = with_port(socket_table(q), port);
  ASSERT_EQ(rows.size(), 3u);
  int listening = 0, established = 0;
  for (const auto& r : rows) {
    EXPECT_EQ(r.netid, Netid::tcp);
    EXPECT_EQ(r.local_host, "127.0.0.1");
    EXPECT_EQ(r.uid, ::getuid());
    ASSERT_EQ(r.users.size(), 1u);
    EXPECT_EQ(r.users[0].pid, ::getpid());
    if (r.state == SocketState::listen) {
      ++listening;
      EXPECT_EQ(r.send_q, 7u);  // the backlog
      EXPECT_EQ(r.recv_q, 0u);
      EXPECT_EQ(r.users[0].fd, listener.fileno());
      EXPECT_EQ(format_endpoint(r, false), "0.0.0.0:*");
    } else {
      ++established;
      EXPECT_EQ(r.state, SocketState::established);
      if (r.local_port == port) {
        EXPECT_EQ(r.recv_q, 123u);  // the unread bytes
      }
    }
  }
  EXPECT_EQ(listening, 1);
  EXPECT_EQ(established, 2);
  // The kernel's state filter: only the listener.
  q.states = state_bit(SocketState::listen);
  EXPECT_EQ(with_port(socket_table(q), port).size(), 1u);
  // IPv6 only: none of these.
  q.states = all_states;
  q.ipv4 = false;
  EXPECT_TRUE(with_port(socket_table(q), port).empty());
}

TEST(SocketTable, UdpAndUnixSockets) {
  soket::Socket u(soket::Family::inet6, soket::Type::dgram);
  u.bind({"::1", 0});
  soket::test::TempUnixPath path;
  soket::Socket listener(soket::Family::unix);
  listener.bind(soket::Address::unix_path(path.path()));
  listener.listen(1);
  Query q;
  q.udp = true;
  q.unix_sockets = true;
  q.states = listening_states;
  auto rows = socket_table(q);
  auto udp = with_port(rows, u.getsockname().port());
  ASSERT_EQ(udp.size(), 1u);
  EXPECT_EQ(udp[0].state, SocketState::unconnected);
  EXPECT_EQ(format_endpoint(udp[0], true), "[::1]:" + std::to_string(u.getsockname().port()));
  auto named = std::count_if(rows.begin(), rows.end(), [&](const SocketInfo& r) {
    return r.netid == Netid::u_str && r.local_host == path.path() && r.state == SocketState::listen;
  });
  EXPECT_EQ(named, 1);
}

TEST(SocketTable, StateWords) {
  EXPECT_EQ(parse_states("established"), state_bit(SocketState::established));
  EXPECT_EQ(parse_states("closed"), state_bit(SocketState::unconnected));
  EXPECT_EQ(parse_states("all"), all_states);
  EXPECT_EQ(parse_states("connected"), connected_states);
  EXPECT_EQ(parse_states("Established"), std::nullopt);
  EXPECT_EQ(parse_states(""), std::nullopt);
  EXPECT_EQ(state_name(SocketState::time_wait), "TIME-WAIT");
  EXPECT_EQ(netid_name(Netid::u_seq), "u_seq");
}

}  // namespace
