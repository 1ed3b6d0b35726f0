// SPDX-License-Identifier: MIT
// Hand-built frames for the packet decoder, filter and pcap tests: Ethernet + IPv4/IPv6 +
// TCP/UDP/ICMP, and ARP. Checksums are left zero (nothing here verifies them).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace soket::test {

using Frame = std::vector<std::uint8_t>;

inline void put16(Frame& f, std::uint16_t v) {
  f.push_back(static_cast<std::uint8_t>(v >> 8));
  f.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Frame& f, std::uint32_t v) {
  put16(f, static_cast<std::uint16_t>(v >> 16));
  put16(f, static_cast<std::uint16_t>(v));
}
inline void put(Frame& f, std::initializer_list<int> bytes) {
  for (int b : bytes) f.push_back(static_cast<std::uint8_t>(b));
}

inline Frame ethernet(std::uint16_t type) {
  Frame f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  put16(f, type);
  return f;
}

/// Ethernet + IPv4 (127.0.0.1 → 127.0.0.2 unless given) + `l4`.
inline Frame ipv4(int proto, const Frame& l4, std::initializer_list<int> src = {127, 0, 0, 1},
                  std::initializer_list<int> dst = {127, 0, 0, 2}) {
  Frame f = ethernet(0x0800);
  put(f, {0x45, 0});
  put16(f, static_cast<std::uint16_t>(20 + l4.size()));
  put(f, {0, 1, 0x40, 0, 64, proto, 0, 0});
  put(f, src);
  put(f, dst);
  f.insert(f.end(), l4.begin(), l4.end());
  return f;
}

/// Ethernet + IPv6 (::1 → ::2) + `l4`.
inline Frame ipv6(int next, const Frame& l4) {
  Frame f = ethernet(0x86dd);
  put(f, {0x60, 0, 0, 0});
  put16(f, static_cast<std::uint16_t>(l4.size()));
  put(f, {next, 64});
  for (int i = 0; i < 15; ++i) f.push_back(0);
  f.push_back(1);
  for (int i = 0; i < 15; ++i) f.push_back(0);
  f.push_back(2);
  f.insert(f.end(), l4.begin(), l4.end());
  return f;
}

inline Frame tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                 std::uint8_t flags, const Frame& options = {}, const std::string& payload = "") {
  Frame f;
  put16(f, sport);
  put16(f, dport);
  put32(f, seq);
  put32(f, ack);
  f.push_back(static_cast<std::uint8_t>((20 + options.size()) / 4 << 4));
  f.push_back(flags);
  put16(f, 65495);
  put(f, {0, 0, 0, 0});
  f.insert(f.end(), options.begin(), options.end());
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

inline Frame udp(std::uint16_t sport, std::uint16_t dport, const std::string& payload) {
  Frame f;
  put16(f, sport);
  put16(f, dport);
  put16(f, static_cast<std::uint16_t>(8 + payload.size()));
  put16(f, 0);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

inline Frame icmp_echo(int type, std::uint16_t id, std::uint16_t seq, std::size_t data) {
  Frame f;
  put(f, {type, 0, 0, 0});
  put16(f, id);
  put16(f, seq);
  f.resize(f.size() + data, 0xab);
  return f;
}

/// ARP over Ethernet: op 1 (request) or 2 (reply), 10.0.0.1 (02:00:00:00:00:01) ↔ 10.0.0.2.
inline Frame arp(int op) {
  Frame f = ethernet(0x0806);
  put(f, {0, 1, 8, 0, 6, 4, 0, op});
  put(f, {2, 0, 0, 0, 0, 1, 10, 0, 0, 1});
  put(f, {0, 0, 0, 0, 0, 0, 10, 0, 0, 2});
  return f;
}

}  // namespace soket::test
