// SPDX-License-Identifier: MIT
// Loop: the reactor, one per thread — a poller, watchers, timers, posted functions — and the
// home of the connections adopted into it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <soket/event/backend.hpp>
#include <soket/event/clock.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/timer_queue.hpp>
#include <soket/event/watcher.hpp>

namespace soket {
class Socket;
}

namespace soket::event {

class Handler;
namespace detail {
struct Reactor;
class Poller;
class ConnectionManager;
}  // namespace detail

/// The reactor, at most one per thread (muduo's EventLoop). It owns its poller (epoll, behind
/// an interface), its timers, the queue of posted functions, and a connection manager that
/// keeps the connections adopted into it (the adopt/find/drain members below forward to it).
///
/// One turn of run(): wait in the poller until the next timer deadline (or a wakeup);
/// dispatch the ready watchers; run due timers; swap out the posted functions and run them
/// (the lock is never held while they run); submit the connections' batched sends.
///
/// Thread rules: the thread that calls run() is the loop thread. post(), stop(),
/// in_loop_thread() and running() are safe from any thread; everything else is loop thread
/// only (or any thread while the loop is not running). Debug and sanitizer builds assert this
/// in every loop-thread-only entry point (here, in Connection and in DatagramServer) and abort
/// with "soket: thread rule broken: <function> called from a thread other than its loop's".
///
/// Exceptions: a timer or posted function that throws is reported on stderr (one line, "soket:
/// timer: <what()>") and the loop goes on; a repeating timer keeps its schedule. Connection
/// callbacks go to Handler::handle_error (handler.hpp).
class Loop {
 public:
  using Clock = event::Clock;

  /// Loop(Backend::automatic): epoll, or what SOKET_BACKEND names.
  Loop();
  /// Waits with `backend` (backend.hpp): uring falls back to epoll where io_uring is missing
  /// or forbidden. Throws soket::Error if epoll or eventfd cannot be created, and
  /// std::invalid_argument if SOKET_BACKEND names no backend.
  explicit Loop(Backend backend);
  /// Closes every connection still adopted (on_close runs), then cancels the connects still in
  /// flight (event::connect) without calling their handlers — call from the loop thread or
  /// after run() returned.
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  /// Runs until stop(). Functions posted before stop() are run before run() returns.
  void run();
  /// Makes run() return after the current turn. Safe from any thread, also before run().
  void stop();
  /// Queues fn to run on the loop thread and wakes the loop. Safe from any thread.
  void post(std::function<void()> fn);
  /// Runs fn now if called on the loop thread, otherwise post(fn).
  void dispatch(std::function<void()> fn);
  bool in_loop_thread() const noexcept;
  /// The poller actually in use (epoll or uring, never automatic).
  Backend backend() const noexcept;
  /// This loop's number, unique in the process (never 0): the `loop` of its ConnectionIds.
  std::uint32_t id() const noexcept { return id_; }
  /// True while run() executes, on whichever thread. Safe from any thread.
  bool running() const noexcept;

  /// Timers (loop thread only). The callback runs on the loop thread.
  TimerId call_after(Duration delay, std::function<void()> fn);
  TimerId call_every(Duration period, std::function<void()> fn);
  /// False if the timer already ran or was cancelled.
  bool cancel(TimerId id) noexcept;
  /// The time this turn started (cached; cheap).
  Clock::time_point now() const noexcept;

  /// Registers or updates `w` for `interest` (Watcher::readable | writable); 0 keeps it
  /// registered but quiet. Throws soket::Error naming the fd.
  void watch(Watcher& w, std::uint32_t interest);
  /// Removes `w`; harmless if not registered.
  void unwatch(Watcher& w) noexcept;

  /// Adopts a connected stream socket (made non-blocking) as a Connection served by `handler`
  /// with `options` (both must outlive it) and its context set to `context` (a pointer or a
  /// small value, see Context); on_open runs before this returns. Closing the connection
  /// removes the descriptor from the poller explicitly, so a dup of it (or a forked child's
  /// copy) kept elsewhere is harmless.
  ConnectionId adopt(Socket&& socket, Handler& handler, const ConnectionOptions& options,
                     Context context = {});
  /// The same for a raw descriptor, which the connection then owns.
  ConnectionId adopt(int fd, Handler& handler, const ConnectionOptions& options,
                     Context context = {});
  /// The connection named by id, or nullptr if it has closed (a stale id) or is another
  /// loop's.
  Connection* find(ConnectionId id) noexcept;
  /// Open connections in this loop.
  std::size_t connection_count() const noexcept;
  /// Calls fn for each open connection.
  void for_each_connection(const std::function<void(Connection&)>& fn);

  /// Graceful drain: closes connections as soon as their output is flushed (idle ones now);
  /// at `deadline` closes the rest; then calls done(). Loop thread only.
  void drain(Clock::time_point deadline, std::function<void()> done);

  /// The engine's own handle on the connection manager (an internal type: of no use outside
  /// the library).
  detail::ConnectionManager& connections() noexcept;
  /// ...and on its poller (for the completion model's sends).
  detail::Poller& poller() noexcept;

 private:
  std::unique_ptr<detail::Reactor> impl_;
  std::unique_ptr<detail::ConnectionManager> connections_;
  std::uint32_t id_;
};

}  // namespace soket::event
