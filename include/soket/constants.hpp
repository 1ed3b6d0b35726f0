// SPDX-License-Identifier: MIT
// Address families, socket types and shutdown modes (Python: socket.AF_*, SOCK_*, SHUT_*).
#pragma once

#include <string_view>

// `unix` is a predefined macro in GNU dialects (-std=gnu++20, CMake's default). Hide it while
// the enum is declared so the header compiles everywhere; code built with GNU extensions can
// spell the enumerator Family::local (POSIX's AF_LOCAL) instead.
#pragma push_macro("unix")
#undef unix

namespace soket {

/// Python: socket.AddressFamily. Values equal the kernel's AF_* (checked in src/linux/).
enum class Family : int {
  unspec = 0,   ///< AF_UNSPEC: "any", for getaddrinfo
  unix = 1,     ///< AF_UNIX: paths and Linux abstract names
  local = 1,    ///< AF_LOCAL: the same family, usable where `unix` is a macro
  inet = 2,     ///< AF_INET: IPv4
  inet6 = 10,   ///< AF_INET6: IPv6
  packet = 17,  ///< AF_PACKET: link-level packets (needs CAP_NET_RAW)
};

/// Python: socket.SocketKind. Values equal the kernel's SOCK_*.
enum class Type : int {
  stream = 1,     ///< SOCK_STREAM
  dgram = 2,      ///< SOCK_DGRAM
  raw = 3,        ///< SOCK_RAW
  rdm = 4,        ///< SOCK_RDM
  seqpacket = 5,  ///< SOCK_SEQPACKET
};

/// Python: socket.SHUT_RD / SHUT_WR / SHUT_RDWR.
enum class Shut : int { rd = 0, wr = 1, rdwr = 2 };

/// Python: socket.MSG_* flags for send/recv calls, combined with |.
namespace msg {
inline constexpr int oob = 0x1;        ///< MSG_OOB
inline constexpr int peek = 0x2;       ///< MSG_PEEK: look without consuming
inline constexpr int dontroute = 0x4;  ///< MSG_DONTROUTE
inline constexpr int trunc = 0x20;     ///< MSG_TRUNC: report a datagram's real length
inline constexpr int dontwait = 0x40;  ///< MSG_DONTWAIT: this call only, non-blocking
inline constexpr int eor = 0x80;       ///< MSG_EOR
inline constexpr int waitall = 0x100;  ///< MSG_WAITALL: wait for the full amount
inline constexpr int more = 0x8000;    ///< MSG_MORE: more data follows (cork)
}  // namespace msg

/// Python's constant names, as detailsocket.py prints them: "AF_INET", "SOCK_STREAM".
std::string_view to_string(Family family) noexcept;
std::string_view to_string(Type type) noexcept;

/// Short lowercase names used in messages and on command lines: "inet", "stream".
std::string_view short_name(Family family) noexcept;
std::string_view short_name(Type type) noexcept;

}  // namespace soket

#pragma pop_macro("unix")
