// SPDX-License-Identifier: MIT
// Test helper: feeds bytes to an http::Parser the way a connection would (an input buffer
// that keeps the unconsumed bytes, moved to fresh storage before every call so that no view
// may outlive its call by accident) and writes down what came out, one line per message part.
#pragma once

#include <soket/proto/http/parser.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace soket::test {

/// What a parser made of a byte stream: one line per head, per message end (with the whole
/// body and the trailers), and for the error; "pending" if the stream stopped inside a
/// message. Body pieces are joined, so any split of the same bytes must give the same lines.
struct Transcript {
  std::vector<std::string> lines;
  int messages = 0;  // Event::end count
  int status = 0;    // status_of(error) when the stream ended in an error
  std::error_code error;
  std::string body;  // every body byte, all messages
  bool operator==(const Transcript&) const = default;
};

/// One line describing a head (method, target, host, version, framing, flags, fields).
std::string describe(const proto::http::Parser& parser);

/// Feeds `pieces` one after the other (each appended to the buffer, then parsed until the
/// parser needs more), as a connection's on_data would.
Transcript transcribe(proto::http::Parser& parser, const std::vector<std::string_view>& pieces);

/// The whole stream at once.
Transcript transcribe(proto::http::Parser& parser, std::string_view bytes);

/// `bytes` cut into pieces of `size` bytes (the last shorter).
std::vector<std::string_view> cut(std::string_view bytes, std::size_t size);

}  // namespace soket::test
