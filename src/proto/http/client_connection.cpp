// SPDX-License-Identifier: MIT
// Connection (buffered I/O with the client's timeouts) and Pool (idle connections per host).
#include "proto/http/client_connection.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <soket/error.hpp>

#include "deadline.hpp"
#include "linux/poll.hpp"

namespace soket::proto::http::detail {

namespace {
// Large enough that a fast download costs few system calls per MiB (curl reads 100 KiB at once
// on loopback), small enough for many idle connections.
constexpr std::size_t initial_buffer = 128 * 1024;
}  // namespace

Connection::Connection(std::string key_, Socket sock, const Limits& limits)
    : key(std::move(key_)),
      parser(Parser::Kind::response, limits),
      sock_(std::move(sock)),
      buf_(initial_buffer),
      max_buffer_(std::max(initial_buffer, limits.max_head + limits.max_field_line)) {}

Connection::~Connection() = default;

void Connection::start_tls(const tls::SSLContext& context, const std::string& server_hostname) {
  apply_timeout();
  tls_ = std::make_unique<tls::SSLSocket>(
      context.wrap_socket(std::move(sock_), false, server_hostname));
}

void Connection::arm(Deadline deadline, std::optional<Seconds> read_timeout, std::string what) {
  deadline_ = deadline;
  read_timeout_ = read_timeout;
  what_ = std::move(what);
}

[[noreturn]] void Connection::total_timeout() const {
  throw TimeoutError(timed_out_error(), what_ + ": total timeout");
}

// The socket's timeout for the next call: the per-read timeout, cut to what is left of the
// total. Set only when it changes (each settimeout is a system call the first time).
void Connection::apply_timeout() {
  Timeout t;
  if (read_timeout_) t = ::soket::detail::saturating_cast<std::chrono::nanoseconds>(*read_timeout_);
  if (deadline_ != Deadline::max()) {
    auto left = ::soket::detail::time_left(deadline_);
    if (left <= Deadline::duration::zero()) total_timeout();
    auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left);
    if (!t || left_ns < *t) t = left_ns;
  }
  if (timeout_set_ && t == applied_) return;
  Socket& s = tls_ ? tls_->socket() : sock_;
  s.settimeout(t);
  applied_ = t;
  timeout_set_ = true;
}

void Connection::send(std::string_view bytes) {
  apply_timeout();
  try {
    if (tls_)
      tls_->sendall(bytes);
    else
      sock_.sendall(bytes);
  } catch (const TimeoutError&) {
    if (deadline_ != Deadline::max() && ::soket::detail::time_left(deadline_).count() == 0)
      total_timeout();
    throw;
  }
}

std::size_t Connection::fill() {
  if (start_ == end_) {
    start_ = end_ = 0;
  } else if (end_ == buf_.size()) {
    if (start_ > 0) {
      std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    } else if (buf_.size() < max_buffer_) {
      buf_.resize(std::min(max_buffer_, buf_.size() * 2));
    } else {
      // The parser reports the head limit before this: a full buffer means one piece of
      // input the parser could not use, which its limits already bound.
      throw HTTPException(what_ + ": response head larger than the limits allow");
    }
  }
  apply_timeout();
  std::span<std::byte> room(reinterpret_cast<std::byte*>(buf_.data() + end_), buf_.size() - end_);
  std::size_t n;
  try {
    n = tls_ ? tls_->recv_into(room) : sock_.recv_into(room);
  } catch (const TimeoutError&) {
    if (deadline_ != Deadline::max() && ::soket::detail::time_left(deadline_).count() == 0)
      total_timeout();
    throw;
  }
  end_ += n;
  if (n > 0) answered = true;
  return n;
}

bool Connection::stale() const {
  if (start_ != end_) return true;
  if (tls_ && tls_->pending() > 0) return true;
  std::error_code ec;
  const int fd = tls_ ? tls_->fileno() : sock_.fileno();
  const bool readable = sys::wait(fd, sys::Want::read, std::chrono::nanoseconds(0), ec);
  return readable || ec;
}

Pool::Pool(ClientOptions options_)
    : options(std::move(options_)),
      proxies(options.proxies ? *options.proxies : getproxies_environment()),
      context_(options.context) {}

const tls::SSLContext& Pool::context() {
  std::lock_guard lock(mutex_);
  if (!context_) context_ = tls::create_default_context();
  return *context_;
}

std::unique_ptr<Connection> Pool::take(const std::string& key) {
  std::unique_ptr<Connection> conn;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      auto it = idle_.find(key);
      if (it == idle_.end() || it->second.empty()) return nullptr;
      conn = std::move(it->second.back());
      it->second.pop_back();
    }
    if (!conn->stale()) break;
    trace('*', "Dropping a kept connection to " + key + " that its server closed");
    conn.reset();
  }
  conn->reused = true;
  conn->answered = false;
  return conn;
}

void Pool::put(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  auto& list = idle_[conn->key];
  if (list.size() >= options.max_idle_per_host) return;  // conn closes as it goes
  list.push_back(std::move(conn));
}

std::size_t Pool::idle() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

void Pool::clear() {
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> drop;
  std::lock_guard lock(mutex_);
  drop.swap(idle_);
}

}  // namespace soket::proto::http::detail
