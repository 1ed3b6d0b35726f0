// SPDX-License-Identifier: MIT
// Limits: how much of a message the HTTP/1.1 parser accepts, each limit with its status.
#pragma once

#include <cstddef>
#include <cstdint>

namespace soket::proto::http {

/// Limits are policy; each one maps to a fixed status (RFC 9110 §15.5, RFC 6585 §5). The
/// defaults are a server's: nginx's line sizes (8 KiB) and h2o's field count (100) and body
/// (1 GiB). A client raises max_body (a download may be larger than any server's upload).
struct Limits {
  /// The request-line or status-line, CRLF not counted: 414 (RFC 9112 §3 asks for >= 8000).
  std::size_t max_start_line = 8 * 1024;
  /// One field line (name, colon, value), CRLF not counted: 431.
  std::size_t max_field_line = 8 * 1024;
  /// Field lines in the head, and separately in the trailers: 431.
  std::size_t max_fields = 100;
  /// The whole head (start line, fields, CRLFs), and separately the trailer section: 431.
  std::size_t max_head = 64 * 1024;
  /// The body, decided from Content-Length before any of it is read, or the running total of
  /// chunk sizes: 413.
  std::uint64_t max_body = std::uint64_t{1} << 30;
  /// The extensions on one chunk-size line (`;name=value...`): 400 beyond it (RFC 9112 §7.1.1
  /// asks for a limit).
  std::size_t max_chunk_extensions = 1024;
};

}  // namespace soket::proto::http
