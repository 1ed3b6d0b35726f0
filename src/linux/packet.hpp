// SPDX-License-Identifier: MIT
// AF_PACKET addresses (struct sockaddr_ll) encoded and decoded for Address, so that only
// src/linux/ includes <netpacket/packet.h>. Internal: never installed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace soket::sys {

/// The fields of a sockaddr_ll in host byte order; hwaddr holds halen bytes.
struct PacketFields {
  int ifindex = 0;
  std::uint16_t protocol = 0;  ///< ethertype, e.g. 0x0800 (IPv4)
  int pkttype = 0;             ///< PACKET_HOST, PACKET_OUTGOING, ...
  int hatype = 0;              ///< ARPHRD_*, e.g. 772 (loopback)
  std::array<std::uint8_t, 8> hwaddr{};
  std::size_t halen = 0;  ///< at most 8
};

/// Writes a sockaddr_ll into `out` (at least packet_sockaddr_size bytes); returns its length.
std::size_t encode_packet(const PacketFields& fields, void* out) noexcept;
/// Reads a sockaddr_ll of `len` bytes; false if it is too short to be one.
bool decode_packet(const void* sa, std::size_t len, PacketFields& out) noexcept;
/// sizeof(sockaddr_ll).
extern const std::size_t packet_sockaddr_size;

}  // namespace soket::sys
