// SPDX-License-Identifier: MIT
// The head and trailer scanner and the body framer. Each state scans as many bytes as it can
// in a tight loop over a byte-class table; positions are offsets from the start of the
// section (head or trailers), so a call may bring the same bytes back, moved, with more.
#include <soket/proto/http/parser.hpp>

#include <algorithm>
#include <limits>

#include "chars.hpp"
#include "parser_state.hpp"
#include "syntax.hpp"

namespace soket::proto::http {

using detail::is;
using detail::is_digit;
using detail::is_ows;

namespace {

bool version_char(char c) noexcept {
  return is_digit(c) || c == 'H' || c == 'T' || c == 'P' || c == '/' || c == '.';
}

std::string_view view(const char* base, std::size_t off, std::size_t len) noexcept {
  return {base + off, len};
}

}  // namespace

Parser::Parser(Kind kind, Limits limits) : kind_(kind), limits_(limits), state_(State::start) {
  // Offsets are 32-bit: a head can never be 4 GiB.
  limits_.max_head = std::min<std::size_t>(limits_.max_head, 0x7fffffff);
}

void Parser::response_to(std::string_view method) {
  response_to_head_ = method == "HEAD";
  response_to_connect_ = method == "CONNECT";
}

bool Parser::in_message() const noexcept {
  return state_ != State::start && state_ != State::failed;
}

void Parser::reset() {
  state_ = State::start;
  error_.clear();
  in_trailers_ = false;
  pos_ = 0;
}

Result Parser::fail(ParseError e) {
  failed(e);
  return {Event::error, 0, {}};
}

bool Parser::failed(ParseError e) {
  error_ = e;
  state_ = State::failed;
  return false;
}

void Parser::start_message() {
  pos_ = line_ = mark_ = val_ = value_end_ = 0;
  spans_.clear();
  fields_.clear();
  trailers_.clear();
  in_trailers_ = false;
  hosts_ = lengths_ = te_chunked_ = 0;
  te_seen_ = te_last_chunked_ = te_other_ = false;
  close_ = keep_alive_token_ = upgrade_token_ = upgrade_field_ = false;
  expect_continue_ = expect_other_ = false;
  content_length_ = remaining_ = body_total_ = 0;
  request_ = {};
  response_ = {};
}

Result Parser::parse(std::string_view in) {
  switch (state_) {
    case State::failed: return {Event::error, 0, {}};
    case State::body_length:
    case State::body_until_close: return parse_body(in);
    case State::start: break;
    default:
      if (state_ >= State::chunk_size && state_ <= State::chunk_data_lf) return parse_chunked(in);
      return parse_section(in, 0);
  }
  // Skip empty lines before the start line; only whole CRLFs are consumed.
  std::size_t off = 0;
  while (off < in.size() && in[off] == '\r') {
    if (off + 1 == in.size()) return {Event::need_more, off, {}};
    if (in[off + 1] != '\n') return fail(ParseError::bad_line_ending);
    off += 2;
  }
  if (off == in.size()) return {Event::need_more, off, {}};
  if (in[off] == '\n') return fail(ParseError::bad_line_ending);
  start_message();
  state_ = kind_ == Kind::request ? State::method : State::status_version;
  return parse_section(in, off);
}

// The head (from its start line) or a trailer section, starting at input[off]. Every scan is
// bounded by the limit it could cross, so the first violation in byte order is the one
// reported, however the bytes were split across calls.
Result Parser::parse_section(std::string_view in, std::size_t off) {
  const char* base = in.data() + off;
  const std::size_t available = in.size() - off;
  const std::size_t n = std::min(available, limits_.max_head);  // bytes the section may use
  const std::size_t start_limit = limits_.max_start_line, field_limit = limits_.max_field_line;
  const ParseError start_too_long =
      kind_ == Kind::request ? ParseError::request_line_too_long : ParseError::status_line_too_long;
  const auto in_field_line = [this] {
    return state_ >= State::field_name && state_ <= State::field_value;
  };
  std::size_t p = pos_;
  while (p < n) {
    if (state_ < State::start_lf) {
      if (p > start_limit) return fail(start_too_long);
      if (!start_line_byte(base, p, std::min(n, start_limit + 1))) return {Event::error, 0, {}};
    } else if (state_ == State::start_lf) {
      if (!start_line_byte(base, p, n)) return {Event::error, 0, {}};
    } else if (state_ == State::section_lf) {
      if (base[p] != '\n') return fail(ParseError::bad_line_ending);
      return complete_section(base, off, p + 1);
    } else if (in_field_line()) {
      if (p > line_ + field_limit) return fail(ParseError::field_line_too_long);
      if (!field_byte(base, p, std::min(n, line_ + field_limit + 1))) return {Event::error, 0, {}};
    } else if (!field_byte(base, p, n)) {
      return {Event::error, 0, {}};
    }
  }
  pos_ = p;
  if (state_ < State::start_lf && p > start_limit) return fail(start_too_long);
  if (in_field_line() && p > line_ + field_limit) return fail(ParseError::field_line_too_long);
  // The section needs a byte past max_head, and it is there.
  if (p < available) return fail(ParseError::head_too_large);
  return {Event::need_more, off, {}};
}

// Scans the start line from base[p]; false on an error (state_ is failed).
bool Parser::start_line_byte(const char* base, std::size_t& p, std::size_t n) {
  switch (state_) {
    case State::method: {
      while (p < n && is(base[p], detail::tchar)) ++p;
      if (p == n) return true;
      if (p == 0 || base[p] != ' ')
        return failed(p == 0 || base[p] == '\r' || base[p] == '\n' ? ParseError::bad_request_line
                                                                   : ParseError::bad_method);
      sl_a_ = p++;
      state_ = State::target;
      return true;
    }
    case State::target: {
      while (p < n && is(base[p], detail::target_char)) ++p;
      if (p == n) return true;
      const char c = base[p];
      // `GET /\r\n` is HTTP/0.9, which soket does not speak.
      if (c == '\r' || c == '\n') return failed(ParseError::bad_request_line);
      if (c != ' ' || p == sl_a_ + 1) return failed(ParseError::bad_target);
      sl_b_ = p++;
      state_ = State::version;
      return true;
    }
    case State::version: {
      while (p < n && version_char(base[p])) ++p;
      if (p == n) return true;
      if (base[p] != '\r')
        return failed(base[p] == '\n' ? ParseError::bad_line_ending : ParseError::bad_version);
      ++p;
      state_ = State::start_lf;
      return true;
    }
    case State::status_version: {
      while (p < n && version_char(base[p])) ++p;
      if (p == n) return true;
      const std::string_view v = view(base, 0, p);
      if (base[p] != ' ' || !detail::valid_version(v)) return failed(ParseError::bad_status_line);
      if (v[5] != '1') return failed(ParseError::response_version);
      sl_a_ = p++;
      digits_ = 0;
      state_ = State::status_code;
      return true;
    }
    case State::status_code: {
      const char c = base[p];
      if (digits_ < 3) {
        if (!is_digit(c)) return failed(ParseError::bad_status_line);
        ++digits_;
        ++p;
        return true;
      }
      // `HTTP/1.1 200\r\n`: the SP before an empty reason is often left out; accept that.
      if (c == '\r') {
        sl_b_ = p++;
        state_ = State::start_lf;
        return true;
      }
      if (c != ' ') return failed(ParseError::bad_status_line);
      sl_b_ = ++p;
      state_ = State::status_reason;
      return true;
    }
    case State::status_reason: {
      while (p < n && is(base[p], detail::field_char)) ++p;
      if (p == n) return true;
      if (base[p] != '\r')
        return failed(base[p] == '\n' ? ParseError::bad_line_ending : ParseError::bad_status_line);
      ++p;
      state_ = State::start_lf;
      return true;
    }
    case State::start_lf: {
      if (base[p] != '\n') return failed(ParseError::bad_line_ending);
      const std::size_t cr = p++ - 1;
      if (!(kind_ == Kind::request ? end_request_line(base, cr) : end_status_line(base, cr)))
        return false;
      line_ = p;
      state_ = State::field_start;
      return true;
    }
    default: return true;
  }
}

// The request-line is whole (its CR at base[cr]): check the version, the method, the target.
bool Parser::end_request_line(const char* base, std::size_t cr) {
  const std::string_view version = view(base, sl_b_ + 1, cr - sl_b_ - 1);
  if (!detail::valid_version(version)) return failed(ParseError::bad_version);
  if (version[5] != '1') return failed(ParseError::version_not_supported);
  request_.version = {1, version[7] - '0'};
  const std::string_view method = view(base, 0, sl_a_);
  if (!unknown_methods_ && !detail::known_method(method)) return failed(ParseError::unknown_method);
  const auto target = detail::check_target(method, view(base, sl_a_ + 1, sl_b_ - sl_a_ - 1));
  if (!target) return failed(ParseError::bad_target);
  request_.form = target->form;
  auth_off_ = static_cast<std::uint32_t>(sl_a_ + 1 + target->authority);
  auth_len_ = static_cast<std::uint32_t>(target->authority_len);
  return true;
}

bool Parser::end_status_line(const char* base, std::size_t cr) {
  const std::string_view v = view(base, 0, sl_a_);
  response_.version = {1, v[7] - '0'};
  const char* code = base + sl_a_ + 1;
  response_.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (response_.status < 100) return failed(ParseError::bad_status_line);
  if (sl_b_ > cr) sl_b_ = cr;
  reason_len_ = static_cast<std::uint32_t>(cr - sl_b_);
  return true;
}

// Scans field lines from base[p]; false on an error (state_ is failed).
bool Parser::field_byte(const char* base, std::size_t& p, std::size_t n) {
  switch (state_) {
    case State::field_start: {
      const char c = base[p];
      if (c == '\r') {
        ++p;
        state_ = State::section_lf;
        return true;
      }
      if (c == '\n') return failed(ParseError::bad_line_ending);
      if (is_ows(c)) {
        if (!spans_.empty()) return failed(ParseError::obsolete_line_folding);
        return failed(in_trailers_ ? ParseError::bad_field_name
                                   : ParseError::whitespace_after_start_line);
      }
      line_ = p;
      state_ = State::field_name;
      return true;
    }
    case State::field_name: {
      while (p < n && is(base[p], detail::tchar)) ++p;
      if (p == n) return true;
      if (base[p] != ':' || p == line_)
        return failed(is_ows(base[p]) ? ParseError::whitespace_before_colon
                                      : ParseError::bad_field_name);
      mark_ = p++;
      state_ = State::field_ows;
      return true;
    }
    case State::field_ows: {
      while (p < n && is_ows(base[p])) ++p;
      if (p == n) return true;
      val_ = p;
      state_ = State::field_value;
      return true;
    }
    case State::field_value: {
      // The hot loop: eight bytes at a time while they are plain, then one table load per byte.
      while (p + 8 <= n && detail::plain_value_word(base + p)) p += 8;
      while (p < n && is(base[p], detail::field_char)) ++p;
      if (p == n) return true;
      if (base[p] != '\r')
        return failed(base[p] == '\n' ? ParseError::bad_line_ending : ParseError::bad_field_value);
      // The value ends at its last byte that is not OWS (RFC 9112 §5).
      value_end_ = p;
      while (value_end_ > val_ && is_ows(base[value_end_ - 1])) --value_end_;
      ++p;
      state_ = State::field_lf;
      return true;
    }
    case State::field_lf: {
      if (base[p] != '\n') return failed(ParseError::bad_line_ending);
      ++p;
      if (spans_.size() >= limits_.max_fields) return failed(ParseError::too_many_fields);
      const Span span{static_cast<std::uint32_t>(line_), static_cast<std::uint32_t>(mark_ - line_),
                      static_cast<std::uint32_t>(val_),
                      static_cast<std::uint32_t>(value_end_ - val_)};
      spans_.push_back(span);
      if (!in_trailers_ && !on_field(base, span)) return false;
      state_ = State::field_start;
      return true;
    }
    default: return true;
  }
}

// A head field line is whole: note what framing and routing need (RFC 9112 §6.3, §3.2, §9.3).
bool Parser::on_field(const char* base, const Span& s) {
  const std::string_view name = view(base, s.name, s.name_len);
  const std::string_view value = view(base, s.value, s.value_len);
  const bool request = kind_ == Kind::request;
  if (iequals(name, "content-length")) {
    if (++lengths_ > 1) return failed(ParseError::duplicate_content_length);
    if (auto e = detail::parse_content_length(value, content_length_)) return failed(*e);
  } else if (iequals(name, "transfer-encoding")) {
    te_seen_ = true;
    detail::Codings c{te_chunked_, te_last_chunked_, te_other_};
    if (!detail::add_codings(value, c)) return failed(ParseError::bad_transfer_encoding);
    te_chunked_ = c.chunked;
    te_last_chunked_ = c.last_chunked;
    te_other_ = c.other;
  } else if (request && iequals(name, "host")) {
    if (++hosts_ > 1) return failed(ParseError::duplicate_host);
    if (!detail::valid_host(value)) return failed(ParseError::bad_host);
    host_off_ = s.value;
    host_len_ = s.value_len;
  } else if (iequals(name, "connection")) {
    detail::ConnectionOptions c{close_, keep_alive_token_, upgrade_token_};
    detail::add_connection_options(value, c);
    close_ = c.close;
    keep_alive_token_ = c.keep_alive;
    upgrade_token_ = c.upgrade;
  } else if (iequals(name, "upgrade")) {
    upgrade_field_ = true;
  } else if (request && iequals(name, "expect")) {
    if (iequals(value, "100-continue"))
      expect_continue_ = true;
    else
      expect_other_ = true;
  }
  return true;
}

// The empty line after the head or the trailers: base[0, end) is the whole section.
Result Parser::complete_section(const char* base, std::size_t off, std::size_t end) {
  std::vector<Field>& out = in_trailers_ ? trailers_ : fields_;
  out.clear();
  for (const Span& s : spans_)
    out.push_back({view(base, s.name, s.name_len), view(base, s.value, s.value_len)});
  pos_ = 0;
  if (in_trailers_) return end_message(off + end);
  if (!(kind_ == Kind::request ? finish_request_head(base) : finish_response_head(base)))
    return {Event::error, 0, {}};
  head_mut().fields = fields_;
  switch (head_mut().body) {
    case BodyKind::none: state_ = State::body_length; break;
    case BodyKind::length:
      state_ = State::body_length;
      remaining_ = content_length_;
      break;
    case BodyKind::chunked:
      state_ = State::chunk_size;
      remaining_ = 0;
      digits_ = 0;
      ext_len_ = 0;
      break;
    case BodyKind::until_close: state_ = State::body_until_close; break;
  }
  return {Event::head, off + end, {}};
}

MessageHead& Parser::head_mut() noexcept {
  return kind_ == Kind::request ? static_cast<MessageHead&>(request_) : response_;
}

// RFC 9112 §6.3's procedure for requests, in its order, and §3.2's Host rule.
bool Parser::finish_request_head(const char* base) {
  RequestHead& r = request_;
  r.method = view(base, 0, sl_a_);
  r.target = view(base, sl_a_ + 1, sl_b_ - sl_a_ - 1);
  const bool http11 = r.version.minor >= 1;
  if (http11 && hosts_ == 0) return failed(ParseError::missing_host);
  if (r.form == TargetForm::absolute || r.form == TargetForm::authority)
    r.host = view(base, auth_off_, auth_len_);
  else if (hosts_ != 0)
    r.host = view(base, host_off_, host_len_);
  if (te_seen_) {
    if (!http11) return failed(ParseError::transfer_encoding_in_http10);
    if (lengths_ != 0) return failed(ParseError::content_length_with_transfer_encoding);
    if (te_chunked_ > 1) return failed(ParseError::chunked_twice);
    if (te_chunked_ == 1 && !te_last_chunked_) return failed(ParseError::chunked_not_last);
    if (te_other_) return failed(ParseError::unsupported_transfer_coding);
    r.body = BodyKind::chunked;
  } else if (lengths_ != 0) {
    if (content_length_ > limits_.max_body) return failed(ParseError::body_too_large);
    r.body = content_length_ != 0 ? BodyKind::length : BodyKind::none;
    r.content_length = content_length_;
  }
  if (expect_other_) return failed(ParseError::expectation_failed);
  // An HTTP/1.0 client cannot take a 1xx (RFC 9110 §10.1.1).
  r.expect_continue = expect_continue_ && http11 && r.body != BodyKind::none;
  r.keep_alive = http11 ? !close_ : keep_alive_token_ && !close_;
  r.upgrade = upgrade_token_ && upgrade_field_;
  return true;
}

// RFC 9112 §6.3 for responses: the request's method and the status decide first.
bool Parser::finish_response_head(const char* base) {
  ResponseHead& r = response_;
  r.reason = view(base, sl_b_, reason_len_);
  const int status = r.status;
  const bool tunnel = response_to_connect_ && status / 100 == 2;
  const bool no_body = status / 100 == 1 || status == 204 || status == 304 || response_to_head_;
  if (te_seen_ && lengths_ != 0) return failed(ParseError::content_length_with_transfer_encoding);
  if (no_body || tunnel) {
    r.body = BodyKind::none;
  } else if (te_seen_) {
    if (te_chunked_ > 1) return failed(ParseError::chunked_twice);
    if (te_other_) return failed(ParseError::unsupported_transfer_coding);
    if (!te_last_chunked_) return failed(ParseError::chunked_not_last);
    r.body = BodyKind::chunked;
  } else if (lengths_ != 0) {
    if (content_length_ > limits_.max_body) return failed(ParseError::body_too_large);
    r.body = content_length_ != 0 ? BodyKind::length : BodyKind::none;
    r.content_length = content_length_;
  } else {
    r.body = BodyKind::until_close;
  }
  r.upgrade = status == 101 || tunnel;
  const bool http11 = r.version.minor >= 1;
  r.keep_alive = (http11 ? !close_ : keep_alive_token_ && !close_) &&
                 r.body != BodyKind::until_close && !r.upgrade;
  return true;
}

}  // namespace soket::proto::http
