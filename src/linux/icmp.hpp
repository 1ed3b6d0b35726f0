// SPDX-License-Identifier: MIT
// ICMP echo sockets: the unprivileged datagram kind (net.ipv4.ping_group_range) and the raw
// kind (CAP_NET_RAW), and the TTL/hop limit they report.
// Internal: never installed.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// socket(AF_INET|AF_INET6, SOCK_DGRAM or SOCK_RAW, IPPROTO_ICMP|IPPROTO_ICMPV6), close-on-exec,
/// with the received TTL (IPv4) or hop limit (IPv6) asked for as ancillary data; a raw IPv6
/// socket also gets an ICMPv6 filter letting only echo replies through. Returns the fd or -1.
int icmp_socket(int family, bool raw, std::error_code& ec) noexcept;

/// Sets the unicast TTL (IPv4) or hop limit (IPv6) of outgoing packets.
bool set_icmp_ttl(int fd, int family, int ttl, std::error_code& ec) noexcept;

/// The identifier the kernel gave a datagram ICMP socket (its bound "port"), after a send.
std::optional<std::uint16_t> icmp_socket_id(int fd) noexcept;

/// recvmsg(2) on an ICMP socket: the packet into `buffer`, the sender into `from`/`from_len`,
/// and the TTL or hop limit from the ancillary data into `ttl` (-1 when absent). Returns the
/// packet's length or -1.
ssize_t icmp_recv(int fd, std::span<std::byte> buffer, void* from, std::size_t& from_len, int& ttl,
                  std::error_code& ec) noexcept;

}  // namespace soket::sys
