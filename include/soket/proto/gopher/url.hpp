// SPDX-License-Identifier: MIT
// Gopher URLs (RFC 4266): gopher://host[:port]/<type><selector>[%09<search>], as curl reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::gopher {

/// Python (gopherlib): DEF_PORT.
inline constexpr std::uint16_t DEF_PORT = 70;

/// A parsed gopher:// URL. The type character is not part of the selector and is never sent.
struct Url {
  std::string host;  // without brackets for an IPv6 literal
  std::uint16_t port = DEF_PORT;
  char type = '1';  // an empty path is the root menu
  std::string selector;
  std::optional<std::string> query;  // after %09 (TAB): a type-7 search string

  /// The URL written back (selector and query percent-encoded where needed).
  std::string str() const;
};

/// Parses `text`; throws std::invalid_argument "gopher URL: ..." naming what is wrong (scheme,
/// empty host, bad port, bad %-escape, a CR/LF/TAB in the selector).
Url parse_url(std::string_view text);

}  // namespace soket::proto::gopher
