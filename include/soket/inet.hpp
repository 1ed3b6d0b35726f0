// SPDX-License-Identifier: MIT
// Address text <-> packed bytes and byte order: Python's inet_aton/ntoa/pton/ntop and
// htons/ntohs/htonl/ntohl.
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <soket/constants.hpp>
#include <soket/error.hpp>

namespace soket {

/// Python: inet_aton(ip_string) -> 4 packed bytes. Accepts inet_aton(3)'s forms ("127.1").
/// Throws Error "inet_aton 1.2.3.4.5: illegal IP address string passed to inet_aton".
std::string inet_aton(std::string_view ip);
std::string inet_aton(std::string_view ip, std::error_code& ec) noexcept;
/// Python: inet_ntoa(packed_ip) -> "a.b.c.d". Throws Error
/// "inet_ntoa: packed IP wrong length for inet_ntoa" unless packed has 4 bytes.
std::string inet_ntoa(std::string_view packed);
std::string inet_ntoa(std::string_view packed, std::error_code& ec) noexcept;
/// Python: inet_pton(family, ip_string) -> packed bytes (4 for inet, 16 for inet6).
/// Throws Error "...: illegal IP address string passed to inet_pton", or Error EAFNOSUPPORT for
/// another family.
std::string inet_pton(Family family, std::string_view ip);
std::string inet_pton(Family family, std::string_view ip, std::error_code& ec) noexcept;
/// Python: inet_ntop(family, packed_ip) -> text. Throws std::invalid_argument (Python's
/// ValueError) "invalid length of packed IP address string" for a wrong length.
std::string inet_ntop(Family family, std::string_view packed);
std::string inet_ntop(Family family, std::string_view packed, std::error_code& ec) noexcept;

/// Python: htons/ntohs/htonl/ntohl (host <-> network byte order). They take any integer and
/// throw OverflowError for one that does not fit in 16 (32) bits, as Python does, instead of
/// wrapping: htons(1 << 16) is an error, not 0. The names are in parentheses because glibc's
/// <netinet/in.h> defines them as function-like macros when optimising; in a file that includes
/// it, call (soket::htons)(x).
namespace detail {
constexpr std::uint16_t(byteswap16)(std::uint16_t x) noexcept {
  if constexpr (std::endian::native == std::endian::big) return x;
  return static_cast<std::uint16_t>((x >> 8) | (x << 8));
}
constexpr std::uint32_t(byteswap32)(std::uint32_t x) noexcept {
  if constexpr (std::endian::native == std::endian::big) return x;
  return (x >> 24) | ((x >> 8) & 0x0000ff00u) | ((x << 8) & 0x00ff0000u) | (x << 24);
}
}  // namespace detail
template <std::integral T>
constexpr std::uint16_t(htons)(T x) {
  return (detail::byteswap16)(checked_narrow<std::uint16_t>(x, "htons: value"));
}
template <std::integral T>
constexpr std::uint16_t(ntohs)(T x) {
  return (detail::byteswap16)(checked_narrow<std::uint16_t>(x, "ntohs: value"));
}
template <std::integral T>
constexpr std::uint32_t(htonl)(T x) {
  return (detail::byteswap32)(checked_narrow<std::uint32_t>(x, "htonl: value"));
}
template <std::integral T>
constexpr std::uint32_t(ntohl)(T x) {
  return (detail::byteswap32)(checked_narrow<std::uint32_t>(x, "ntohl: value"));
}

}  // namespace soket
