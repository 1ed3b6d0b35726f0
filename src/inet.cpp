// SPDX-License-Identifier: MIT
// inet_aton/ntoa/pton/ntop with Python's error messages.
#include <soket/inet.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <soket/error.hpp>

#include "error_code_of.hpp"
#include "lookup_error.hpp"

namespace soket {
namespace {

using detail::LookupError;

std::size_t packed_size(Family family) {
  if (family == Family::inet) return sizeof(in_addr);
  if (family == Family::inet6) return sizeof(in6_addr);
  return 0;
}

[[noreturn]] void unsupported_family(std::string_view op) {
  throw_error(std::make_error_code(std::errc::address_family_not_supported), op);
}

}  // namespace

std::string inet_aton(std::string_view ip) {
  std::string text(ip);
  in_addr addr{};
  // inet_aton(3) reads up to a NUL; a string with an embedded NUL is illegal, as in Python.
  if (text.find('\0') != std::string::npos || ::inet_aton(text.c_str(), &addr) == 0)
    throw_error(detail::make_error(LookupError::illegal_aton), "inet_aton " + text);
  return std::string(reinterpret_cast<const char*>(&addr), sizeof addr);
}

std::string inet_ntoa(std::string_view packed) {
  if (packed.size() != sizeof(in_addr))
    throw_error(detail::make_error(LookupError::ntoa_length), "inet_ntoa");
  return inet_ntop(Family::inet, packed);
}

std::string inet_pton(Family family, std::string_view ip) {
  std::size_t size = packed_size(family);
  if (size == 0) unsupported_family("inet_pton");
  std::string text(ip);
  std::string out(size, '\0');
  if (text.find('\0') != std::string::npos ||
      ::inet_pton(static_cast<int>(family), text.c_str(), out.data()) != 1)
    throw_error(detail::make_error(LookupError::illegal_pton), "inet_pton " + text);
  return out;
}

std::string inet_ntop(Family family, std::string_view packed) {
  std::size_t size = packed_size(family);
  if (size == 0) unsupported_family("inet_ntop");
  if (packed.size() != size)
    throw std::invalid_argument("invalid length of packed IP address string");
  char buf[INET6_ADDRSTRLEN] = {};
  if (!::inet_ntop(static_cast<int>(family), packed.data(), buf, sizeof buf))
    throw_error(std::error_code(errno, std::system_category()), "inet_ntop");
  return buf;
}

std::string inet_aton(std::string_view ip, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return inet_aton(ip); });
}

std::string inet_ntoa(std::string_view packed, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return inet_ntoa(packed); });
}

std::string inet_pton(Family family, std::string_view ip, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return inet_pton(family, ip); });
}

std::string inet_ntop(Family family, std::string_view packed, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return inet_ntop(family, packed); });
}

}  // namespace soket
