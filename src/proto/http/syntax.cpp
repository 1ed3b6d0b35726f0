// SPDX-License-Identifier: MIT
#include "syntax.hpp"

#include <array>
#include <limits>

#include "chars.hpp"

namespace soket::proto::http::detail {
namespace {

constexpr std::string_view sub_delims = "!$&'()*+,;=";

bool unreserved(char c) noexcept {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return alpha || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool sub_delim(char c) noexcept {
  return sub_delims.find(c) != std::string_view::npos;
}

// `%` HEXDIG HEXDIG at s[i].
bool pct_encoded(std::string_view s, std::size_t i) noexcept {
  return i + 2 < s.size() && is(s[i + 1], hexdig) && is(s[i + 2], hexdig);
}

// path-abempty [ "?" query ] or absolute-path [ "?" query ]: the target table already
// excluded everything but RFC 3986's characters; brackets belong only in an authority, and a
// `%` must start a pct-encoded triplet.
bool valid_path_query(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '[' || c == ']') return false;
    if (c == '%' && !pct_encoded(s, i)) return false;
  }
  return true;
}

// Splits a comma list into OWS-trimmed elements; fn returns false to stop.
template <class Fn>
bool for_each_element(std::string_view v, Fn&& fn) {
  std::size_t i = 0;
  for (;;) {
    const std::size_t comma = v.find(',', i);
    std::string_view e = v.substr(i, comma == std::string_view::npos ? v.size() - i : comma - i);
    while (!e.empty() && is_ows(e.front())) e.remove_prefix(1);
    while (!e.empty() && is_ows(e.back())) e.remove_suffix(1);
    if (!fn(e)) return false;
    if (comma == std::string_view::npos) return true;
    i = comma + 1;
  }
}

}  // namespace

bool known_method(std::string_view m) noexcept {
  static constexpr std::array<std::string_view, 9> methods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (std::string_view k : methods)
    if (m == k) return true;
  return false;
}

bool valid_version(std::string_view v) noexcept {
  return v.size() == 8 && v.substr(0, 5) == "HTTP/" && is_digit(v[5]) && v[6] == '.' &&
         is_digit(v[7]);
}

bool valid_host(std::string_view h) noexcept {
  if (h.empty()) return true;
  std::size_t i = 0;
  if (h[0] == '[') {
    const std::size_t close = h.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    // IPv6address or IPvFuture: hex digits, colons and dots, or "v" HEXDIG "." followed by
    // unreserved / sub-delims / ":".
    for (i = 1; i < close; ++i)
      if (!unreserved(h[i]) && !sub_delim(h[i]) && h[i] != ':') return false;
    i = close + 1;
  } else {
    for (; i < h.size() && h[i] != ':'; ++i) {
      const char c = h[i];
      if (c == '%') {
        if (!pct_encoded(h, i)) return false;
        i += 2;
      } else if (!unreserved(c) && !sub_delim(c)) {
        return false;
      }
    }
    if (i == 0) return false;  // ":80": a port without a host
  }
  if (i == h.size()) return true;
  if (h[i] != ':') return false;
  std::uint32_t port = 0;
  for (++i; i < h.size(); ++i) {
    if (!is_digit(h[i])) return false;
    port = port * 10 + static_cast<std::uint32_t>(h[i] - '0');
    if (port > 65535) return false;
  }
  return true;
}

std::optional<Target> check_target(std::string_view method, std::string_view t) noexcept {
  if (t == "*") {
    if (method != "OPTIONS") return std::nullopt;
    return Target{TargetForm::asterisk};
  }
  if (method == "CONNECT") {
    // authority-form: host ":" port, the port required (RFC 9112 §3.2.3).
    const std::size_t colon = t.rfind(':');
    const std::size_t bracket = t.rfind(']');
    if (colon == std::string_view::npos || colon + 1 == t.size() ||
        (bracket != std::string_view::npos && colon < bracket) || !valid_host(t))
      return std::nullopt;
    return Target{TargetForm::authority, 0, t.size()};
  }
  if (t.front() == '/') {
    if (!valid_path_query(t)) return std::nullopt;
    return Target{TargetForm::origin};
  }
  // absolute-form: scheme "://" authority path-abempty [ "?" query ]. userinfo is refused
  // (RFC 9110 §4.2.4: a recipient should treat it as an error).
  std::size_t i = 0;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(t[0])) return std::nullopt;
  while (i < t.size() &&
         (alpha(t[i]) || is_digit(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.'))
    ++i;
  if (t.substr(i, 3) != "://") return std::nullopt;
  const std::size_t start = i + 3;
  const std::size_t end = t.find_first_of("/?", start);
  const std::size_t len = (end == std::string_view::npos ? t.size() : end) - start;
  const std::string_view authority = t.substr(start, len);
  if (authority.empty() || !valid_host(authority)) return std::nullopt;
  if (!valid_path_query(t.substr(start + len))) return std::nullopt;
  return Target{TargetForm::absolute, start, len};
}

std::optional<ParseError> parse_content_length(std::string_view v, std::uint64_t& out) noexcept {
  if (v.empty()) return ParseError::bad_content_length;
  std::uint64_t n = 0;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (const char c : v) {
    if (!is_digit(c)) return ParseError::bad_content_length;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (max - d) / 10) return ParseError::content_length_overflow;
    n = n * 10 + d;
  }
  out = n;
  return std::nullopt;
}

bool add_codings(std::string_view v, Codings& c) noexcept {
  return for_each_element(v, [&](std::string_view e) {
    std::size_t i = 0;
    while (i < e.size() && is(e[i], tchar)) ++i;
    if (i == 0) return false;  // empty element, or not a token
    if (i == e.size() && iequals(e, "chunked")) {
      if (c.chunked < 2) ++c.chunked;
      c.last_chunked = true;
      return true;
    }
    // Another coding, or any coding with parameters: not one soket decodes (501).
    std::size_t j = i;
    while (j < e.size() && is_ows(e[j])) ++j;
    if (j != e.size() && e[j] != ';') return false;
    if (i != e.size() && j == e.size()) return false;  // "gzip " cannot happen (trimmed)
    c.other = true;
    c.last_chunked = false;
    return true;
  });
}

void add_connection_options(std::string_view v, ConnectionOptions& c) noexcept {
  for_each_element(v, [&](std::string_view e) {
    if (iequals(e, "close")) c.close = true;
    if (iequals(e, "keep-alive")) c.keep_alive = true;
    if (iequals(e, "upgrade")) c.upgrade = true;
    return true;
  });
}

}  // namespace soket::proto::http::detail
