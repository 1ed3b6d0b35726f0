// SPDX-License-Identifier: MIT
// URL: Python's urllib.parse.urlsplit/urljoin for the URLs an HTTP client sends (RFC 3986),
// strict where a request would go wrong (control bytes, a bad port, an invalid IPv6 literal).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soket::proto::http {

/// Python: http.client.InvalidURL: a URL that cannot be sent. what() names what is wrong:
/// "invalid URL 'http://a:99999/': port out of range 0-65535".
class InvalidURL : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// One absolute URL, split (Python: urlsplit's SplitResult with username, password, hostname
/// and port). Components are kept as sent (percent-encoding untouched) except the scheme and a
/// host name, which are lower-cased (RFC 3986 §6.2.2.1); userinfo is percent-decoded.
struct URL {
  std::string scheme;  // "http", "https", ... (lower case)
  std::optional<std::string> username, password;
  std::string host;                   // a name or an IP literal, IPv6 without its brackets
  std::optional<std::uint16_t> port;  // as written; none when absent (or "host:")
  std::string path;                   // "" or starting with '/'
  std::optional<std::string> query;   // after '?', without it
  std::optional<std::string> fragment;

  /// The port, or the scheme's default (80 for http, 443 for https; 0 when unknown).
  std::uint16_t port_or_default() const noexcept;
  /// host[:port] with IPv6 in brackets, the port only when written and not the default: what
  /// the Host field carries (Python's putrequest does the same).
  std::string host_port() const;
  /// The origin-form request target: path ("/" when empty) and ?query.
  std::string target() const;
  /// Python: geturl(): the URL written back (userinfo included, fragment included).
  std::string geturl() const;
  /// Whether the two URLs share scheme, host and port (where credentials may go).
  bool same_origin(const URL& other) const noexcept;
};

/// Python: urllib.parse.urlsplit(url), strict: the URL must be absolute with an authority
/// (`scheme://host...`), contain no byte below 0x21, DEL or non-ASCII (Python's "URL can't
/// contain control characters"), have a valid port (digits, at most 65535), a host of RFC
/// 3986's reg-name characters or a bracketed IPv6 literal (zone `%25...` allowed). Throws
/// InvalidURL.
URL urlsplit(std::string_view url);

/// Python: urllib.parse.urljoin(base, ref) (RFC 3986 §5.2, dot segments removed), then
/// urlsplit. Throws InvalidURL when the result is not a valid absolute URL.
URL urljoin(const URL& base, std::string_view ref);

/// Python: urllib.parse.quote(s, safe='/') on bytes: percent-encodes (upper-case hex) every
/// byte but ASCII letters, digits, `_.-~` and the ASCII characters in `safe`.
std::string quote(std::string_view s, std::string_view safe = "/");

/// Python: string.punctuation. quote(location, punctuation) is what urllib's redirect handler
/// does to a Location before following it: only spaces, control bytes and non-ASCII are encoded.
inline constexpr std::string_view punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

}  // namespace soket::proto::http
