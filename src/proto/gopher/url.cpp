// SPDX-License-Identifier: MIT
#include <charconv>
#include <soket/proto/gopher/url.hpp>
#include <stdexcept>

namespace soket::proto::gopher {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("gopher URL: " + what);
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) bad("truncated %-escape");
    const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) bad("bad %-escape \"" + std::string(s.substr(i, 3)) + "\"");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f || c == '%' || c == '?' || c == '#') {
      out += '%';
      out += digits[b >> 4];
      out += digits[b & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Url parse_url(std::string_view text) {
  constexpr std::string_view scheme = "gopher://";
  if (text.size() < scheme.size() || std::string_view(text.substr(0, scheme.size())) != scheme)
    bad("not a gopher:// URL: \"" + std::string(text.substr(0, 40)) + "\"");
  text.remove_prefix(scheme.size());
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : text.substr(slash + 1);
  Url url;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad("unclosed [ in the host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') bad("junk after ]");
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) bad("no host");
  if (authority.find('@') != std::string_view::npos) bad("user information is not allowed");
  if (!port.empty() || authority.ends_with(":")) {
    unsigned p = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 ||
        p > 65535)
      bad("bad port \"" + std::string(port) + "\"");
    url.port = static_cast<std::uint16_t>(p);
  }
  if (path.empty()) return url;
  url.type = path[0];
  path.remove_prefix(1);
  // %09 (TAB) separates the selector from a search string; a literal TAB too.
  std::string decoded = percent_decode(path);
  const auto tab = decoded.find('\t');
  if (tab != std::string::npos) {
    url.query = decoded.substr(tab + 1);
    decoded.resize(tab);
    if (url.query->find_first_of("\r\n\t") != std::string::npos)
      bad("CR, LF or TAB in the search string");
  }
  if (decoded.find_first_of("\r\n") != std::string::npos) bad("CR or LF in the selector");
  url.selector = std::move(decoded);
  return url;
}

std::string Url::str() const {
  std::string out = "gopher://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != DEF_PORT) out += ":" + std::to_string(port);
  out += '/';
  out += type;
  out += percent_encode(selector);
  if (query) out += "%09" + percent_encode(*query);
  return out;
}

}  // namespace soket::proto::gopher
