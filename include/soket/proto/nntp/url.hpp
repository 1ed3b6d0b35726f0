// SPDX-License-Identifier: MIT
// news: and nntp: URLs (RFC 5538 §2.1, §2.2) as `soket news` takes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::nntp {

/// nntp://host[:port][/group[/number]] or news://host[:port][/group | /message-id].
struct Url {
  std::string host;
  std::uint16_t port = 119;
  std::string group;                   // empty: the server's group list
  std::optional<std::int64_t> number;  // an article in `group`
  std::string message_id;              // "<id@host>", brackets added when missing
};

/// Parses `text`; std::invalid_argument "news URL: ..." naming what is wrong (scheme, host,
/// port, a number that is not one, CR/LF/space/TAB anywhere).
Url parse_url(std::string_view text);

}  // namespace soket::proto::nntp
