// SPDX-License-Identifier: MIT
// One captured packet described in one line, as `tcpdump -n -S` prints it: Ethernet, Linux
// cooked and raw IP frames carrying IPv4/IPv6 with TCP, UDP, ICMP/ICMPv6, and ARP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace soket::diag {

/// The link layer a frame starts with: pcap's LINKTYPE_* numbers, as written in pcap files.
enum class LinkType : std::uint32_t {
  ethernet = 1,    ///< LINKTYPE_ETHERNET (Linux loopback too: a zeroed Ethernet header)
  raw = 101,       ///< LINKTYPE_RAW: an IPv4 or IPv6 header first
  linux_sll = 113  ///< LINKTYPE_LINUX_SLL: Linux "cooked" 16-byte header (captures on "any")
};

/// pcap's name for a link type, as tcpdump's "link-type EN10MB (Ethernet)" says it.
std::string link_type_name(LinkType link);

/// Describes `frame` (the captured bytes; `wire_length` the length on the wire, which may be
/// more) the way `tcpdump -n -S` does after its timestamp:
///   IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 65495, options [mss 65495], length 0
///   IP6 ::1.5000 > ::1.6000: UDP, length 5
///   ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28
/// Never throws on malformed input: a header cut short ends the line with "[|proto]".
/// Differences from tcpdump: sequence numbers are absolute (-S), and application protocols
/// (DNS, HTTP, ...) are not decoded.
std::string describe_packet(std::span<const std::uint8_t> frame, LinkType link,
                            std::size_t wire_length);

/// tcpdump's timestamp: "HH:MM:SS.uuuuuu" in local time.
std::string format_timestamp(std::int64_t seconds, std::uint32_t microseconds);

}  // namespace soket::diag
