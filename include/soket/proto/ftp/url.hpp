// SPDX-License-Identifier: MIT
// ftp:// URLs (RFC 1738 §3.2): ftp://[user[:password]@]host[:port]/path, as urllib splits them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::ftp {

struct Url {
  std::string user;                     // "" for anonymous; percent-decoded
  std::optional<std::string> password;  // percent-decoded
  std::string host;                     // an IPv6 literal without its brackets
  std::uint16_t port = 21;
  std::string path;  // percent-decoded, without the leading '/' (relative to the login dir)
};

/// Parses "ftp://..." (the scheme is required, case-insensitive). std::invalid_argument naming
/// the fault for another scheme, an empty host, a bad port, a bad %XX, or a decoded CR, LF or
/// NUL (they would end the FTP command the path goes into).
Url parse_url(std::string_view text);

}  // namespace soket::proto::ftp
