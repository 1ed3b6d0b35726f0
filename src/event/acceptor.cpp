// SPDX-License-Identifier: MIT
#include "event/acceptor.hpp"

#include <cerrno>

#include "event/report.hpp"
#include "linux/fd.hpp"
#include "linux/stream_io.hpp"

namespace soket::event::detail {

Acceptor::Acceptor(Server& server, Loop& loop, Socket listener)
    : Watcher(listener.fileno()), server_(server), loop_(loop), listener_(std::move(listener)) {
  std::error_code ec;
  reserve_ = sys::open_reserve(ec);  // without it we can still pause on EMFILE
  loop_.watch(*this, readable);
}

Acceptor::~Acceptor() {
  close();
}

void Acceptor::close() noexcept {
  if (resume_) loop_.cancel(resume_);
  resume_ = {};
  if (listener_) {
    loop_.unwatch(*this);
    std::error_code ignored;
    listener_.close(ignored);
  }
  if (reserve_ >= 0) {
    std::error_code ignored;
    sys::close(reserve_, ignored);
    reserve_ = -1;
  }
}

void Acceptor::pause() {
  // Nothing left to shed the waiting connection with: stop watching for a while rather than
  // spin on a listener that stays readable.
  loop_.unwatch(*this);
  resume_ = loop_.call_after(std::chrono::milliseconds(100), [this] {
    resume_ = {};
    std::error_code ec;
    if (reserve_ < 0) reserve_ = sys::open_reserve(ec);
    if (listener_) loop_.watch(*this, readable);
  });
}

void Acceptor::report(std::error_code ec) noexcept {
  // A logging hook must not stop the accepting: what it throws is reported on stderr.
  try {
    server_.handler_->on_accept_error(ec);
  } catch (...) {
    report_error("on_accept_error", std::current_exception());
  }
}

void Acceptor::handle_events(std::uint32_t) {
  // Bounded per turn so a connect storm cannot starve the connections already open.
  for (int i = 0; i < 256 && listener_; ++i) {
    std::error_code ec;
    int fd = sys::accept_nonblocking(listener_.fileno(), nullptr, nullptr, ec);
    if (fd >= 0) {
      server_.on_accept(loop_, fd);
      continue;
    }
    int e = ec.value();
    if (e == EAGAIN || e == EWOULDBLOCK) return;
    if (e == EINTR || e == ECONNABORTED || e == EPROTO) continue;
    report(ec);
    if ((e == EMFILE || e == ENFILE) && reserve_ >= 0) {
      std::error_code ignored;
      sys::close(reserve_, ignored);
      reserve_ = -1;
      int shed = sys::accept_nonblocking(listener_.fileno(), nullptr, nullptr, ignored);
      if (shed >= 0) {
        sys::close(shed, ignored);
        server_.refused_.fetch_add(1, std::memory_order_relaxed);
      }
      reserve_ = sys::open_reserve(ignored);
      if (reserve_ < 0) return pause();
      continue;
    }
    return pause();  // ENOBUFS, ENOMEM, or EMFILE with no spare: back off
  }
}

}  // namespace soket::event::detail
