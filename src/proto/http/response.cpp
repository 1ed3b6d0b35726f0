// SPDX-License-Identifier: MIT
// Response: the handler's side of an exchange — checks, the head, chunk framing — handing
// each piece to the connection's loop (Exchange::submit).
#include <soket/proto/http/response.hpp>

#include <array>
#include <charconv>
#include <stdexcept>
#include <string>

#include "chars.hpp"
#include "server_core.hpp"

namespace soket::proto::http {

namespace {

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!detail::is(c, detail::tchar)) return false;
  return true;
}

bool is_safe_value(std::string_view s) noexcept {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

std::string_view hex(std::array<char, 24>& buf, std::uint64_t n) {
  auto r = std::to_chars(buf.data(), buf.data() + 16, n, 16);
  *r.ptr++ = '\r';
  *r.ptr++ = '\n';
  return {buf.data(), static_cast<std::size_t>(r.ptr - buf.data())};
}

bool bodiless(int status) noexcept {
  return status < 200 || status == 204 || status == 304;
}

}  // namespace

Response& Response::status(int code, std::string_view reason) {
  if (!ex_) return *this;
  if (ex_->head_sent) throw std::logic_error("http response: status set after the head was sent");
  if (code < 100 || code > 999) throw std::invalid_argument("http response: status out of range");
  if (!is_safe_value(reason)) throw std::invalid_argument("http response: CR or LF in reason");
  ex_->status = code;
  ex_->reason.assign(reason);
  return *this;
}

Response& Response::header(std::string_view name, std::string_view value) {
  if (!ex_) return *this;
  if (ex_->head_sent) throw std::logic_error("http response: header set after the head was sent");
  if (!is_token(name)) throw std::invalid_argument("http response: header name is not a token");
  if (!is_safe_value(value))
    throw std::invalid_argument("http response: CR, LF or NUL in a header value");
  if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
      iequals(name, "Connection"))
    throw std::invalid_argument("http response: " + std::string(name) +
                                " is the server's (use content_length())");
  if (iequals(name, "Date")) ex_->own_date = true;
  if (iequals(name, "Server")) ex_->own_server = true;
  ex_->fields.append(name).append(": ").append(value).append("\r\n");
  return *this;
}

Response& Response::content_length(std::uint64_t length) {
  if (!ex_) return *this;
  if (ex_->head_sent) throw std::logic_error("http response: length set after the head was sent");
  ex_->length = length;
  return *this;
}

void Response::write(std::string_view piece) {
  if (!ex_) return;
  detail::Exchange& ex = *ex_;
  if (ex.finished) throw std::logic_error("http response: write after the response ended");
  if (ex.length && piece.size() > *ex.length - ex.written)
    throw std::length_error("http response: body longer than its Content-Length");
  detail::Op op;
  std::string head;
  if (!ex.head_sent) {
    ex.head_sent = true;
    if (!ex.length) {
      if (bodiless(ex.status))
        ex.length = 0;
      else if (ex.http10)
        ex.until_close = true;
      else
        ex.chunked = true;
    }
    detail::build_head(head, ex, !ex.keep_alive || ex.until_close, ex.link->server_name);
    op.status = ex.status;
    op.add(head);
  }
  ex.written += piece.size();
  std::array<char, 24> size_line{};
  if (!ex.head_request && !piece.empty() && !bodiless(ex.status)) {
    op.body_bytes = piece.size();
    if (ex.chunked) op.add(hex(size_line, piece.size()));
    op.add(piece);
    if (ex.chunked) op.add("\r\n");
  }
  if (op.count > 0) ex.submit(op);
}

void Response::end() {
  if (!ex_) return;
  detail::Exchange& ex = *ex_;
  if (ex.finished) return;
  if (!ex.head_sent && !ex.length) ex.length = 0;
  if (!ex.head_sent) write({});
  ex.finished = true;
  detail::Op op;
  op.end = true;
  op.close = !ex.keep_alive || ex.until_close;
  if (ex.length && ex.written < *ex.length) op.close = true;  // short: the client must see it
  if (ex.chunked && !ex.head_request) op.add("0\r\n\r\n");
  ex.submit(op);
}

void Response::send(std::string_view body) {
  if (!ex_) return;
  if (!ex_->head_sent) ex_->length = body.size();
  write(body);
  end();
}

void Response::send_file(OwnedFd file, std::uint64_t offset, std::uint64_t count) {
  if (!ex_) return;
  detail::Exchange& ex = *ex_;
  if (ex.head_sent) throw std::logic_error("http response: send_file after the head was sent");
  ex.length = count;
  ex.head_sent = true;
  ex.finished = true;
  detail::Op op;
  std::string head;
  detail::build_head(head, ex, !ex.keep_alive, ex.link->server_name);
  op.status = ex.status;
  op.add(head);
  if (!ex.head_request && !bodiless(ex.status) && count > 0) {
    op.file = std::move(file);
    op.offset = offset;
    op.length = count;
    op.body_bytes = count;
  }
  op.end = true;
  op.close = !ex.keep_alive;
  ex.submit(op);
}

bool Response::head_sent() const noexcept {
  return ex_ && ex_->head_sent;
}
bool Response::finished() const noexcept {
  return ex_ && ex_->finished;
}
int Response::status_code() const noexcept {
  return ex_ ? ex_->status : 0;
}
bool Response::is_head() const noexcept {
  return ex_ && ex_->head_request;
}

bool Response::congested() const {
  return ex_ && ex_->core->congested(*ex_);
}

void Response::on_drain(std::function<void()> fn) {
  if (ex_) ex_->core->set_drain(*ex_, std::move(fn));
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

namespace detail {

void add_trusted_fields(Response& response, std::string_view lines) {
  Exchange* ex = response.ex_.get();
  if (!ex) return;
  if (ex->head_sent) throw std::logic_error("http response: header set after the head was sent");
  ex->fields.append(lines);
}

void Exchange::submit(Op& op) {
  if (loop_core == core && std::this_thread::get_id() == loop_thread) return core->apply(*this, op);
  // Off the loop: copy the bytes and post (the views are rebuilt over the copy there).
  std::string bytes;
  for (std::size_t i = 0; i < op.count; ++i) bytes.append(op.parts[i]);
  auto posted = std::make_shared<Op>();
  posted->storage = std::move(bytes);
  posted->file = std::move(op.file);
  posted->offset = op.offset;
  posted->length = op.length;
  posted->status = op.status;
  posted->body_bytes = op.body_bytes;
  posted->end = op.end;
  posted->close = op.close;
  std::lock_guard lock(link->mutex);
  if (!link->engine) return;
  link->engine->post(conn, [self = shared_from_this(), posted](event::Connection& c) {
    posted->add(posted->storage);
    self->core->apply(c, *self, *posted);
  });
}

}  // namespace detail
}  // namespace soket::proto::http
