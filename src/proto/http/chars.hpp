// SPDX-License-Identifier: MIT
// Byte classes of RFC 9110/9112/3986 as 256-entry tables: one load per byte in the scanners.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace soket::proto::http::detail {

enum CharClass : std::uint8_t {
  tchar = 1,        // token (RFC 9110 §5.6.2): methods, field names, codings
  field_char = 2,   // field-vchar / SP / HTAB (RFC 9110 §5.5): a field value's bytes
  target_char = 4,  // RFC 3986 bytes a request-target may hold (checked again by form)
  hexdig = 8,
  qdtext = 16,  // quoted-string text (RFC 9110 §5.6.4), without `\` and `"`
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (alpha || digit ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos)
      v |= tchar;
    if ((c >= 0x21 && c != 0x7f) || c == ' ' || c == '\t') v |= field_char;
    if (alpha || digit ||
        std::string_view("-._~!$&'()*+,;=:@/?%[]").find(static_cast<char>(c)) !=
            std::string_view::npos)
      v |= target_char;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= hexdig;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
        (c >= 0x5d && c <= 0x7e) || c >= 0x80)
      v |= qdtext;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}

inline constexpr std::array<std::uint8_t, 256> classes = make_classes();

inline bool is(char c, CharClass k) noexcept {
  return (classes[static_cast<unsigned char>(c)] & k) != 0;
}
inline bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}
inline bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  return (c | 0x20) - 'a' + 10;
}

/// Whether the 8 bytes at `p` are all field_char bytes other than HTAB: none below 0x20 and
/// none equal to 0x7f (bytes >= 0x80 are obs-text, allowed). The word tests are exact as
/// booleans ("Bit Twiddling Hacks": hasless(x, 0x20), haszero(x ^ 0x7f...)). A word that
/// fails may still be valid (HTAB); the caller then goes byte by byte.
inline bool plain_value_word(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  const std::uint64_t x = w ^ (ones * 0x7f);
  const std::uint64_t del = (x - ones) & ~x & highs;
  return (below_space | del) == 0;
}

}  // namespace soket::proto::http::detail
