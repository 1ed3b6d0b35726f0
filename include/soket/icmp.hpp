// SPDX-License-Identifier: MIT
// ICMP echo (what ping sends): the request and reply messages, and EchoSocket, which opens
// the unprivileged datagram ICMP socket where net.ipv4.ping_group_range allows it and a raw
// one otherwise.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/socket.hpp>

namespace soket::icmp {

/// Message types (RFC 792, RFC 4443).
inline constexpr std::uint8_t echo_reply_v4 = 0, echo_request_v4 = 8;
inline constexpr std::uint8_t echo_request_v6 = 128, echo_reply_v6 = 129;
/// The ICMP header ahead of an echo's payload.
inline constexpr std::size_t header_size = 8;

/// The Internet checksum (RFC 1071) over `data`: ones' complement of the ones' complement sum.
std::uint16_t checksum(std::span<const std::byte> data) noexcept;

/// An echo request for `family` (ICMPv4 or ICMPv6) carrying `payload`. The ICMPv4 checksum is
/// filled in; ICMPv6's covers a pseudo-header, so the kernel fills it.
std::vector<std::byte> echo_request(Family family, std::uint16_t id, std::uint16_t sequence,
                                    std::span<const std::byte> payload);

/// An echo reply as read off the wire. `payload` points into the parsed buffer.
struct Echo {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  std::size_t size = 0;  ///< the ICMP message's bytes, header included (ping's "64 bytes")
  int ttl = -1;          ///< from the IPv4 header when there is one; -1 otherwise
  std::span<const std::byte> payload;
};

/// Parses what an ICMP socket delivered: an echo reply of `family`, preceded by its IPv4
/// header when `with_ip_header` (a raw IPv4 socket). std::nullopt for anything else: another
/// ICMP type (our own requests, seen on loopback by a raw socket), a truncated message, a bad
/// IPv4 header, or a wrong ICMPv4 checksum. Never reads outside `packet`.
std::optional<Echo> parse_echo_reply(Family family, std::span<const std::byte> packet,
                                     bool with_ip_header) noexcept;

/// Which ICMP socket an EchoSocket got.
enum class Kind {
  dgram,  ///< SOCK_DGRAM + IPPROTO_ICMP: no privilege, if a group of ours is in ping_group_range
  raw,    ///< SOCK_RAW: needs CAP_NET_RAW
};

/// A reply received by EchoSocket::receive().
struct Reply {
  Address from;
  std::uint16_t sequence = 0;
  std::size_t size = 0;  ///< ICMP bytes, header included
  int ttl = -1;          ///< TTL / hop limit of the reply; -1 if the kernel did not say
  std::vector<std::byte> payload;
};

/// An ICMP echo socket for one family: sends requests with its own identifier and receives
/// only the replies to them (the kernel filters a datagram socket's; a raw socket's are
/// filtered here by identifier). Owns its socket; one thread at a time.
class EchoSocket {
 public:
  /// Opens a datagram ICMP socket, else a raw one. When neither is allowed, throws
  /// PermissionError saying what is needed: "ICMP echo needs one of your groups in
  /// net.ipv4.ping_group_range (now 1 0) or CAP_NET_RAW". `only` forces one kind.
  explicit EchoSocket(Family family, std::optional<Kind> only = std::nullopt);

  Family family() const noexcept { return family_; }
  Kind kind() const noexcept { return kind_; }
  int fileno() const noexcept { return sock_.fileno(); }

  /// TTL (IPv4) or hop limit (IPv6) of the requests sent, 1-255.
  void set_ttl(int ttl);

  /// Sends one echo request to `to` (an IP address of this socket's family).
  void send(const Address& to, std::uint16_t sequence, std::span<const std::byte> payload);

  /// Waits up to `timeout` for a reply to one of this socket's requests; std::nullopt when
  /// none came. Other ICMP traffic a raw socket sees is skipped. EINTR ends the wait early
  /// with std::nullopt, so a caller can look at a signal.
  std::optional<Reply> receive(std::chrono::nanoseconds timeout);

 private:
  Socket sock_;
  Family family_;
  Kind kind_ = Kind::dgram;
  std::uint16_t id_ = 0;
  std::vector<std::byte> buffer_ = std::vector<std::byte>(65536 + 60);  // ICMP max + IPv4 header
};

}  // namespace soket::icmp
