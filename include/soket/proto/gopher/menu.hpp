// SPDX-License-Identifier: MIT
// Gopher menus (RFC 1436 §3.8): item types with gopherlib's names, menu lines parsed into
// items, and the dot-terminated, dot-doubled text transfer undone.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::gopher {

/// Python 2's gopherlib item types (A_TEXT, A_MENU...), RFC 1436 plus the common extensions.
inline constexpr char A_TEXT = '0';
inline constexpr char A_MENU = '1';
inline constexpr char A_CSO = '2';
inline constexpr char A_ERROR = '3';
inline constexpr char A_MACBINHEX = '4';
inline constexpr char A_PCBINHEX = '5';
inline constexpr char A_UUENCODED = '6';
inline constexpr char A_INDEX = '7';
inline constexpr char A_TELNET = '8';
inline constexpr char A_BINARY = '9';
inline constexpr char A_DUPLICATE = '+';
inline constexpr char A_TN3270 = 'T';
inline constexpr char A_GIF = 'g';
inline constexpr char A_IMAGE = 'I';
inline constexpr char A_INFO = 'i';
inline constexpr char A_HTML = 'h';
inline constexpr char A_SOUND = 's';

/// Python (gopherlib): type_to_name(gtype): "TEXT", "MENU", ..., or "TYPE='x'".
std::string type_to_name(char type);

/// Whether items of this type are sent as raw bytes until the server closes (binary), rather
/// than as text ending with a "." line.
bool is_binary_type(char type);

/// One menu line: type, display string, selector, host, port. Fields after the fourth (Gopher+
/// "+", "?", "$") are ignored. A line with fewer than four fields, or a port that is not a
/// number in 0-65535, is kept as an info item (type A_INFO) whose display is the text: menus
/// written by hand have such lines, and they are never fatal.
struct Item {
  char type = A_INFO;
  std::string display;
  std::string selector;
  std::string host;
  std::uint16_t port = 0;

  /// Whether the item can be fetched (not info, error or the duplicate marker, a port set).
  bool selectable() const noexcept;
};

/// A protocol violation or a limit passed: what() names the selector and what was wrong.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses one menu line (without its line end).
Item parse_item(std::string_view line);

/// Parses a whole menu: lines split on CRLF or LF, stopping at a line that is only ".";
/// empty lines are skipped.
std::vector<Item> parse_menu(std::string_view text);

/// The text of a type-0 item without its "." line (when present: many servers just close) and
/// with leading dots undoubled. Line ends are kept as received.
std::string unstuff_text(std::string_view text);

}  // namespace soket::proto::gopher
