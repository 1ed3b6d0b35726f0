// SPDX-License-Identifier: MIT
// What a port number means on this machine: its IANA category (the documents' well-known,
// registered and dynamic ranges), the kernel's ephemeral range, whether binding it needs
// privilege, and port lists as people type them ("22,80,8000-8100,https").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace soket {

/// The IANA ranges (RFC 6335): 0-1023, 1024-49151, 49152-65535.
enum class PortCategory { well_known, registered, dynamic };

PortCategory port_category(std::uint16_t port) noexcept;
/// "well-known", "registered" or "dynamic".
std::string_view to_string(PortCategory category) noexcept;

/// An inclusive range of ports.
struct PortRange {
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  bool contains(std::uint16_t port) const noexcept { return low <= port && port <= high; }
};

/// The range the kernel picks ephemeral (client) ports from: net.ipv4.ip_local_port_range.
/// Throws soket::Error if it cannot be read.
PortRange ephemeral_port_range();

/// The lowest port an unprivileged process may bind: net.ipv4.ip_unprivileged_port_start
/// (1024 unless changed). Throws soket::Error if it cannot be read.
std::uint16_t unprivileged_port_start();

/// True if this process may bind ports below unprivileged_port_start() (CAP_NET_BIND_SERVICE).
bool can_bind_privileged_ports();

/// Parses a port list: comma-separated items, each a port ("80"), a range ("8000-8100", "-"
/// alone or with a missing end meaning 1 or 65535, as nmap's "-p-") or a service name
/// resolved for `proto` through the services database ("ssh"). The result is sorted and has
/// no duplicates. Port 0, a reversed range, a number past 65535, an unknown service, an empty
/// item or a list longer than `max_length` characters sets ec to std::errc::invalid_argument
/// and `bad` to the offending item. Never throws but for std::bad_alloc.
std::vector<std::uint16_t> parse_ports(std::string_view list, std::string_view proto,
                                       std::string& bad, std::error_code& ec);

/// The longest port list parse_ports() reads.
inline constexpr std::size_t max_port_list_length = 4096;

}  // namespace soket
