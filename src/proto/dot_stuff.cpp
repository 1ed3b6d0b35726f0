// SPDX-License-Identifier: MIT
// dot_stuff (line_channel.hpp) on its own: a pure function the fuzz target builds without TLS.
#include <soket/proto/line_channel.hpp>

namespace soket::proto {

std::string dot_stuff(std::string_view body, bool normalize_newlines) {
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 5);
  bool line_start = true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (line_start && c == '.') out += '.';
    line_start = false;
    if (normalize_newlines && (c == '\r' || c == '\n')) {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
    } else {
      out += c;
      // Python's (?m)^\. fires after every '\n', bare or not.
      if (c == '\n') line_start = true;
    }
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace soket::proto
