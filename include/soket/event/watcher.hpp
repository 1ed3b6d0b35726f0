// SPDX-License-Identifier: MIT
// Watcher: one file descriptor's interest in readiness and the code to run when it is ready.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>

namespace soket::event {

namespace detail {
/// What a poller keeps per watcher: the io_uring poller's request names (a generation and a
/// sequence per request kind) and what it has armed. Kept in the watcher, in room that was
/// padding, so the poller needs nothing per descriptor beyond a pointer. Not for users.
struct PollerTag {
  std::uint32_t generation = 0;
  std::uint8_t poll_seq = 0, recv_seq = 0;
  std::uint8_t interest : 2 = 0;
  bool poll_armed : 1 = false, recv_armed : 1 = false;
};
struct PollerAccess;  // src/event/poller.hpp: the pollers' way to a watcher's PollerTag
}  // namespace detail

/// A selectable descriptor registered with a Loop (muduo's Channel). It does NOT own the
/// descriptor, and it lives inside its owner, so registering allocates nothing; the poller
/// stores its address (epoll data.ptr). Unwatch it before it or its descriptor goes away.
///
/// Thread rules: loop thread only, like everything registered with a Loop.
class Watcher {
 public:
  /// Readiness bits passed to handle_events(); readable and writable are also interest bits.
  static constexpr std::uint32_t readable = 1, writable = 2, hangup = 4, error = 8;

  explicit Watcher(int fd = -1) noexcept : fd_(fd) {}
  virtual ~Watcher() = default;
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  int fd() const noexcept { return fd_; }
  /// Changes the descriptor; only while not registered.
  void set_fd(int fd) noexcept { fd_ = fd; }
  /// The interest mask the Loop last registered (readable | writable).
  std::uint32_t interest() const noexcept { return interest_; }
  bool registered() const noexcept { return registered_; }

  /// Called by the Loop with the ready bits (hangup/error also set readable, so a read sees
  /// the EOF or the error).
  virtual void handle_events(std::uint32_t ready) = 0;

  /// The completion model (the io_uring backend; see docs/design/loop.md): a receiver lets the
  /// poller read for it. Its readable interest then keeps a receive in flight, whose bytes
  /// come to handle_received (an empty span with error 0: the peer's FIN; error: -errno);
  /// readiness still comes to handle_events for the other bits. Pollers without the model
  /// ignore the flag, and the watcher reads for itself when readable.
  bool receiver() const noexcept { return receiver_; }
  virtual void handle_received(std::span<const std::byte> /*data*/, int /*error*/) {}
  /// The result (bytes or -errno) of a send the poller queued for this watcher.
  virtual void handle_sent(int /*result*/) {}

 protected:
  /// Only while not registered.
  void set_receiver(bool on) noexcept { receiver_ = on; }

 private:
  friend class Loop;  // keeps interest_ and registered_
  friend struct detail::PollerAccess;
  int fd_;
  detail::PollerTag tag_;
  std::uint8_t interest_ = 0;
  bool registered_ = false;
  bool receiver_ = false;
};

/// A Watcher that calls a function: for tools, tests and one-off descriptors.
class FunctionWatcher final : public Watcher {
 public:
  FunctionWatcher(int fd, std::function<void(std::uint32_t)> fn)
      : Watcher(fd), fn_(std::move(fn)) {}
  void handle_events(std::uint32_t ready) override { fn_(ready); }

 private:
  std::function<void(std::uint32_t)> fn_;
};

}  // namespace soket::event
