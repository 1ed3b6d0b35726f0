// SPDX-License-Identifier: MIT
#include <soket/icmp.hpp>

#include <cerrno>
#include <random>
#include <string>

#include <soket/error.hpp>

#include "deadline.hpp"
#include "linux/icmp.hpp"
#include "linux/poll.hpp"
#include "linux/sysctl.hpp"

namespace soket::icmp {
namespace {

std::uint16_t load16(std::span<const std::byte> p, std::size_t at) noexcept {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[at]) << 8) |
                                    std::to_integer<unsigned>(p[at + 1]));
}

void store16(std::span<std::byte> p, std::size_t at, std::uint16_t v) noexcept {
  p[at] = static_cast<std::byte>(v >> 8);
  p[at + 1] = static_cast<std::byte>(v & 0xff);
}

int native(Family family) {
  return family == Family::inet6 ? static_cast<int>(Family::inet6) : static_cast<int>(Family::inet);
}

std::string range_text() {
  auto range = sys::sysctl_numbers("net.ipv4.ping_group_range");
  if (!range || range->size() != 2) return "unreadable";
  return std::to_string((*range)[0]) + " " + std::to_string((*range)[1]);
}

}  // namespace

std::uint16_t checksum(std::span<const std::byte> data) noexcept {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += load16(data, i);
  if (i < data.size()) sum += std::to_integer<std::uint32_t>(data[i]) << 8;  // odd byte: pad 0
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::vector<std::byte> echo_request(Family family, std::uint16_t id, std::uint16_t sequence,
                                    std::span<const std::byte> payload) {
  std::vector<std::byte> m(header_size + payload.size());
  m[0] = static_cast<std::byte>(family == Family::inet6 ? echo_request_v6 : echo_request_v4);
  store16(m, 4, id);
  store16(m, 6, sequence);
  std::copy(payload.begin(), payload.end(), m.begin() + header_size);
  if (family != Family::inet6) store16(m, 2, checksum(m));
  return m;
}

std::optional<Echo> parse_echo_reply(Family family, std::span<const std::byte> packet,
                                     bool with_ip_header) noexcept {
  Echo echo;
  if (with_ip_header) {
    // IPv4 header: version 4, IHL words of 4 bytes (at least 5), TTL at byte 8, protocol 1.
    if (packet.size() < 20) return std::nullopt;
    unsigned first = std::to_integer<unsigned>(packet[0]);
    std::size_t ihl = (first & 0x0f) * 4u;
    if ((first >> 4) != 4 || ihl < 20 || packet.size() < ihl) return std::nullopt;
    if (std::to_integer<unsigned>(packet[9]) != 1) return std::nullopt;
    echo.ttl = std::to_integer<int>(packet[8]);
    packet = packet.subspan(ihl);
  }
  if (packet.size() < header_size) return std::nullopt;
  std::uint8_t want = family == Family::inet6 ? echo_reply_v6 : echo_reply_v4;
  if (std::to_integer<std::uint8_t>(packet[0]) != want || packet[1] != std::byte{0})
    return std::nullopt;
  // ICMPv6's checksum covers a pseudo-header and the kernel checks it; ICMPv4's is ours to check.
  if (family != Family::inet6 && checksum(packet) != 0) return std::nullopt;
  echo.id = load16(packet, 4);
  echo.sequence = load16(packet, 6);
  echo.size = packet.size();
  echo.payload = packet.subspan(header_size);
  return echo;
}

EchoSocket::EchoSocket(Family family, std::optional<Kind> only) : family_(family) {
  if (family != Family::inet && family != Family::inet6)
    throw_error(std::make_error_code(std::errc::address_family_not_supported), "ICMP echo socket");
  std::error_code ec;
  int fd = -1;
  if (only != Kind::raw) {
    fd = sys::icmp_socket(native(family), false, ec);
    kind_ = Kind::dgram;
  }
  if (fd < 0 && only != Kind::dgram) {
    fd = sys::icmp_socket(native(family), true, ec);
    kind_ = Kind::raw;
  }
  if (fd < 0) {
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
      throw_error(ec,
                  "ICMP echo socket (needs one of your groups in net.ipv4.ping_group_range, "
                  "now " +
                      range_text() + ", or CAP_NET_RAW)");
    throw_error(ec, "ICMP echo socket");
  }
  sock_ = Socket::adopt(fd);
  if (kind_ == Kind::raw) {
    // The kernel names a datagram socket's echoes; a raw socket's replies are told apart by
    // an identifier of our own, random so that two pings at once do not take each other's.
    std::random_device rd;
    id_ = static_cast<std::uint16_t>(rd() & 0xffff);
  }
}

void EchoSocket::set_ttl(int ttl) {
  std::error_code ec;
  if (ttl < 1 || ttl > 255) ec = std::make_error_code(std::errc::invalid_argument);
  if (!ec) sys::set_icmp_ttl(sock_.fileno(), native(family_), ttl, ec);
  if (ec) throw_error(ec, "set TTL " + std::to_string(ttl));
}

void EchoSocket::send(const Address& to, std::uint16_t sequence,
                      std::span<const std::byte> payload) {
  auto message = echo_request(family_, id_, sequence, payload);
  sock_.sendto(std::span<const std::byte>(message), to);
  if (kind_ == Kind::dgram && id_ == 0) id_ = sys::icmp_socket_id(sock_.fileno()).value_or(0);
}

std::optional<Reply> EchoSocket::receive(std::chrono::nanoseconds timeout) {
  auto deadline = detail::deadline_after(timeout);
  for (;;) {
    std::error_code ec;
    auto left = detail::time_left(deadline);
    if (!sys::wait(sock_.fileno(), sys::Want::read, left, ec)) {
      if (ec && ec != std::errc::interrupted) throw_error(ec, "poll ICMP socket");
      return std::nullopt;  // timeout, or a signal for the caller to look at
    }
    Address from;
    std::size_t from_len = Address::max_size;
    int ttl = -1;
    ssize_t n = sys::icmp_recv(sock_.fileno(), buffer_, from.data(), from_len, ttl, ec);
    if (n < 0) {
      if (ec == std::errc::resource_unavailable_try_again || ec == std::errc::interrupted) continue;
      throw_error(ec, "recvmsg ICMP socket");
    }
    from.resize(from_len);
    bool ip_header = kind_ == Kind::raw && family_ == Family::inet;
    auto echo = parse_echo_reply(
        family_, std::span<const std::byte>(buffer_.data(), static_cast<std::size_t>(n)),
        ip_header);
    if (!echo || (kind_ == Kind::raw && echo->id != id_)) {
      if (detail::time_left(deadline) <= std::chrono::nanoseconds::zero()) return std::nullopt;
      continue;
    }
    Reply r;
    r.from = from;
    r.sequence = echo->sequence;
    r.size = echo->size;
    r.ttl = echo->ttl >= 0 ? echo->ttl : ttl;
    r.payload.assign(echo->payload.begin(), echo->payload.end());
    return r;
  }
}

}  // namespace soket::icmp
