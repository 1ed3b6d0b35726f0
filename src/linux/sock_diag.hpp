// SPDX-License-Identifier: MIT
// The kernel's socket tables over NETLINK_SOCK_DIAG (sock_diag(7)): one dump request per
// family and protocol, answered as raw records. Internal: never installed.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace soket::sys {

/// One inet_diag_msg: a TCP, UDP or raw socket. Addresses in network byte order (4 or 16 bytes
/// used), ports in host order (a raw socket's "port" is its protocol number).
struct InetRecord {
  int family = 0;    ///< AF_INET or AF_INET6
  int protocol = 0;  ///< IPPROTO_TCP, IPPROTO_UDP or IPPROTO_RAW (the dump asked for)
  int state = 0;     ///< TCP_* numbering (7 = closed/unconnected, 10 = listening)
  std::uint32_t recv_q = 0, send_q = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
  std::uint32_t ifindex = 0;  ///< bound device (0 = none)
  std::array<std::uint8_t, 16> src{}, dst{};
  std::uint16_t sport = 0, dport = 0;
  bool v6only = false;  ///< IPv6 socket refusing IPv4 (IPV6_V6ONLY); unknown from /proc: false
};

/// One unix_diag_msg.
struct UnixRecord {
  int type = 0;   ///< SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
  int state = 0;  ///< TCP_* numbering as above
  std::uint64_t inode = 0, peer_inode = 0;
  std::uint32_t recv_q = 0, send_q = 0;
  std::string name;  ///< path, "\0abstract", or empty (unnamed)
};

/// Bits of the states to dump: 1 << TCP_* state number.
inline constexpr std::uint32_t all_states = 0xffffffffu;

/// Dumps every socket of `family` (AF_INET/AF_INET6) and `protocol` (IPPROTO_TCP/UDP/RAW) whose
/// state bit is set in `states`. Appends to `out`; false with `ec` when netlink fails (a kernel
/// without raw diag support answers ENOENT).
bool dump_inet(int family, int protocol, std::uint32_t states, std::vector<InetRecord>& out,
               std::error_code& ec);

/// The fallback where sock_diag cannot answer: reads /proc/net/raw-style `file` (raw sockets on a
/// kernel built without CONFIG_INET_RAW_DIAG).
bool read_proc_inet(const char* file, int family, int protocol, std::uint32_t states,
                    std::vector<InetRecord>& out, std::error_code& ec);

/// Dumps every Unix socket whose state bit is set in `states`.
bool dump_unix(std::uint32_t states, std::vector<UnixRecord>& out, std::error_code& ec);

/// The processes holding socket `inode`, found in /proc/PID/fd (sock_diag cannot say).
struct SocketOwner {
  std::uint64_t inode = 0;
  int pid = 0;
  int fd = 0;
  std::string command;  ///< /proc/PID/comm
};
/// Every socket descriptor of every process this user may inspect; unreadable ones are
/// skipped (a process that exits or hides its fds is not an error).
std::vector<SocketOwner> socket_owners();

}  // namespace soket::sys
