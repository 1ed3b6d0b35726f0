// SPDX-License-Identifier: MIT
// The parser's body framing: Content-Length, until close, and chunked (RFC 9112 §6, §7.1).
// Framing bytes are consumed as they are read; only a trailer section waits to be whole.
#include <soket/proto/http/parser.hpp>

#include <algorithm>
#include <limits>

#include "chars.hpp"
#include "parser_state.hpp"

namespace soket::proto::http {

using detail::is;
using detail::is_ows;

namespace {
constexpr std::size_t max_chunk_digits = 64;  // leading zeros included
}

Result Parser::parse_body(std::string_view in) {
  if (state_ == State::body_until_close) {
    if (in.empty()) return {Event::need_more, 0, {}};
    body_total_ += in.size();
    return {Event::body, in.size(), in};
  }
  if (remaining_ == 0) return end_message(0);
  if (in.empty()) return {Event::need_more, 0, {}};
  const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
  remaining_ -= k;
  return {Event::body, k, in.substr(0, k)};
}

Result Parser::parse_chunked(std::string_view in) {
  std::size_t p = 0;
  while (p < in.size()) {
    if (state_ == State::chunk_data) {
      const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - p));
      remaining_ -= k;
      if (remaining_ == 0) state_ = State::chunk_data_cr;
      return {Event::body, p + k, in.substr(p, k)};
    }
    if (!chunk_line_byte(in[p++])) return {Event::error, 0, {}};
    if (in_trailers_) return parse_section(in, p);  // the last chunk's line is whole
  }
  return {Event::need_more, p, {}};
}

// One byte of a chunk-size line or of the CRLF after chunk data; false on an error.
//   chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] )
bool Parser::chunk_line_byte(char c) {
  // The extensions' length: from the first ';' up to the CR.
  const bool in_ext = state_ >= State::ext_name_ows && state_ <= State::ext_value_ws;
  const bool opens_ext =
      (state_ == State::chunk_size || state_ == State::chunk_size_ws) && c == ';';
  if (((in_ext && c != '\r') || opens_ext) && ++ext_len_ > limits_.max_chunk_extensions)
    return failed(ParseError::chunk_extension_too_long);
  const auto bad_ext = [this] { return failed(ParseError::bad_chunk_extension); };
  switch (state_) {
    case State::chunk_size:
      if (is(c, detail::hexdig)) {
        if (remaining_ > std::numeric_limits<std::uint64_t>::max() >> 4 ||
            ++digits_ > max_chunk_digits)
          return failed(ParseError::chunk_size_overflow);
        remaining_ = remaining_ << 4 | static_cast<std::uint64_t>(detail::hex_value(c));
        return true;
      }
      if (digits_ == 0) return failed(ParseError::bad_chunk_size);
      if (c == '\r') {
        state_ = State::chunk_size_lf;
      } else if (c == ';') {
        state_ = State::ext_name_ows;
      } else if (is_ows(c)) {
        state_ = State::chunk_size_ws;
      } else {
        return failed(c == '\n' ? ParseError::bad_line_ending : ParseError::bad_chunk_size);
      }
      return true;
    case State::chunk_size_ws:  // BWS must lead to ";" (`3 \r\n` is not the grammar)
      if (c == ';')
        state_ = State::ext_name_ows;
      else if (!is_ows(c))
        return failed(ParseError::bad_chunk_size);
      return true;
    case State::ext_name_ows:
      if (is(c, detail::tchar))
        state_ = State::ext_name;
      else if (!is_ows(c))
        return bad_ext();
      return true;
    case State::ext_name:
      if (is(c, detail::tchar)) return true;
      if (c == '=')
        state_ = State::ext_value_ows;
      else if (c == ';')
        state_ = State::ext_name_ows;
      else if (is_ows(c))
        state_ = State::ext_name_ws;
      else if (c == '\r')
        state_ = State::chunk_size_lf;
      else
        return bad_ext();
      return true;
    case State::ext_name_ws:
      if (c == '=')
        state_ = State::ext_value_ows;
      else if (c == ';')
        state_ = State::ext_name_ows;
      else if (!is_ows(c))
        return bad_ext();
      return true;
    case State::ext_value_ows:
      if (c == '"')
        state_ = State::ext_quoted;
      else if (is(c, detail::tchar))
        state_ = State::ext_token;
      else if (!is_ows(c))
        return bad_ext();
      return true;
    case State::ext_token:
      if (is(c, detail::tchar)) return true;
      if (c == ';')
        state_ = State::ext_name_ows;
      else if (is_ows(c))
        state_ = State::ext_value_ws;
      else if (c == '\r')
        state_ = State::chunk_size_lf;
      else
        return bad_ext();
      return true;
    case State::ext_quoted:
      if (c == '"')
        state_ = State::ext_quoted_end;
      else if (c == '\\')
        state_ = State::ext_quoted_pair;
      else if (!is(c, detail::qdtext))
        return bad_ext();
      return true;
    case State::ext_quoted_pair: {
      const auto u = static_cast<unsigned char>(c);
      if (u != '\t' && u != ' ' && (u < 0x21 || u == 0x7f)) return bad_ext();
      state_ = State::ext_quoted;
      return true;
    }
    case State::ext_quoted_end:
      if (c == ';')
        state_ = State::ext_name_ows;
      else if (is_ows(c))
        state_ = State::ext_value_ws;
      else if (c == '\r')
        state_ = State::chunk_size_lf;
      else
        return bad_ext();
      return true;
    case State::ext_value_ws:
      if (c == ';')
        state_ = State::ext_name_ows;
      else if (!is_ows(c))
        return bad_ext();
      return true;
    case State::chunk_size_lf:
      if (c != '\n') return failed(ParseError::bad_line_ending);
      if (remaining_ == 0) {  // last-chunk: the trailer section follows
        in_trailers_ = true;
        spans_.clear();
        pos_ = 0;
        state_ = State::field_start;
        return true;
      }
      if (remaining_ > limits_.max_body - std::min(body_total_, limits_.max_body))
        return failed(ParseError::body_too_large);
      body_total_ += remaining_;
      state_ = State::chunk_data;
      return true;
    case State::chunk_data_cr:
      if (c != '\r') return failed(ParseError::bad_chunk_data_end);
      state_ = State::chunk_data_lf;
      return true;
    case State::chunk_data_lf:
      if (c != '\n') return failed(ParseError::bad_chunk_data_end);
      state_ = State::chunk_size;
      remaining_ = 0;
      digits_ = 0;
      ext_len_ = 0;
      return true;
    default: return true;
  }
}

Result Parser::end_message(std::size_t consumed) {
  // A final response ends what response_to() said; a 1xx is followed by the real answer.
  if (kind_ == Kind::response && (response_.status >= 200 || response_.status == 101))
    response_to_head_ = response_to_connect_ = false;
  state_ = State::start;
  in_trailers_ = false;
  pos_ = 0;
  return {Event::end, consumed, {}};
}

Result Parser::finish() {
  switch (state_) {
    case State::start: return {Event::need_more, 0, {}};
    case State::failed: return {Event::error, 0, {}};
    case State::body_until_close: return end_message(0);
    default: return fail(ParseError::incomplete_message);
  }
}

}  // namespace soket::proto::http
