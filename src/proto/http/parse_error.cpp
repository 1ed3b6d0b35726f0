// SPDX-License-Identifier: MIT
#include <soket/proto/http/parse_error.hpp>

#include <string>

namespace soket::proto::http {
namespace {

class ParseCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "http parse"; }
  std::string message(int code) const override {
    switch (static_cast<ParseError>(code)) {
      case ParseError::bad_line_ending: return "bare CR or LF where CRLF belongs";
      case ParseError::bad_request_line: return "malformed request-line";
      case ParseError::bad_method: return "method is not a token";
      case ParseError::bad_target: return "invalid request-target";
      case ParseError::bad_version: return "invalid HTTP version";
      case ParseError::whitespace_after_start_line:
        return "whitespace at the start of the first field line";
      case ParseError::bad_field_name: return "invalid field name";
      case ParseError::whitespace_before_colon: return "whitespace between field name and colon";
      case ParseError::obsolete_line_folding:
        return "line folding of header fields is not supported";
      case ParseError::bad_field_value: return "control character in a field value";
      case ParseError::missing_host: return "HTTP/1.1 request without Host";
      case ParseError::duplicate_host: return "more than one Host";
      case ParseError::bad_host: return "invalid Host";
      case ParseError::bad_content_length: return "invalid Content-Length";
      case ParseError::content_length_overflow: return "Content-Length overflow";
      case ParseError::duplicate_content_length: return "more than one Content-Length";
      case ParseError::content_length_with_transfer_encoding:
        return "both Content-Length and Transfer-Encoding";
      case ParseError::bad_transfer_encoding: return "invalid Transfer-Encoding";
      case ParseError::chunked_not_last: return "Transfer-Encoding does not end with chunked";
      case ParseError::chunked_twice: return "chunked applied more than once";
      case ParseError::transfer_encoding_in_http10: return "Transfer-Encoding in HTTP/1.0";
      case ParseError::bad_chunk_size: return "invalid chunk size";
      case ParseError::chunk_size_overflow: return "chunk size overflow";
      case ParseError::bad_chunk_extension: return "invalid chunk extension";
      case ParseError::chunk_extension_too_long: return "chunk extensions too long";
      case ParseError::bad_chunk_data_end: return "chunk data not followed by CRLF";
      case ParseError::incomplete_message: return "connection closed inside a message";
      case ParseError::body_too_large: return "body larger than the limit";
      case ParseError::request_line_too_long: return "request-line longer than the limit";
      case ParseError::expectation_failed: return "unsupported expectation";
      case ParseError::field_line_too_long: return "field line longer than the limit";
      case ParseError::too_many_fields: return "more field lines than the limit";
      case ParseError::head_too_large: return "header section larger than the limit";
      case ParseError::unknown_method: return "unknown method";
      case ParseError::unsupported_transfer_coding: return "unsupported transfer coding";
      case ParseError::version_not_supported: return "HTTP version not supported";
      case ParseError::bad_status_line: return "malformed status-line";
      case ParseError::status_line_too_long: return "status-line longer than the limit";
      case ParseError::response_version: return "response is not HTTP/1.x";
    }
    return "unknown http parse error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& parse_category() noexcept {
  static const ParseCategory category;
  return category;
}

int status_of(ParseError e) noexcept {
  switch (e) {
    case ParseError::body_too_large: return 413;
    case ParseError::request_line_too_long: return 414;
    case ParseError::expectation_failed: return 417;
    case ParseError::field_line_too_long:
    case ParseError::too_many_fields:
    case ParseError::head_too_large: return 431;
    case ParseError::unknown_method:
    case ParseError::unsupported_transfer_coding: return 501;
    case ParseError::version_not_supported: return 505;
    case ParseError::bad_status_line:
    case ParseError::status_line_too_long:
    case ParseError::response_version: return 502;
    default: return 400;
  }
}

int status_of(const std::error_code& e) noexcept {
  return e.category() == parse_category() ? status_of(static_cast<ParseError>(e.value())) : 400;
}

}  // namespace soket::proto::http
