// SPDX-License-Identifier: MIT
#include <soket/port.hpp>

#include <algorithm>
#include <charconv>
#include <string>

#include <soket/error.hpp>
#include <soket/resolver.hpp>

#include "linux/sysctl.hpp"

namespace soket {
namespace {

constexpr int cap_net_bind_service = 10;

std::vector<long long> read_sysctl(std::string_view name, std::size_t count) {
  auto values = sys::sysctl_numbers(name);
  if (!values || values->size() != count)
    throw_error(std::make_error_code(std::errc::no_such_file_or_directory),
                "read sysctl " + std::string(name));
  return *values;
}

std::uint16_t clamp_port(long long v) {
  return static_cast<std::uint16_t>(std::clamp(v, 0LL, 65535LL));
}

// A decimal port 1-65535, nothing else (no sign, no spaces, no "0x").
bool number(std::string_view s, std::uint16_t& port) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (err != std::errc{} || end != s.data() + s.size() || v == 0 || v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

// What /etc/services names are made of; anything else (a NUL, a space) is never looked up, so
// "ssh\0junk" cannot pass as "ssh".
bool service_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+' || c == '/';
  });
}

// "80", "8000-8100", "-100", "8000-", "-": a number or a range of numbers.
bool range(std::string_view item, std::uint16_t& lo, std::uint16_t& hi) {
  auto dash = item.find('-');
  if (dash == std::string_view::npos) {
    if (!number(item, lo)) return false;
    hi = lo;
    return true;
  }
  std::string_view a = item.substr(0, dash), b = item.substr(dash + 1);
  lo = 1;
  hi = 65535;
  return (a.empty() || number(a, lo)) && (b.empty() || number(b, hi)) && lo <= hi;
}

}  // namespace

PortCategory port_category(std::uint16_t port) noexcept {
  if (port < 1024) return PortCategory::well_known;
  if (port < 49152) return PortCategory::registered;
  return PortCategory::dynamic;
}

std::string_view to_string(PortCategory category) noexcept {
  switch (category) {
    case PortCategory::well_known: return "well-known";
    case PortCategory::registered: return "registered";
    case PortCategory::dynamic: return "dynamic";
  }
  return "unknown";
}

PortRange ephemeral_port_range() {
  auto v = read_sysctl("net.ipv4.ip_local_port_range", 2);
  return {clamp_port(v[0]), clamp_port(v[1])};
}

std::uint16_t unprivileged_port_start() {
  return clamp_port(read_sysctl("net.ipv4.ip_unprivileged_port_start", 1)[0]);
}

bool can_bind_privileged_ports() {
  return sys::has_capability(cap_net_bind_service);
}

std::vector<std::uint16_t> parse_ports(std::string_view list, std::string_view proto,
                                       std::string& bad, std::error_code& ec) {
  ec.clear();
  bad.clear();
  std::vector<std::uint16_t> ports;
  auto fail = [&](std::string_view item) {
    bad = std::string(item.substr(0, 64));
    ec = std::make_error_code(std::errc::invalid_argument);
    return std::vector<std::uint16_t>{};
  };
  if (list.size() > max_port_list_length) return fail(list);
  if (list.empty()) return fail(list);
  std::vector<bool> seen(65536, false);
  while (true) {
    auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (item.empty()) return fail(item);
    std::uint16_t lo = 0, hi = 0;
    if (!range(item, lo, hi)) {
      // A service name ("ssh", "http-alt": names may hold '-' too).
      std::error_code sec;
      lo = service_name(item) ? getservbyname(item, proto, sec) : 0;
      if (sec || lo == 0) return fail(item);
      hi = lo;
    }
    for (unsigned p = lo; p <= hi; ++p) seen[p] = true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  for (unsigned p = 1; p < seen.size(); ++p)
    if (seen[p]) ports.push_back(static_cast<std::uint16_t>(p));
  return ports;
}

}  // namespace soket
