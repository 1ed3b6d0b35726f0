// SPDX-License-Identifier: MIT
// urlsplit and urljoin (RFC 3986 §3 and §5.2) for soket::proto::http::URL.
#include <soket/proto/http/url.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::http {
namespace {

bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}
char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
// RFC 3986 unreserved / sub-delims: what a reg-name may hold besides pct-encoded.
bool is_reg_name_char(char c) noexcept {
  return is_alpha(c) || is_digit(c) ||
         std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

[[noreturn]] void invalid(std::string_view url, std::string_view why) {
  std::string shown(url.substr(0, 200));
  if (url.size() > 200) shown += "...";
  // The URL itself may hold the control bytes that made it invalid: show them escaped.
  std::string printable;
  for (char ch : shown) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char digits[] = "0123456789abcdef";
      printable += "\\x";
      printable += digits[c >> 4];
      printable += digits[c & 15];
    } else {
      printable += static_cast<char>(c);
    }
  }
  throw InvalidURL("invalid URL '" + printable + "': " + std::string(why));
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// An IPv6 literal (RFC 4291 text form, an embedded IPv4 tail allowed), optionally followed by
// a zone "%25..." (RFC 6874). Returns the host as it goes on the wire, lower-cased, the zone
// decoded to "%zone".
bool valid_ipv6(std::string_view s, std::string& out) {
  std::string_view zone;
  if (auto pct = s.find('%'); pct != std::string_view::npos) {
    zone = s.substr(pct);
    s = s.substr(0, pct);
    if (zone.size() < 4 || zone.substr(0, 3) != "%25") return false;
    for (char c : zone.substr(3))
      if (!is_reg_name_char(c) && c != '%') return false;
  }
  if (s.empty()) return false;
  int groups = 0;
  bool double_colon = false, ipv4_tail = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    double_colon = true;
    i = 2;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && is_hex(s[j])) ++j;
    if (j < s.size() && s[j] == '.') {
      // The rest must be a dotted IPv4 address, worth two groups.
      std::string_view v4 = s.substr(i);
      int parts = 0;
      std::size_t k = 0;
      while (k <= v4.size()) {
        std::size_t e = v4.find('.', k);
        if (e == std::string_view::npos) e = v4.size();
        std::string_view p = v4.substr(k, e - k);
        if (p.empty() || p.size() > 3) return false;
        int value = 0;
        for (char c : p) {
          if (!is_digit(c)) return false;
          value = value * 10 + (c - '0');
        }
        if (value > 255 || (p.size() > 1 && p[0] == '0')) return false;
        ++parts;
        k = e + 1;
      }
      if (parts != 4) return false;
      groups += 2;
      ipv4_tail = true;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++groups;
    if (j == s.size()) break;
    if (s[j] != ':') return false;
    if (j + 1 < s.size() && s[j + 1] == ':') {
      if (double_colon) return false;
      double_colon = true;
      i = j + 2;
    } else {
      i = j + 1;
      if (i == s.size()) return false;  // a trailing single colon
    }
  }
  (void)ipv4_tail;
  if (double_colon ? groups > 7 : groups != 8) return false;
  out.clear();
  for (char c : s) out += lower(c);
  if (!zone.empty()) out += "%" + std::string(zone.substr(3));
  return true;
}

// The five parts of RFC 3986 §3, each with whether it was present.
struct Parts {
  std::optional<std::string_view> scheme, authority, query, fragment;
  std::string_view path;
};

Parts split(std::string_view s) {
  Parts p;
  if (auto hash = s.find('#'); hash != std::string_view::npos) {
    p.fragment = s.substr(hash + 1);
    s = s.substr(0, hash);
  }
  if (auto q = s.find('?'); q != std::string_view::npos) {
    p.query = s.substr(q + 1);
    s = s.substr(0, q);
  }
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (before any '/')
  if (auto colon = s.find(':'); colon != std::string_view::npos && colon > 0 && is_alpha(s[0])) {
    bool ok = true;
    for (char c : s.substr(0, colon))
      if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') ok = false;
    if (ok) {
      p.scheme = s.substr(0, colon);
      s = s.substr(colon + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    s = s.substr(2);
    auto slash = s.find('/');
    p.authority = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  p.path = s;
  return p;
}

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::vector<std::string_view> out;
  bool absolute = !in.empty() && in[0] == '/';
  std::size_t i = absolute ? 1 : 0;
  bool trailing_slash = false;
  while (i <= in.size()) {
    std::size_t e = in.find('/', i);
    if (e == std::string_view::npos) e = in.size();
    std::string_view seg = in.substr(i, e - i);
    bool last = e == in.size();
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    i = e + 1;
  }
  std::string r = absolute ? "/" : "";
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (k) r += '/';
    r += out[k];
  }
  if (trailing_slash && (r.empty() || r.back() != '/')) r += '/';
  return r;
}

// userinfo written back: what is not unreserved or a sub-delim is percent-encoded (a ':' too,
// in the user name), so the URL splits again into the same parts.
std::string quote_userinfo(std::string_view s, bool colon_ok) {
  return quote(s, colon_ok ? "!$&'()*+,;=:" : "!$&'()*+,;=");
}

}  // namespace

std::uint16_t URL::port_or_default() const noexcept {
  if (port) return *port;
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

std::string URL::host_port() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  // The Host field carries no zone (Python 3.11.7 strips it): it means nothing to the server.
  if (auto pct = out.find('%'); pct != std::string::npos) out = out.substr(0, pct) + "]";
  const std::uint16_t default_port = scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
  if (port && *port != default_port) out += ":" + std::to_string(*port);
  return out;
}

std::string URL::target() const {
  std::string out = path.empty() ? "/" : path;
  if (query) out += "?" + *query;
  return out;
}

std::string URL::geturl() const {
  std::string out = scheme + "://";
  if (username) {
    out += quote_userinfo(*username, false);
    if (password) out += ":" + quote_userinfo(*password, true);
    out += "@";
  }
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (auto pct = h.find('%'); pct != std::string::npos) h.replace(pct, 1, "%25");
  out += h;
  if (port) out += ":" + std::to_string(*port);
  out += path;
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

bool URL::same_origin(const URL& other) const noexcept {
  return scheme == other.scheme && host == other.host &&
         port_or_default() == other.port_or_default();
}

URL urlsplit(std::string_view url) {
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f)
      invalid(url,
              "URL can't contain control characters, spaces or "
              "non-ASCII bytes");
  }
  Parts p = split(url);
  if (!p.scheme) invalid(url, "no scheme (expected scheme://host/...)");
  if (!p.authority) invalid(url, "no authority (expected scheme://host/...)");
  URL u;
  for (char c : *p.scheme) u.scheme += lower(c);

  std::string_view auth = *p.authority;
  if (auto at = auth.rfind('@'); at != std::string_view::npos) {
    std::string_view info = auth.substr(0, at);
    auth = auth.substr(at + 1);
    auto colon = info.find(':');
    u.username = percent_decode(info.substr(0, colon));
    if (colon != std::string_view::npos) u.password = percent_decode(info.substr(colon + 1));
  }
  std::string_view host = auth, port;
  bool has_port = false;
  if (!auth.empty() && auth[0] == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) invalid(url, "'[' without ']' in the host");
    host = auth.substr(1, close - 1);
    std::string_view rest = auth.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') invalid(url, "bytes after the IPv6 literal's ']'");
      port = rest.substr(1);
      has_port = true;
    }
    if (!valid_ipv6(host, u.host)) invalid(url, "invalid IPv6 literal");
  } else {
    if (auto colon = auth.rfind(':'); colon != std::string_view::npos) {
      host = auth.substr(0, colon);
      port = auth.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) invalid(url, "no host");
    for (std::size_t i = 0; i < host.size(); ++i) {
      char c = host[i];
      if (c == '%' && i + 2 < host.size() && is_hex(host[i + 1]) && is_hex(host[i + 2])) {
        u.host += host.substr(i, 3);
        i += 2;
        continue;
      }
      if (!is_reg_name_char(c)) invalid(url, "invalid character in the host");
      u.host += lower(c);
    }
    // Percent-encoded octets in a name are decoded (RFC 3986 §3.2.2) and must then be what a
    // name may hold: "%2F" or "%00" in a host is an attack, not a name.
    std::string decoded = percent_decode(u.host);
    u.host.clear();
    for (char c : decoded) {
      if (!is_reg_name_char(c)) invalid(url, "invalid character in the host");
      u.host += lower(c);
    }
    if (u.host.empty()) invalid(url, "no host");
  }
  if (has_port && !port.empty()) {
    unsigned long value = 0;
    for (char c : port) {
      if (!is_digit(c)) invalid(url, "the port is not a number");
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) invalid(url, "port out of range 0-65535");
    }
    u.port = static_cast<std::uint16_t>(value);
  }
  if (!p.path.empty() && p.path[0] != '/') invalid(url, "the path must start with '/'");
  u.path = std::string(p.path);
  if (p.query) u.query = std::string(*p.query);
  if (p.fragment) u.fragment = std::string(*p.fragment);
  return u;
}

URL urljoin(const URL& base, std::string_view ref) {
  Parts r = split(ref);
  std::string scheme = base.scheme, authority, path, query;
  std::optional<std::string> q;
  if (r.scheme) {
    scheme = std::string(*r.scheme);
  }
  // The base's authority as written (userinfo dropped: credentials are the caller's to add).
  std::string base_authority =
      base.host.find(':') != std::string::npos ? "[" + base.host + "]" : base.host;
  if (auto pct = base_authority.find('%'); pct != std::string::npos)
    base_authority.replace(pct, 1, "%25");
  if (base.port) base_authority += ":" + std::to_string(*base.port);

  if (r.scheme || r.authority) {
    if (!r.authority) invalid(ref, "no authority (expected scheme://host/...)");
    authority = std::string(*r.authority);
    path = remove_dot_segments(r.path);
    q = r.query ? std::optional<std::string>(*r.query) : std::nullopt;
  } else {
    authority = base_authority;
    if (r.path.empty()) {
      path = base.path;
      q = r.query ? std::optional<std::string>(*r.query) : base.query;
    } else {
      if (r.path[0] == '/') {
        path = remove_dot_segments(r.path);
      } else {
        // Merge (§5.2.3): the base path up to its last '/', then the reference.
        std::string merged;
        if (base.path.empty())
          merged = "/" + std::string(r.path);
        else
          merged = base.path.substr(0, base.path.rfind('/') + 1) + std::string(r.path);
        path = remove_dot_segments(merged);
      }
      q = r.query ? std::optional<std::string>(*r.query) : std::nullopt;
    }
  }
  std::string joined = scheme + "://" + authority + path;
  if (q) joined += "?" + *q;
  if (r.fragment) joined += "#" + std::string(*r.fragment);
  return urlsplit(joined);
}

std::string quote(std::string_view s, std::string_view safe) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    // Python's always-safe set, then the caller's (ASCII only, as Python ignores the rest).
    const bool keep = is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '.' || ch == '-' ||
                      ch == '~' || (c < 0x80 && safe.find(ch) != std::string_view::npos);
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

}  // namespace soket::proto::http
