// SPDX-License-Identifier: MIT
// The parser's states, shared by its two source files (the head scanner and the body framer).
// Their order matters: ranges of them are tested with < and >=.
#pragma once

#include <soket/proto/http/parser.hpp>

namespace soket::proto::http {

enum class Parser::State : std::uint8_t {
  start,  // before a message: empty lines are skipped (RFC 9112 §2.2)
  // request-line
  method,
  target,
  version,
  // status-line
  status_version,
  status_code,
  status_reason,
  start_lf,  // the start line's CR seen
  // field lines (head and trailers)
  field_start,
  field_name,
  field_ows,
  field_value,
  field_lf,
  section_lf,  // the empty line's CR seen
  // body
  body_length,
  body_until_close,
  chunk_size,
  chunk_size_ws,
  ext_name_ows,
  ext_name,
  ext_name_ws,
  ext_value_ows,
  ext_token,
  ext_quoted,
  ext_quoted_pair,
  ext_quoted_end,
  ext_value_ws,
  chunk_size_lf,
  chunk_data,
  chunk_data_cr,
  chunk_data_lf,
  failed,
};

}  // namespace soket::proto::http
