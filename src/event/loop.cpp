// SPDX-License-Identifier: MIT
// The reactor: poller, timers, posted functions, watchers. Connections are the
// ConnectionManager's (connection_manager.cpp); the Loop only owns it and forwards to it.
#include <soket/event/loop.hpp>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soket/error.hpp>
#include <soket/event/handler.hpp>
#include <soket/socket.hpp>

#include "deadline.hpp"
#include "event/connection_manager.hpp"
#include "event/poller.hpp"
#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/fd.hpp"

namespace soket::event {

namespace detail {

struct Reactor {
  explicit Reactor(Backend backend) : poller(make_poller(backend)) {}

  std::unique_ptr<Poller> poller;
  TimerQueue timers;
  Clock::time_point now = Clock::now();
  std::atomic<bool> stopping{false};
  std::atomic<std::thread::id> thread{};

  std::mutex mu;
  std::vector<std::function<void()>> posted;  // guarded by mu
  std::atomic<bool> has_posted{false};        // lets a turn skip the lock when nothing came
  std::vector<std::function<void()>> running;

  void run_posted() {
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
};

void check_loop_thread(const Loop& loop, const char* what) noexcept {
  if (loop.running() && !loop.in_loop_thread()) {
    std::string why = std::string(what) + " called from a thread other than its loop's";
    thread_rule_broken(why.c_str());
  }
}

void thread_rule_broken(const char* what) noexcept {
  std::string line = std::string("soket: thread rule broken: ") + what + "\n";
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  std::abort();
}

}  // namespace detail

namespace {

// Loop ids are unique in the process, so ConnectionIds of different loops never collide.
std::uint32_t next_loop_id() noexcept {
  static std::atomic<std::uint32_t> next{1};
  std::uint32_t id = next.fetch_add(1, std::memory_order_relaxed);
  while (id == 0) id = next.fetch_add(1, std::memory_order_relaxed);  // 0 names no loop
  return id;
}

}  // namespace

Loop::Loop() : Loop(Backend::automatic) {}

Loop::Loop(Backend backend)
    : impl_(std::make_unique<detail::Reactor>(backend)),
      connections_(std::make_unique<detail::ConnectionManager>(*this)),
      id_(next_loop_id()) {}

// connections_ goes first (members are destroyed in reverse): it closes the connections and
// cancels the connects while the reactor they unwatch from still exists.
Loop::~Loop() = default;

Backend Loop::backend() const noexcept {
  return impl_->poller->backend();
}

bool Loop::in_loop_thread() const noexcept {
  return impl_->thread.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

bool Loop::running() const noexcept {
  return impl_->thread.load(std::memory_order_relaxed) != std::thread::id{};
}

void Loop::run() {
  auto& d = *impl_;
  SOKET_THREAD_RULE(!running(), "Loop::run called while the loop already runs");
  d.thread.store(std::this_thread::get_id());
  // A poller that cannot go on throws (io_uring: a ring bound to another thread): the loop
  // then no longer runs, and clean-up may happen on any thread.
  struct Leave {
    std::atomic<std::thread::id>& thread;
    ~Leave() { thread.store(std::thread::id{}); }
  } leave{d.thread};
  bool more_posted = false;
  while (!d.stopping.load(std::memory_order_acquire)) {
    long long timeout_ms = -1;
    if (more_posted) {
      timeout_ms = 0;
    } else if (auto next = d.timers.next_deadline()) {
      // Round up, so the loop never wakes a little early and spins with a zero timeout.
      // Saturating: a far deadline (Clock::time_point::max()) means "no timer".
      auto left = soket::detail::time_left(*next);
      timeout_ms = left >= std::chrono::hours(24)
                       ? std::chrono::milliseconds(std::chrono::hours(24)).count()
                       : std::chrono::ceil<std::chrono::milliseconds>(left).count();
    }
    // Sends deferred outside a turn (a connection adopted, and sending in on_open, before
    // run()) go out before the wait, which would otherwise wait for their answers forever.
    connections_->end_of_turn();
    d.poller->wait(std::chrono::milliseconds(timeout_ms));
    d.now = Clock::now();
    d.timers.run_expired(d.now);
    d.run_posted();
    connections_->end_of_turn();
    more_posted = d.has_posted.load(std::memory_order_acquire);
  }
  d.run_posted();
  d.stopping.store(false);
}

void Loop::stop() {
  impl_->stopping.store(true, std::memory_order_release);
  impl_->poller->wakeup();
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->posted.push_back(std::move(fn));
    impl_->has_posted.store(true, std::memory_order_release);
  }
  if (!in_loop_thread()) impl_->poller->wakeup();
}

void Loop::dispatch(std::function<void()> fn) {
  if (in_loop_thread())
    fn();
  else
    post(std::move(fn));
}

TimerId Loop::call_after(Duration delay, std::function<void()> fn) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::call_after");
  return impl_->timers.add(soket::detail::deadline_after(delay), Duration::zero(), std::move(fn));
}

TimerId Loop::call_every(Duration period, std::function<void()> fn) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::call_every");
  if (period <= Duration::zero()) period = std::chrono::milliseconds(1);
  return impl_->timers.add(soket::detail::deadline_after(period), period, std::move(fn));
}

bool Loop::cancel(TimerId id) noexcept {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::cancel");
  return impl_->timers.cancel(id);
}

Clock::time_point Loop::now() const noexcept {
  return impl_->now;
}

void Loop::watch(Watcher& w, std::uint32_t interest) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::watch");
  std::error_code ec;
  if (w.registered_) {
    if (w.interest_ == interest) return;
    impl_->poller->modify(w, interest, ec);
  } else {
    impl_->poller->add(w, interest, ec);
  }
  if (ec) throw_error(ec, "watch fd " + std::to_string(w.fd()));
  w.registered_ = true;
  w.interest_ = static_cast<std::uint8_t>(interest);
}

void Loop::unwatch(Watcher& w) noexcept {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::unwatch");
  if (!w.registered_) return;
  std::error_code ignored;
  impl_->poller->remove(w, ignored);
  w.registered_ = false;
  w.interest_ = 0;
}

// Connections: forwarded to the manager.

ConnectionId Loop::adopt(Socket&& socket, Handler& handler, const ConnectionOptions& options,
                         Context context) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::adopt");
  std::error_code ec;
  sys::set_nonblocking(socket.fileno(), true, ec);
  if (ec) throw_error(ec, "adopt");
  return connections_->adopt(socket.detach(), handler, options, context);
}

ConnectionId Loop::adopt(int fd, Handler& handler, const ConnectionOptions& options,
                         Context context) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::adopt");
  std::error_code ec;
  sys::set_nonblocking(fd, true, ec);
  if (ec) throw_error(ec, "adopt fd " + std::to_string(fd));
  return connections_->adopt(fd, handler, options, context);
}

Connection* Loop::find(ConnectionId id) noexcept {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::find");
  return connections_->find(id);
}

std::size_t Loop::connection_count() const noexcept {
  return connections_->size();
}

void Loop::for_each_connection(const std::function<void(Connection&)>& fn) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::for_each_connection");
  connections_->for_each(fn);
}

void Loop::drain(Clock::time_point deadline, std::function<void()> done) {
  SOKET_LOOP_THREAD_ONLY(*this, "Loop::drain");
  connections_->drain(deadline, std::move(done));
}

detail::ConnectionManager& Loop::connections() noexcept {
  return *connections_;
}

detail::Poller& Loop::poller() noexcept {
  return *impl_->poller;
}

}  // namespace soket::event
