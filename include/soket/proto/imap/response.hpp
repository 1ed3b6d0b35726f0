// SPDX-License-Identifier: MIT
// IMAP4 responses parsed into a structure (RFC 3501 §2.2.2, §7): untagged "* ...", tagged
// "A1 OK ...", continuations "+ ...", with response codes, parenthesised lists, quoted strings
// and {n} literals counted exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::imap {

/// One data item: an atom (FLAGS, \Seen, BODY[HEADER]), a number, a string (quoted or a
/// literal, its bytes exact), NIL, or a parenthesised list.
struct Value {
  enum class Kind { atom, number, string, nil, list };
  Kind kind = Kind::nil;
  std::string text;          // atom, string; the digits for a number
  std::uint64_t number = 0;  // number
  std::vector<Value> items;  // list

  bool is_atom(std::string_view name) const noexcept;
  friend bool operator==(const Value&, const Value&) = default;
};

/// The response could not be parsed: what() says where.
class ResponseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One whole server response, literals included.
struct Response {
  enum class Kind { untagged, tagged, continuation };
  Kind kind = Kind::untagged;
  /// The tag of a tagged response ("A0001").
  std::string tag;
  /// The message number of "* 3 EXISTS", "* 2 FETCH (...)", "* 1 EXPUNGE".
  std::optional<std::uint32_t> number;
  /// Upper-case: OK NO BAD BYE PREAUTH for status responses, else CAPABILITY, FLAGS, LIST,
  /// SEARCH, EXISTS, RECENT, EXPUNGE, FETCH...; empty for a continuation.
  std::string type;
  /// A status response's bracketed code, upper-case ("READ-ONLY", "UIDVALIDITY"), and its
  /// arguments as written ("3857529045").
  std::string code;
  std::string code_args;
  /// A status response's (or continuation's) human text.
  std::string text;
  /// The data of other responses, parsed: CAPABILITY's atoms, FETCH's one list, LIST's
  /// flags/delimiter/name, SEARCH's numbers.
  std::vector<Value> data;

  bool is_status() const noexcept;
  /// For FETCH: the attribute list as name → value (names upper-case: "FLAGS", "UID",
  /// "BODY[]", "RFC822.SIZE"). Empty for other responses.
  std::map<std::string, Value> fetch_items() const;
};

/// Parses one response as it came off the wire, without its final CRLF: each "{n}" at a line
/// end is followed by CRLF and exactly n bytes, then the rest of the response. Throws
/// ResponseError for anything malformed (unbalanced parentheses, a bad literal count, an
/// unterminated quoted string, a literal cut short).
Response parse_response(std::string_view wire);

/// If `line` ends with a literal announcement "{n}" (or "{n+}"), n; else std::nullopt. A
/// count that does not fit is ResponseError.
std::optional<std::size_t> literal_size(std::string_view line);

/// Python: imaplib.Int2AP(n): n as letters A-P (Int2AP(4096) == "BAAA").
std::string Int2AP(std::uint32_t n);

/// An astring argument (RFC 3501 §9): the text as an atom when it is one, else quoted with
/// \ and " escaped. CR, LF or NUL cannot be quoted: std::invalid_argument.
std::string quote(std::string_view text);

}  // namespace soket::proto::imap
