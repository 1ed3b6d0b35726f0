// SPDX-License-Identifier: MIT
// OVER/XOVER lines (RFC 3977 §8.3) and LIST OVERVIEW.FMT, parsed as nntplib does: the seven
// fixed fields by position, the extra ones by the header name they carry.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::nntp {

/// One overview line: Python's (art_num, {field: value}) with nntplib's lower-case keys
/// ("subject", "from", "date", "message-id", "references", ":bytes", ":lines", "xref"...).
/// An empty field is kept as "" (absent), as nntplib does.
struct Overview {
  std::int64_t number = 0;
  std::map<std::string, std::string> fields;
};

/// The fields of RFC 3977's default OVERVIEW.FMT, in order.
std::vector<std::string> default_overview_fmt();

/// LIST OVERVIEW.FMT's lines → field names ("Subject:" → "subject", "Bytes:" → ":bytes",
/// "Xref:full" → "xref"). NNTPDataError if the first seven differ from RFC 3977's.
std::vector<std::string> parse_overview_fmt(const std::vector<std::string>& lines);

/// OVER/XOVER data lines → entries. NNTPDataError (naming the line) for a number that is not
/// one, or an extra field that does not start with its header name ("Xref: ...").
std::vector<Overview> parse_overview(const std::vector<std::string>& lines,
                                     const std::vector<std::string>& fmt);

}  // namespace soket::proto::nntp
