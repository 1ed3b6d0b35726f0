// SPDX-License-Identifier: MIT
// socket_table: sock_diag records turned into ss's rows.
#include <soket/diag/socket_table.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include <soket/error.hpp>
#include <soket/inet.hpp>

#include "linux/sock_diag.hpp"

namespace soket::diag {
namespace {

constexpr int af_unix = 1, af_inet = 2, af_inet6 = 10;
constexpr int proto_tcp = 6, proto_udp = 17, proto_raw = 255;

std::string host_text(int family, const std::array<std::uint8_t, 16>& bytes) {
  std::string_view packed(reinterpret_cast<const char*>(bytes.data()), family == af_inet ? 4 : 16);
  std::error_code ec;
  std::string text = inet_ntop(family == af_inet ? Family::inet : Family::inet6, packed, ec);
  return ec ? "?" : text;
}

Netid unix_netid(int type) {
  if (type == 2) return Netid::u_dgr;  // SOCK_DGRAM
  if (type == 5) return Netid::u_seq;  // SOCK_SEQPACKET
  return Netid::u_str;
}

SocketState state_of(int s) {
  return s >= 1 && s <= 12 ? static_cast<SocketState>(s) : SocketState::unconnected;
}

// Runs every dump the query asks for; on failure `failed` names it.
std::vector<SocketInfo> collect(const Query& q, std::error_code& ec, std::string& failed) {
  std::vector<SocketInfo> rows;
  struct Kind {
    bool wanted;
    int protocol;
    Netid netid;
    const char* name;
  };
  const Kind kinds[] = {{q.tcp, proto_tcp, Netid::tcp, "tcp"},
                        {q.udp, proto_udp, Netid::udp, "udp"},
                        {q.raw, proto_raw, Netid::raw, "raw"}};
  for (const Kind& kind : kinds) {
    if (!kind.wanted) continue;
    for (int family : {af_inet, af_inet6}) {
      if ((family == af_inet && !q.ipv4) || (family == af_inet6 && !q.ipv6)) continue;
      std::vector<sys::InetRecord> records;
      bool ok = sys::dump_inet(family, kind.protocol, q.states, records, ec);
      if (!ok && kind.protocol == proto_raw && ec == std::errc::no_such_file_or_directory) {
        // No raw sock_diag in this kernel: /proc/net/raw{,6} is the only source left.
        ok = sys::read_proc_inet(family == af_inet ? "/proc/net/raw" : "/proc/net/raw6", family,
                                 kind.protocol, q.states, records, ec);
      }
      if (!ok) {
        failed = std::string(kind.name) + (family == af_inet ? "/IPv4" : "/IPv6");
        return {};
      }
      for (const auto& r : records) {
        SocketInfo s;
        s.netid = kind.netid;
        s.family = r.family;
        s.state = state_of(r.state);
        s.recv_q = r.recv_q;
        s.send_q = r.send_q;
        s.local_host = host_text(r.family, r.src);
        s.peer_host = host_text(r.family, r.dst);
        // ss writes a dual-stack wildcard (IPv6 "::" that takes IPv4 too) as "*".
        if (r.family == af_inet6 && !r.v6only) {
          if (s.local_host == "::") s.local_host = "*";
          if (s.peer_host == "::") s.peer_host = "*";
        }
        s.local_port = r.sport;
        s.peer_port = r.dport;
        s.uid = r.uid;
        s.inode = r.inode;
        rows.push_back(std::move(s));
      }
    }
  }
  if (q.unix_sockets) {
    std::vector<sys::UnixRecord> records;
    if (!sys::dump_unix(q.states, records, ec)) {
      failed = "unix";
      return {};
    }
    for (const auto& r : records) {
      SocketInfo s;
      s.netid = unix_netid(r.type);
      s.family = af_unix;
      s.state = state_of(r.state);
      s.recv_q = r.recv_q;
      s.send_q = r.send_q;
      if (r.name.empty()) {
        s.local_host = "*";
      } else if (r.name[0] == '\0') {
        // Abstract: ss shows it with '@' for the leading NUL (and any other NUL in it).
        s.local_host = r.name;
        std::replace(s.local_host.begin(), s.local_host.end(), '\0', '@');
      } else {
        s.local_host = r.name.substr(0, r.name.find('\0'));  // a path ends at its NUL
      }
      s.peer_host = "*";
      s.local_port = r.inode;
      s.peer_port = r.peer_inode;
      s.inode = r.inode;
      rows.push_back(std::move(s));
    }
  }
  if (q.processes) {
    std::multimap<std::uint64_t, SocketUser> by_inode;
    for (auto& o : sys::socket_owners())
      by_inode.emplace(o.inode, SocketUser{o.command, o.pid, o.fd});
    for (auto& s : rows) {
      auto [first, last] = by_inode.equal_range(s.inode);
      for (auto it = first; it != last; ++it) s.users.push_back(it->second);
    }
  }
  ec.clear();
  return rows;
}

}  // namespace

std::string_view state_name(SocketState s) noexcept {
  switch (s) {
    case SocketState::established: return "ESTAB";
    case SocketState::syn_sent: return "SYN-SENT";
    case SocketState::syn_recv: return "SYN-RECV";
    case SocketState::fin_wait1: return "FIN-WAIT-1";
    case SocketState::fin_wait2: return "FIN-WAIT-2";
    case SocketState::time_wait: return "TIME-WAIT";
    case SocketState::unconnected: return "UNCONN";
    case SocketState::close_wait: return "CLOSE-WAIT";
    case SocketState::last_ack: return "LAST-ACK";
    case SocketState::listen: return "LISTEN";
    case SocketState::closing: return "CLOSING";
    case SocketState::new_syn_recv: return "NEW-SYN-RECV";
  }
  return "UNKNOWN";
}

std::string_view netid_name(Netid n) noexcept {
  switch (n) {
    case Netid::tcp: return "tcp";
    case Netid::udp: return "udp";
    case Netid::raw: return "raw";
    case Netid::u_str: return "u_str";
    case Netid::u_dgr: return "u_dgr";
    case Netid::u_seq: return "u_seq";
  }
  return "?";
}

std::optional<StateSet> parse_states(std::string_view word) noexcept {
  using S = SocketState;
  static constexpr std::pair<std::string_view, SocketState> names[] = {
      {"established", S::established}, {"syn-sent", S::syn_sent},
      {"syn-recv", S::syn_recv},       {"fin-wait-1", S::fin_wait1},
      {"fin-wait-2", S::fin_wait2},    {"time-wait", S::time_wait},
      {"closed", S::unconnected},      {"unconnected", S::unconnected},
      {"close-wait", S::close_wait},   {"last-ack", S::last_ack},
      {"listening", S::listen},        {"listen", S::listen},
      {"closing", S::closing},
  };
  for (const auto& [name, state] : names)
    if (word == name) return state_bit(state);
  if (word == "all") return all_states;
  if (word == "connected") return connected_states;
  // ss: every connected state but SYN-SENT.
  if (word == "synchronized") return connected_states & ~state_bit(S::syn_sent);
  return std::nullopt;
}

std::vector<SocketInfo> socket_table(const Query& query, std::error_code& ec) {
  std::string failed;
  try {
    return collect(query, ec, failed);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  return {};
}

std::vector<SocketInfo> socket_table(const Query& query) {
  std::error_code ec;
  std::string failed;
  auto rows = collect(query, ec, failed);
  if (ec) throw_error(ec, "sock_diag " + failed);
  return rows;
}

std::string format_endpoint(const SocketInfo& s, bool local, std::string_view service) {
  const std::string& host = local ? s.local_host : s.peer_host;
  std::uint64_t port = local ? s.local_port : s.peer_port;
  if (s.family == af_unix) return host + " " + std::to_string(port);
  std::string text = s.family == af_inet6 && host != "*" ? "[" + host + "]" : host;
  if (port == 0) return text + ":*";
  return text + ":" + (service.empty() ? std::to_string(port) : std::string(service));
}

}  // namespace soket::diag
