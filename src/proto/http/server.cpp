// SPDX-License-Identifier: MIT
// Server: the public face of ServerCore; the Date field and log time; file bodies.
#include <soket/proto/http/server.hpp>

#include <array>
#include <ctime>

#include "linux/file.hpp"
#include "server_core.hpp"

namespace soket::proto::http {

Server::Server(const Address& address, Handler handler, ServerOptions options)
    : core_(std::make_unique<detail::ServerCore>(address, std::move(handler), std::move(options))) {
}

Server::~Server() {
  stop(std::chrono::seconds(0));
}

const Address& Server::address() const noexcept {
  return core_->engine_.address();
}
void Server::start() {
  core_->start();
}
void Server::stop(event::Duration drain) {
  core_->stop(drain);
}
std::size_t Server::connections() const noexcept {
  return core_->engine_.connections();
}
std::uint64_t Server::requests() const noexcept {
  return core_->requests_.load(std::memory_order_relaxed);
}

std::optional<std::string_view> Request::header(std::string_view name) const noexcept {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

namespace detail {

std::string_view date_field() {
  thread_local std::time_t last = -1;
  thread_local std::array<char, 48> text{};
  thread_local std::size_t size = 0;
  const std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    size = std::strftime(text.data(), text.size(), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
  }
  return {text.data(), size};
}

std::string log_time() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 40> text{};
  std::size_t n = std::strftime(text.data(), text.size(), "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
  return {text.data(), n};
}

// A file body: sendfile(2) behind what is queued; over TLS (no sendfile) read and sent as
// the client takes it.
void ServerCore::send_file(event::Connection& c, Session& s, Op& op) {
  std::error_code ec;
  c.sendfile(op.file.get(), static_cast<std::int64_t>(op.offset), op.length, ec);
  if (ec == std::errc::operation_not_supported) {
    s.file = std::move(op.file);
    s.file_offset = op.offset;
    s.file_left = op.length;
    s.file_by_read = true;
    s.file_pending = true;
    return read_file(c, s);
  }
  if (ec) return c.close();
  if (c.output_size() > 0) {  // the file must stay open until its bytes are out
    s.file = std::move(op.file);
    s.file_pending = true;
    poll_file(c, s);
  }
}

// Reads and queues the file until the connection is congested (on_drain comes back here),
// so a slow client holds at most about high_water + one piece, whatever the file's size.
void ServerCore::read_file(event::Connection& c, Session& s) {
  std::array<char, 64 * 1024> buf{};
  while (s.file_left > 0 && c.is_open() && !c.congested()) {
    std::error_code ec;
    const ssize_t n =
        sys::read_at(s.file.get(), buf.data(), std::min<std::uint64_t>(s.file_left, buf.size()),
                     &s.file_offset, ec);
    if (n < 0 && ec == std::errc::interrupted) continue;
    if (n <= 0) return c.close();  // shorter than promised: the client must see it
    c.send(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    s.file_left -= static_cast<std::uint64_t>(n);
    s.file_offset += static_cast<std::uint64_t>(n);
  }
  if (c.is_open() && s.file_left == 0) file_done(c, s);
}

// Whether the file in flight is out; if not, look again soon (the engine tells when the
// queue falls below its low-water mark, not when it empties).
void ServerCore::poll_file(event::Connection& c, Session& s) {
  if (s.file_by_read) return read_file(c, s);
  if (c.output_size() == 0) return file_done(c, s);
  if (s.poll_armed) return;
  s.poll_armed = true;
  c.loop().call_after(std::chrono::milliseconds(1), [this, loop = &c.loop(), id = c.id()] {
    event::Connection* conn = loop->find(id);
    if (!conn) return;
    Session& again = **conn->context<Session*>();
    again.poll_armed = false;
    if (again.file_pending) poll_file(*conn, again);
  });
}

void ServerCore::file_done(event::Connection& c, Session& s) {
  s.file.reset();
  s.file_pending = s.file_by_read = false;
  if (s.close_after_file) return c.close_after_flush();
  if (!s.busy && !s.pumping) resume(c, s);
}

}  // namespace detail
}  // namespace soket::proto::http
