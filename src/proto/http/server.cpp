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

// A file body: sendfile(2) behind what is queued; over TLS (no sendfile) read and sent.
void ServerCore::send_file(event::Connection& c, Session& s, Op& op) {
  std::error_code ec;
  c.sendfile(op.file.get(), static_cast<std::int64_t>(op.offset), op.length, ec);
  if (ec == std::errc::operation_not_supported) {
    std::array<char, 64 * 1024> buf{};
    std::uint64_t left = op.length, off = op.offset;
    while (left > 0 && c.is_open()) {
      std::error_code rec;
      ssize_t n = sys::read_at(op.file.get(), buf.data(), std::min<std::uint64_t>(left, buf.size()),
                               &off, rec);
      if (n < 0 && rec == std::errc::interrupted) continue;
      if (n <= 0) return c.close();  // shorter than promised: the client must see it
      c.send(std::string_view(buf.data(), static_cast<std::size_t>(n)));
      left -= static_cast<std::uint64_t>(n);
      off += static_cast<std::uint64_t>(n);
    }
    return;
  }
  if (ec) return c.close();
  if (c.output_size() > 0) {  // the file must stay open until its bytes are out
    s.file = std::move(op.file);
    s.file_pending = true;
    poll_file(c, s);
  }
}

// Whether the file in flight is out; if not, look again soon (the engine tells when the
// queue falls below its low-water mark, not when it empties).
void ServerCore::poll_file(event::Connection& c, Session& s) {
  if (c.output_size() == 0) {
    s.file.reset();
    s.file_pending = false;
    if (!s.busy && !s.pumping) resume(c, s);
    return;
  }
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

}  // namespace detail
}  // namespace soket::proto::http
