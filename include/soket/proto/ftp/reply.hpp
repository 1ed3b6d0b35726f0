// SPDX-License-Identifier: MIT
// ftplib's reply parsers (parse150, parse227, parse229, parse257) and the MLSD fact line:
// pure functions over reply text, so they can be tested and fuzzed without a server.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace soket::proto::ftp {

/// Python: parse150(resp): the size in "150 ... (12345 bytes)" (case-insensitive), else
/// std::nullopt. Only a 150 carries it. A number too big for 64 bits is std::nullopt.
std::optional<std::uint64_t> parse150(std::string_view resp);

/// Python: parse227(resp) -> (host, port): six comma-separated numbers anywhere in a 227
/// reply. error_reply if the code is not 227; error_proto if no six numbers are found or one
/// does not fit a byte (Python does not check; soket refuses "300,1,1,1" rather than wrap).
std::pair<std::string, std::uint16_t> parse227(std::string_view resp);

/// Python: parse229(resp, peer) -> port: "229 ... (|||port|)" with any delimiter that is the
/// same in all four places. error_reply if not 229; error_proto if malformed or port > 65535.
std::uint16_t parse229(std::string_view resp);

/// Python: parse257(resp): the directory name in `257 "name" text`, with "" undone to ".
/// "" when the reply does not quote it. error_reply if the code is not 257.
std::string parse257(std::string_view resp);

/// One MLSD line, Python's mlsd() item: the name and its facts (keys lower-cased).
struct MlsdEntry {
  std::string name;
  std::map<std::string, std::string> facts;
};
/// "type=file;size=12;modify=20260101000000; name with spaces" → {name, facts}. The facts end
/// at the first space; a fact without '=' is error_proto (Python would raise ValueError).
MlsdEntry parse_mlsd_line(std::string_view line);

/// Reply framing (RFC 959 §4.2): whether `line` (without CRLF) ends the reply that began with
/// `first`: both start with the same three characters and `line`'s fourth is not '-'.
/// A first line whose fourth character is not '-' ends its own reply.
bool ends_reply(std::string_view first, std::string_view line) noexcept;

}  // namespace soket::proto::ftp
