// SPDX-License-Identifier: MIT
// The machine's sockets as `ss` (netstat) lists them: TCP, UDP, raw and Unix sockets with their
// state, queues, addresses and owning processes, read from the kernel's sock_diag interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace soket::diag {

/// What kind of socket: ss's "Netid" column.
enum class Netid { tcp, udp, raw, u_str, u_dgr, u_seq };

/// The kernel's socket states (TCP numbering, which UDP, raw and Unix sockets reuse).
enum class SocketState : int {
  established = 1,
  syn_sent = 2,
  syn_recv = 3,
  fin_wait1 = 4,
  fin_wait2 = 5,
  time_wait = 6,
  unconnected = 7,  ///< TCP_CLOSE: ss prints UNCONN
  close_wait = 8,
  last_ack = 9,
  listen = 10,
  closing = 11,
  new_syn_recv = 12,
};

/// A set of states, one bit per SocketState value.
using StateSet = std::uint32_t;
inline constexpr StateSet state_bit(SocketState s) {
  return StateSet{1} << static_cast<int>(s);
}
inline constexpr StateSet all_states = 0x1ffe;  // bits 1-12
/// ss's default when neither -a nor -l is given: no listening, unconnected, TIME-WAIT or
/// SYN-RECV sockets.
inline constexpr StateSet connected_states =
    all_states & ~(state_bit(SocketState::listen) | state_bit(SocketState::unconnected) |
                   state_bit(SocketState::time_wait) | state_bit(SocketState::syn_recv));
/// ss -l: listening sockets, and the unconnected datagram sockets that play their part.
inline constexpr StateSet listening_states =
    state_bit(SocketState::listen) | state_bit(SocketState::unconnected);

/// ss's name of a state: ESTAB, SYN-SENT, LISTEN, UNCONN, ...
std::string_view state_name(SocketState s) noexcept;
/// ss's name of a kind: tcp, udp, raw, u_str, u_dgr, u_seq.
std::string_view netid_name(Netid n) noexcept;
/// The states a filter word names, as `ss state WORD` reads it: established, syn-sent,
/// syn-recv, fin-wait-1, fin-wait-2, time-wait, closed (unconnected), close-wait, last-ack,
/// listening, closing, all, connected, synchronized; std::nullopt for anything else.
std::optional<StateSet> parse_states(std::string_view word) noexcept;

/// A process holding the socket (from /proc: sock_diag does not say).
struct SocketUser {
  std::string command;
  int pid = 0;
  int fd = 0;
};

/// One socket. For inet sockets the hosts are numeric addresses ("127.0.0.1", "::1"; "*" for
/// a dual-stack IPv6 wildcard, as ss writes it); a raw
/// socket's port is its IP protocol number. For Unix sockets local_host is the path ("@name"
/// for abstract names, "*" when unnamed), local_port the inode and peer_port the peer's inode
/// (0 when none), as ss prints them.
struct SocketInfo {
  Netid netid = Netid::tcp;
  int family = 0;  ///< 2 (IPv4), 10 (IPv6) or 1 (Unix): soket::Family's values
  SocketState state = SocketState::unconnected;
  std::uint32_t recv_q = 0;  ///< listening: the accept queue now
  std::uint32_t send_q = 0;  ///< listening: the backlog
  std::string local_host, peer_host;
  std::uint64_t local_port = 0, peer_port = 0;
  std::uint32_t uid = 0;  ///< owner's uid (inet sockets only)
  std::uint64_t inode = 0;
  std::vector<SocketUser> users;  ///< filled when Query::processes is set
};

/// Which sockets to list (ss's -t -u -w -x -4 -6 -p and state filter).
struct Query {
  bool tcp = false, udp = false, raw = false, unix_sockets = false;
  bool ipv4 = true, ipv6 = true;
  StateSet states = connected_states;
  bool processes = false;
};

/// The sockets `query` selects, in the kernel's order grouped by kind (tcp, udp, raw, unix).
/// Throws soket::Error naming the dump that failed ("sock_diag tcp/IPv4: ...").
std::vector<SocketInfo> socket_table(const Query& query);
std::vector<SocketInfo> socket_table(const Query& query, std::error_code& ec);

/// ss's "Address:Port" text: 127.0.0.1:80, [::1]:80, 0.0.0.0:*, /tmp/sock 1234, * 0.
/// `service` (may be empty) replaces the port number when not numeric.
std::string format_endpoint(const SocketInfo& s, bool local, std::string_view service = {});

}  // namespace soket::diag
