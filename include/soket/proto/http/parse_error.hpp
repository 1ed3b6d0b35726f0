// SPDX-License-Identifier: MIT
// ParseError: why the HTTP/1.1 parser rejected a message, and the status a server answers it
// with (RFC 9112, RFC 9110 §15, RFC 6585 §5).
#pragma once

#include <system_error>
#include <type_traits>

namespace soket::proto::http {

/// Every way the parser rejects a message. Each one is final: the parser stops, and a server
/// sends status_of(error) with `Connection: close`, then closes (RFC 9112 §6.3: after a framing
/// error nothing more can be read from the connection). Usable as a std::error_code
/// (category "http parse"); message() is one line naming what was wrong.
enum class ParseError {
  // 400 Bad Request: the grammar (RFC 9112 §2-§7).
  bad_line_ending = 1,          // bare CR or bare LF where CRLF belongs (§2.2)
  bad_request_line,             // not `method SP target SP version CRLF`, HTTP/0.9 included
  bad_method,                   // the method is not a token
  bad_target,                   // a request-target byte or form RFC 9112 §3.2 does not allow
  bad_version,                  // not `HTTP/` DIGIT `.` DIGIT (case-sensitive)
  whitespace_after_start_line,  // a line starting with SP/HTAB right after the start line
  bad_field_name,               // an empty name, a non-token byte in it, or no colon
  whitespace_before_colon,      // `Name : value` (§5.1)
  obsolete_line_folding,        // obs-fold (§5.2)
  bad_field_value,              // a CTL (NUL, VT, ...) or DEL in a field value
  missing_host,                 // an HTTP/1.1 request without Host (§3.2)
  duplicate_host,               // Host more than once
  bad_host,                     // Host is not uri-host [":" port]
  bad_content_length,           // Content-Length not 1*DIGIT (`+3`, `-1`, `0x3`, `3, 3`)
  content_length_overflow,      // more digits than 64 bits hold
  duplicate_content_length,     // Content-Length more than once, equal or not
  content_length_with_transfer_encoding,  // both: the request smuggling pattern (§6.3)
  bad_transfer_encoding,                  // Transfer-Encoding's list is not 1#transfer-coding
  chunked_not_last,                       // chunked followed by another coding (§6.3)
  chunked_twice,                          // chunked applied more than once (§6.1)
  transfer_encoding_in_http10,            // Transfer-Encoding in an HTTP/1.0 request (§6.1)
  bad_chunk_size,                         // chunk-size not 1*HEXDIG followed by `;` or CRLF (§7.1)
  chunk_size_overflow,                    // more hex digits than 64 bits hold
  bad_chunk_extension,                    // chunk-ext grammar (§7.1.1)
  chunk_extension_too_long,  // chunk extensions longer than Limits::max_chunk_extensions
  bad_chunk_data_end,        // chunk-data not followed by exactly CRLF
  incomplete_message,        // the peer closed in the middle of a message
  // 413 Content Too Large
  body_too_large,  // Content-Length or the chunked total above Limits::max_body
  // 414 URI Too Long
  request_line_too_long,  // the request-line is longer than Limits::max_start_line
  // 417 Expectation Failed
  expectation_failed,  // an Expect other than 100-continue (RFC 9110 §10.1.1)
  // 431 Request Header Fields Too Large
  field_line_too_long,  // one field line longer than Limits::max_field_line
  too_many_fields,      // more field lines than Limits::max_fields
  head_too_large,       // the head (or trailers) longer than Limits::max_head
  // 501 Not Implemented
  unknown_method,               // a method this server does not know (RFC 9110 §9.1)
  unsupported_transfer_coding,  // a transfer coding other than chunked (§6.1)
  // 505 HTTP Version Not Supported
  version_not_supported,  // HTTP/2.0 and up (or 0.x) in an HTTP/1.x request-line (§2.3)
  // Responses only (a client's errors; status_of gives 502 Bad Gateway, what a proxy says).
  bad_status_line,       // not `HTTP-version SP 3DIGIT SP reason CRLF`, or a code < 100
  status_line_too_long,  // the status-line is longer than Limits::max_start_line
  response_version,      // a response whose major version is not 1
};

/// The error category of ParseError ("http parse").
const std::error_category& parse_category() noexcept;

inline std::error_code make_error_code(ParseError e) noexcept {
  return {static_cast<int>(e), parse_category()};
}

/// The status a server answers a request rejected with `e`: 400, 413, 414, 417, 431, 501 or
/// 505; 502 for the response-only errors.
int status_of(ParseError e) noexcept;
/// The same for Parser::error(); 400 for a code of another category.
int status_of(const std::error_code& e) noexcept;

}  // namespace soket::proto::http

template <>
struct std::is_error_code_enum<soket::proto::http::ParseError> : std::true_type {};
