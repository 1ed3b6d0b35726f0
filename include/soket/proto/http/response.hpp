// SPDX-License-Identifier: MIT
// Response: the builder a handler answers with — whole, streamed (chunked), a file, or later
// from another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <soket/owned_fd.hpp>

namespace soket::proto::http {

struct Request;
class Response;
namespace detail {
struct Exchange;
/// Appends "Name: value\r\n" lines the library built itself (a static file's cached fields),
/// skipping header()'s per-field checks. Not for handlers' input.
void add_trusted_fields(Response& response, std::string_view lines);
}  // namespace detail

/// The answer to one request. A handle: copies share the same response, so a handler that
/// answers later keeps a copy (in a lambda, a queue, another thread) and returns at once.
///
///   res.send("hello\n");                                  // 200, Content-Length: 6
///   res.status(201).header("Location", "/x").send("");    // any status and headers
///   res.write("part 1"); res.write("part 2"); res.end();  // streamed: chunked in HTTP/1.1
///   res.content_length(n); res.write(...); res.end();     // streamed with a known length
///   res.send_file(std::move(fd), offset, count);          // sendfile(2) body
///
/// The server adds Date, Server (unless empty), Content-Length or Transfer-Encoding, and
/// Connection: close when the connection ends after this response. For HEAD the body is not
/// sent (its Content-Length is). A request's response is complete after send(), send_file()
/// or end(); until then the connection reads no further request (pipelined requests wait,
/// so responses go out in order).
///
/// Errors: header() throws std::invalid_argument for a name that is not a token or a value
/// with CR, LF or NUL (response splitting); status() for a code outside 100-999; the setters
/// throw std::logic_error once the head is sent. A write past content_length() throws
/// std::length_error; end() short of it closes the connection (the client sees a short body).
///
/// Thread rules: a handler's Response may be used from any thread, one thread at a time.
/// Off the connection's loop thread every call is posted to the loop (bytes are copied) and
/// runs there in order; the throws above then happen on the loop thread and are reported
/// there, not to the caller. Calls after the connection closed, or after the Server
/// stopped, do nothing. congested() and on_drain() are loop thread only.
class Response {
 public:
  /// Sets the status (default 200) and optionally a reason (default: the standard phrase).
  Response& status(int code, std::string_view reason = {});
  /// Adds a header field (repeated names are sent repeatedly). Content-Length,
  /// Transfer-Encoding and Connection are the server's framing (std::invalid_argument; use
  /// content_length()); a Date or Server given here replaces the server's.
  Response& header(std::string_view name, std::string_view value);
  /// Announces the body's length before streaming it with write() (no chunked framing).
  Response& content_length(std::uint64_t length);

  /// Sends the head and `body` and completes the response.
  void send(std::string_view body);
  /// Sends the head if not sent yet, then one piece of the body (a chunk, unless a length
  /// was announced; HTTP/1.0 without a length: the body runs until the connection closes).
  void write(std::string_view piece);
  /// Completes the response (the head too if nothing was written).
  void end();
  /// Sends the head (Content-Length: count) and `count` bytes of `file` from `offset`,
  /// with sendfile(2) (over TLS, read and sent), and completes the response. The response
  /// owns `file` until its bytes are out. A file shorter than promised closes the
  /// connection.
  void send_file(OwnedFd file, std::uint64_t offset, std::uint64_t count);

  /// Whether the head has been sent (setters no longer apply).
  bool head_sent() const noexcept;
  /// Whether send(), send_file() or end() was called.
  bool finished() const noexcept;
  /// The status that is or will be sent.
  int status_code() const noexcept;
  /// Whether the request was HEAD (bodies are dropped).
  bool is_head() const noexcept;

  /// Streaming back-pressure (loop thread only): true while the client is behind; stop
  /// writing and wait for on_drain.
  bool congested() const;
  /// Called (on the loop thread) when the client has caught up after congested().
  void on_drain(std::function<void()> fn);

  /// The server makes Responses; an empty one does nothing.
  Response() = default;
  explicit Response(std::shared_ptr<detail::Exchange> exchange) noexcept
      : ex_(std::move(exchange)) {}

 private:
  friend void detail::add_trusted_fields(Response&, std::string_view);
  std::shared_ptr<detail::Exchange> ex_;
};

/// What a server or a route calls for each request.
using Handler = std::function<void(const Request&, Response&)>;

/// The standard reason phrase of a status ("Not Found"), or "" for an unknown code.
std::string_view reason_phrase(int status) noexcept;

}  // namespace soket::proto::http
