// SPDX-License-Identifier: MIT
// Parser: a strict, incremental, zero-copy HTTP/1.1 request or response parser (RFC 9112).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <soket/proto/http/limits.hpp>
#include <soket/proto/http/message.hpp>
#include <soket/proto/http/parse_error.hpp>

namespace soket::proto::http {

/// What one call to Parser::parse found.
enum class Event : std::uint8_t {
  need_more,  // nothing complete yet: call again with more bytes
  head,       // request()/response() is complete
  body,       // Result::data is the next piece of the body (chunk framing removed)
  end,        // the message is complete (trailers() holds a chunked body's trailers);
              // the parser is ready for the next message (keep-alive, pipelining)
  error,      // error() says why; the parser stays failed
};

/// One step: the event, and how many bytes at the front of the input the parser is done with.
/// Drop them (e.g. event::Buffer::retrieve(consumed)) once you no longer need the views into
/// them, and pass the rest, with whatever arrives, to the next call.
struct Result {
  Event event = Event::need_more;
  std::size_t consumed = 0;
  std::string_view data;  // Event::body: the piece, inside the consumed bytes
};

/// Parses one stream of HTTP/1.1 messages: requests (a server's side) or responses (a
/// client's side), one message after another on the same connection.
///
/// Incremental: bytes may arrive one at a time; the parser remembers how far it has scanned,
/// so each byte is examined once however the stream is split. Zero-copy: request(),
/// response(), trailers() and Result::data view the caller's bytes, never a copy; they stay
/// valid while those bytes stay where they were when the head (or trailers, or piece) was
/// completed. The parser itself keeps offsets, never pointers, across calls, so the caller's
/// buffer may move or grow between calls. request()/response() describe the last head until
/// the next message's first byte arrives.
///
/// The contract of parse(input): `input` starts with the bytes not yet consumed and holds
/// every byte received after them. A head (and a trailer section) is consumed only when it is
/// complete, so until then the same bytes come back with more behind them.
///
/// Strict (RFC 9112; reference/http.md's checklist): CRLF only (bare CR or LF is an error
/// everywhere), one SP in the start line, tokens for methods and field names, no whitespace
/// before a colon, no obs-fold, no CTLs in values, 1*DIGIT Content-Length and 1*HEXDIG chunk
/// sizes with overflow checks, no Content-Length with Transfer-Encoding, no repeated
/// Content-Length, chunked last and once, Host exactly once in HTTP/1.1 requests. Every
/// rejection is a ParseError with its status (status_of) and ends the stream.
///
///   Parser parser(Parser::Kind::request);
///   for (;;) {                                    // in on_data(conn, input)
///     Result r = parser.parse(input.view());
///     ...                                         // head: route; body: r.data; end: respond
///     input.retrieve(r.consumed);
///     if (r.event == Event::need_more || r.event == Event::error) break;
///   }
///
/// Thread rules: none (a plain value); one parser per connection.
class Parser {
 public:
  enum class Kind : std::uint8_t { request, response };

  explicit Parser(Kind kind, Limits limits = {});
  // Movable (a connection's state moves with it), not copyable: a copy's head would view the
  // original's field storage.
  Parser(Parser&&) noexcept = default;
  Parser& operator=(Parser&&) noexcept = default;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  /// Advances over `input` to the next event (see the class comment).
  Result parse(std::string_view input);
  /// The peer closed the stream. Returns end when a body running until close is complete,
  /// need_more when no message was in progress (an orderly close), or error
  /// (incomplete_message) when the peer closed inside a message.
  Result finish();

  /// Responses: the method of the request the next response answers (HEAD and CONNECT change
  /// how its body is framed, RFC 9112 §6.3). Call before its head arrives; it holds through
  /// 1xx responses until the final response ends. The default is GET.
  void response_to(std::string_view method);
  /// Requests: accept methods this parser does not know (WebDAV's, say) instead of 501.
  void allow_unknown_methods(bool allow) noexcept { unknown_methods_ = allow; }

  const RequestHead& request() const noexcept { return request_; }
  const ResponseHead& response() const noexcept { return response_; }
  const MessageHead& head() const noexcept {
    return kind_ == Kind::request ? static_cast<const MessageHead&>(request_) : response_;
  }
  /// A chunked body's trailer fields, at Event::end (RFC 9112 §7.1.2: not merged into the
  /// head).
  std::span<const Field> trailers() const noexcept { return trailers_; }
  /// Why the last parse returned Event::error.
  std::error_code error() const noexcept { return error_; }
  /// Whether a message has started and not ended (for a server's "idle" vs "reading").
  bool in_message() const noexcept;
  /// Forgets the message in progress and any error: the next byte starts a new message.
  void reset();

  const Limits& limits() const noexcept { return limits_; }

 private:
  enum class State : std::uint8_t;
  // Offsets of a field line inside its section (the head or the trailers).
  struct Span {
    std::uint32_t name, name_len, value, value_len;
  };

  Result parse_section(std::string_view input, std::size_t off);
  Result parse_body(std::string_view input);
  Result parse_chunked(std::string_view input);
  bool start_line_byte(const char* base, std::size_t& p, std::size_t n);
  bool field_byte(const char* base, std::size_t& p, std::size_t n);
  bool chunk_line_byte(char c);
  bool end_request_line(const char* base, std::size_t cr);
  bool end_status_line(const char* base, std::size_t cr);
  bool on_field(const char* base, const Span& span);
  bool finish_request_head(const char* base);
  bool finish_response_head(const char* base);
  Result complete_section(const char* base, std::size_t off, std::size_t end);
  MessageHead& head_mut() noexcept;
  Result end_message(std::size_t consumed);
  Result fail(ParseError e);
  bool failed(ParseError e);
  void start_message();

  Kind kind_;
  bool unknown_methods_ = false;
  Limits limits_;
  State state_;
  bool in_trailers_ = false;
  bool response_to_head_ = false, response_to_connect_ = false;

  // Scanning: the position inside the current section (head or trailers), the start of the
  // line being scanned, its colon, its value's start and end; the start line's two marks
  // (request: the SPs; response: the SP after the version, the reason's start).
  std::size_t pos_ = 0, line_ = 0, mark_ = 0, val_ = 0, value_end_ = 0;
  std::size_t sl_a_ = 0, sl_b_ = 0;
  std::uint32_t auth_off_ = 0, auth_len_ = 0, reason_len_ = 0;
  std::vector<Span> spans_;
  std::vector<Field> fields_, trailers_;

  // What the head's fields said (RFC 9112 §6.3's procedure runs when the head is complete).
  std::uint32_t host_off_ = 0, host_len_ = 0;
  std::uint8_t hosts_ = 0, lengths_ = 0, te_chunked_ = 0;
  bool te_seen_ = false, te_last_chunked_ = false, te_other_ = false;
  bool close_ = false, keep_alive_token_ = false, upgrade_token_ = false, upgrade_field_ = false;
  bool expect_continue_ = false, expect_other_ = false;
  std::uint64_t content_length_ = 0;

  // Body framing: bytes left in the body or chunk, the body so far, chunk-line counters.
  std::uint64_t remaining_ = 0, body_total_ = 0;
  std::size_t ext_len_ = 0;
  std::uint8_t digits_ = 0;

  RequestHead request_;
  ResponseHead response_;
  std::error_code error_;
};

}  // namespace soket::proto::http
