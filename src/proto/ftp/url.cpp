// SPDX-License-Identifier: MIT
#include <soket/proto/ftp/url.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace soket::proto::ftp {
namespace {

[[noreturn]] void bad(std::string_view text, std::string_view why) {
  throw std::invalid_argument("bad ftp URL '" + std::string(text) + "': " + std::string(why));
}

int hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view url, std::string_view part) {
  std::string out;
  for (std::size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (c == '%') {
      if (i + 2 >= part.size()) bad(url, "truncated %XX");
      int hi = hex(part[i + 1]), lo = hex(part[i + 2]);
      if (hi < 0 || lo < 0) bad(url, "bad %XX");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\r' || c == '\n' || c == '\0') bad(url, "CR, LF or NUL in it");
    out += c;
  }
  return out;
}

}  // namespace

Url parse_url(std::string_view text) {
  constexpr std::string_view scheme = "ftp://";
  if (text.size() < scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), text.begin(),
                  [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b + 32 : b); }))
    bad(text, "not ftp://");
  std::string_view rest = text.substr(scheme.size());
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Url url;
  if (slash != std::string_view::npos) url.path = decode(text, rest.substr(slash + 1));
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    url.user = decode(text, userinfo.substr(0, colon));
    if (colon != std::string_view::npos) url.password = decode(text, userinfo.substr(colon + 1));
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) bad(text, "no ']' after an IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') bad(text, "junk after ']'");
    if (!after.empty()) port = after.substr(1);
    if (after == ":") bad(text, "empty port");
  } else {
    std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) bad(text, "empty port");
    }
  }
  if (url.host.empty()) bad(text, "no host");
  if (url.host.find_first_of("\r\n% /") != std::string::npos) bad(text, "bad host");
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      bad(text, "port must be 1-65535");
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace soket::proto::ftp
