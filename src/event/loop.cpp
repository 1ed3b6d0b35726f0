// SPDX-License-Identifier: MIT
#include <soket/event/loop.hpp>

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

#include <soket/error.hpp>
#include <soket/event/handler.hpp>
#include <soket/socket.hpp>

#include "deadline.hpp"
#include "event/loop_impl.hpp"
#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/sys.hpp"

namespace soket::event {

using detail::LoopImpl;

Loop::Loop() : impl_(std::make_unique<LoopImpl>(*this)) {}

Loop::~Loop() {
  for_each_connection([](Connection& c) { c.close(); });
  // Connects still in flight, including any an on_close above just started: abandoned, their
  // sockets closed, their handlers never called (a handler may already be gone).
  while (!impl_->owned.empty()) {
    std::unique_ptr<Watcher> w = std::move(impl_->owned.back());
    impl_->owned.pop_back();
  }
}

std::unique_ptr<Watcher> LoopImpl::disown(Watcher* w) noexcept {
  auto it = std::find_if(owned.begin(), owned.end(), [w](const auto& p) { return p.get() == w; });
  if (it == owned.end()) return nullptr;
  std::unique_ptr<Watcher> out = std::move(*it);
  *it = std::move(owned.back());
  owned.pop_back();
  return out;
}

bool Loop::in_loop_thread() const noexcept {
  return impl_->thread.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

bool Loop::running() const noexcept {
  return impl_->thread.load(std::memory_order_relaxed) != std::thread::id{};
}

void detail::check_loop_thread(const Loop& loop, const char* what) noexcept {
  if (loop.running() && !loop.in_loop_thread()) {
    std::string why = std::string(what) + " called from a thread other than its loop's";
    thread_rule_broken(why.c_str());
  }
}

void detail::thread_rule_broken(const char* what) noexcept {
  std::string line = std::string("soket: thread rule broken: ") + what + "\n";
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  std::abort();
}

void Loop::run() {
  auto& d = *impl_;
  d.thread.store(std::this_thread::get_id());
  bool more_posted = false;
  while (!d.stopping.load(std::memory_order_acquire)) {
    long long timeout_ms = -1;
    if (more_posted) {
      timeout_ms = 0;
    } else if (auto next = d.timers.next_deadline()) {
      // Round up, so the loop never wakes a little early and spins with a zero timeout.
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
      timeout_ms = left < 0 ? 0 : left;
    }
    d.poller.wait(std::chrono::milliseconds(timeout_ms));
    d.now = Clock::now();
    d.timers.run_expired(d.now);
    d.run_posted();
    if (!d.deferred.empty()) d.flush_deferred();
    more_posted = d.has_posted.load(std::memory_order_acquire);
  }
  d.run_posted();
  d.stopping.store(false);
  d.thread.store(std::thread::id{});
}

void Loop::stop() {
  impl_->stopping.store(true, std::memory_order_release);
  impl_->poller.wakeup();
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->posted.push_back(std::move(fn));
    impl_->has_posted.store(true, std::memory_order_release);
  }
  if (!in_loop_thread()) impl_->poller.wakeup();
}

void Loop::dispatch(std::function<void()> fn) {
  if (in_loop_thread())
    fn();
  else
    post(std::move(fn));
}

void LoopImpl::run_posted() {
  if (!has_posted.load(std::memory_order_acquire)) return;
  {
    std::lock_guard lock(mu);
    running.swap(posted);  // run without the lock, so callbacks may post again
    has_posted.store(false, std::memory_order_relaxed);
  }
  for (auto& fn : running) {
    try {
      fn();
    } catch (...) {
      // A posted function has no connection to blame: report it and run the next one.
      report_error("posted function", std::current_exception());
    }
  }
  running.clear();
}

TimerId Loop::call_after(Clock::duration delay, std::function<void()> fn) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::call_after");
  return impl_->timers.add(soket::detail::deadline_after(delay), Clock::duration::zero(),
                           std::move(fn));
}

TimerId Loop::call_every(Clock::duration period, std::function<void()> fn) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::call_every");
  if (period <= Clock::duration::zero()) period = std::chrono::milliseconds(1);
  return impl_->timers.add(soket::detail::deadline_after(period), period, std::move(fn));
}

bool Loop::cancel(TimerId id) noexcept {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::cancel");
  return impl_->timers.cancel(id);
}

Loop::Clock::time_point Loop::now() const noexcept {
  return impl_->now;
}

void Loop::watch(Watcher& w, std::uint32_t interest) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::watch");
  std::error_code ec;
  if (w.registered_) {
    if (w.interest_ == interest) return;
    impl_->poller.modify(w, interest, ec);
  } else {
    impl_->poller.add(w, interest, ec);
  }
  if (ec) throw_error(ec, "epoll_ctl fd " + std::to_string(w.fd()));
  w.registered_ = true;
  w.interest_ = interest;
}

void Loop::unwatch(Watcher& w) noexcept {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::unwatch");
  if (!w.registered_) return;
  std::error_code ignored;
  impl_->poller.remove(w, ignored);
  w.registered_ = false;
  w.interest_ = 0;
}

ConnectionId Loop::adopt(Socket&& socket, Handler& handler, const ConnectionOptions& options,
                         void* context) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::adopt");
  int fd = socket.fileno();
  std::error_code ec;
  sys::set_nonblocking(fd, true, ec);
  if (ec) throw_error(ec, "adopt");
  return impl_->adopt(socket.detach(), handler, options, context);
}

ConnectionId Loop::adopt(int fd, Handler& handler, const ConnectionOptions& options,
                         void* context) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::adopt");
  std::error_code ec;
  sys::set_nonblocking(fd, true, ec);
  if (ec) throw_error(ec, "adopt fd " + std::to_string(fd));
  return impl_->adopt(fd, handler, options, context);
}

ConnectionId LoopImpl::adopt(int fd, Handler& handler, const ConnectionOptions& options,
                             void* context) {
  if (free_slots.empty()) {
    auto base = static_cast<std::uint32_t>(chunks.size() * chunk_size);
    chunks.push_back(std::make_unique<Connection[]>(chunk_size));
    for (std::size_t i = chunk_size; i-- > 0;) {
      chunks.back()[i].slot_ = base + static_cast<std::uint32_t>(i);
      free_slots.push_back(base + static_cast<std::uint32_t>(i));
    }
  }
  Connection& c = at(free_slots.back());
  c.set_fd(fd);
  c.loop_ = &self;
  c.handler_ = &handler;
  c.options_ = &options;
  c.context_ = context;
  c.last_active_ = tick();
  c.congested_ = c.reading_paused_ = c.eof_ = false;
  c.shutdown_pending_ = c.close_pending_ = c.write_shut_ = c.deferred_ = false;
  std::error_code ec;
  poller.add(c, Watcher::readable, ec);
  if (ec) {
    std::error_code ignored;
    sys::close(fd, ignored);
    throw_error(ec, "epoll_ctl(add connection)");
  }
  free_slots.pop_back();
  c.registered_ = true;
  c.interest_ = Watcher::readable;
  c.state_ = Connection::State::open;
  ++live;
  if (options.idle_timeout.count() > 0) {
    // One coarse sweep per loop instead of a timer per connection.
    Clock::duration period = options.idle_timeout / 4;
    period =
        std::clamp<Clock::duration>(period, std::chrono::milliseconds(10), std::chrono::seconds(1));
    if (!sweep || period < sweep_period) {
      if (sweep) timers.cancel(sweep);
      sweep_period = period;
      sweep = self.call_every(period, [this] { sweep_idle(); });
    }
  }
  ConnectionId id = c.id();
  try {
    handler.on_open(c);
  } catch (...) {
    // The connection is adopted (counted, on_close will come): the handler decides its fate.
    route_error(handler, &c, std::current_exception());
  }
  return id;
}

void LoopImpl::release(Connection& c) noexcept {
  c.state_ = Connection::State::free;
  if (++c.generation_ == 0) c.generation_ = 1;
  c.set_fd(-1);
  c.registered_ = false;
  c.interest_ = 0;
  free_slots.push_back(c.slot_);
  --live;
}

void LoopImpl::flush_deferred() {
  // Connections closed since they queued have out_ == nullptr (close gave it back).
  if (!uring) uring = std::make_unique<sys::Uring>(1024);
  std::size_t i = 0;
  while (i < deferred.size()) {
    std::size_t first = i;
    for (; i < deferred.size(); ++i) {
      Connection* c = deferred[i];
      // A slot closed and reused in this turn appears twice: the first visit handles it.
      if (!c->deferred_) continue;
      c->deferred_ = false;
      if (!c->out_ || c->state_ != Connection::State::open) continue;
      if (!uring->ok() || c->out_->file_fd >= 0) continue;  // flushed one by one below
      if (!uring->queue_send(c->fd(), c->out_->buf.peek(), c->out_->buf.readable(), i)) {
        c->deferred_ = true;  // ring full: this one starts the next round
        break;
      }
    }
    std::error_code ec;
    bool submitted =
        uring->ok() && uring->submit_and_reap(
                           [&](std::uint64_t k, int res) {
                             Connection* c = deferred[k];
                             if (res > 0) c->out_->buf.retrieve(static_cast<std::size_t>(res));
                             c->deferred_ = true;  // marks "handled by the ring" for the pass below
                             if (res < 0 && res != -EAGAIN && res != -EINTR)
                               c->close_with({-res, std::system_category()});
                           },
                           ec);
    for (std::size_t k = first; k < i; ++k) {
      Connection* c = deferred[k];
      bool by_ring = submitted && c->deferred_;
      c->deferred_ = false;
      if (c->state_ != Connection::State::open || !c->out_) continue;
      if (!by_ring) {
        c->flush();  // no ring, a file queued, or the submission failed: plain send(2)
        continue;
      }
      if (c->out_->buf.empty() && c->out_->file_fd < 0) {
        give_output(c->out_);
        c->out_ = nullptr;
      }
      c->after_write();  // arms EPOLLOUT for what is left, on_drain, shutdown, drain-close
    }
  }
  deferred.clear();
}

void LoopImpl::sweep_idle() {
  std::uint64_t t = tick();
  for (auto& chunk : chunks) {
    for (std::size_t i = 0; i < chunk_size; ++i) {
      Connection& c = chunk[i];
      if (c.state_ != Connection::State::open) continue;
      auto limit = static_cast<std::uint64_t>(
          soket::detail::saturating_cast<std::chrono::milliseconds>(c.options_->idle_timeout)
              .count());
      if (limit > 0 && t - c.last_active_ >= limit)
        c.close_with(std::make_error_code(std::errc::timed_out));
    }
  }
}

Connection* Loop::find(ConnectionId id) noexcept {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::find");
  auto& d = *impl_;
  if (id.slot / LoopImpl::chunk_size >= d.chunks.size()) return nullptr;
  Connection& c = d.at(id.slot);
  if (c.generation_ != id.generation || c.state_ != Connection::State::open) return nullptr;
  return &c;
}

std::size_t Loop::connection_count() const noexcept {
  return impl_->live;
}

void Loop::for_each_connection(const std::function<void(Connection&)>& fn) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::for_each_connection");
  for (auto& chunk : impl_->chunks)
    for (std::size_t i = 0; i < LoopImpl::chunk_size; ++i)
      if (chunk[i].state_ == Connection::State::open) fn(chunk[i]);
}

void Loop::drain(Clock::time_point deadline, std::function<void()> done) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::drain");
  auto& d = *impl_;
  d.draining = true;
  for_each_connection([](Connection& c) {
    if (c.output_empty()) c.close();
  });
  auto check = std::make_shared<TimerId>();
  auto finish = [this, check, deadline, done = std::move(done)] {
    if (impl_->live != 0 && Clock::now() < deadline) return;
    for_each_connection([](Connection& c) { c.close(); });
    cancel(*check);
    impl_->draining = false;
    done();
  };
  *check = call_every(std::chrono::milliseconds(5), finish);
}

detail::Output* LoopImpl::take_output() {
  if (out_pool.empty()) return new Output;
  Output* o = out_pool.back().release();
  out_pool.pop_back();
  return o;
}

void LoopImpl::give_output(Output* o) noexcept {
  o->buf.retrieve_all();
  o->buf.trim(pool_keep);
  o->file_fd = -1;
  o->file_mark = o->file_left = 0;
  if (out_pool.size() < pool_max) {
    try {
      out_pool.emplace_back(o);
      return;
    } catch (...) {
    }
  }
  delete o;
}

Buffer* LoopImpl::take_input() {
  if (in_pool.empty()) return new Buffer;
  Buffer* b = in_pool.back().release();
  in_pool.pop_back();
  return b;
}

void LoopImpl::give_input(Buffer* b) noexcept {
  b->retrieve_all();
  b->trim(pool_keep);
  if (in_pool.size() < pool_max) {
    try {
      in_pool.emplace_back(b);
      return;
    } catch (...) {
    }
  }
  delete b;
}

}  // namespace soket::event
