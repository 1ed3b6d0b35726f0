// SPDX-License-Identifier: MIT
// AF_PACKET address encoding (struct sockaddr_ll).
#include "linux/packet.hpp"

#include <arpa/inet.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include <algorithm>
#include <cstring>

namespace soket::sys {

const std::size_t packet_sockaddr_size = sizeof(sockaddr_ll);

std::size_t encode_packet(const PacketFields& fields, void* out) noexcept {
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(fields.protocol);
  ll.sll_ifindex = fields.ifindex;
  ll.sll_hatype = static_cast<unsigned short>(fields.hatype);
  ll.sll_pkttype = static_cast<unsigned char>(fields.pkttype);
  ll.sll_halen =
      static_cast<unsigned char>(std::min<std::size_t>(fields.halen, sizeof ll.sll_addr));
  std::memcpy(ll.sll_addr, fields.hwaddr.data(), ll.sll_halen);
  std::memcpy(out, &ll, sizeof ll);
  return sizeof ll;
}

bool decode_packet(const void* sa, std::size_t len, PacketFields& out) noexcept {
  sockaddr_ll ll{};
  if (len < offsetof(sockaddr_ll, sll_addr)) return false;
  std::memcpy(&ll, sa, std::min(len, sizeof ll));
  if (ll.sll_family != AF_PACKET) return false;
  out.ifindex = ll.sll_ifindex;
  out.protocol = ntohs(ll.sll_protocol);
  out.pkttype = ll.sll_pkttype;
  out.hatype = ll.sll_hatype;
  // The kernel's halen is capped at the 8 bytes sockaddr_ll (and what we copied) can hold.
  std::size_t avail =
      len > offsetof(sockaddr_ll, sll_addr) ? len - offsetof(sockaddr_ll, sll_addr) : 0;
  out.halen = std::min({static_cast<std::size_t>(ll.sll_halen), sizeof ll.sll_addr, avail});
  std::memcpy(out.hwaddr.data(), ll.sll_addr, out.halen);
  return true;
}

}  // namespace soket::sys
