// SPDX-License-Identifier: MIT
// The space-separated words of a reply line (POP3's STAT and CAPA, IMAP's CAPABILITY). Internal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::detail {

/// Words between runs of spaces; empty ones (leading, trailing, doubled spaces) are skipped.
inline std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace soket::proto::detail
