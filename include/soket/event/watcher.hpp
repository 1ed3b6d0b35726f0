// SPDX-License-Identifier: MIT
// Watcher: one file descriptor's interest in readiness and the code to run when it is ready.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>

namespace soket::event {

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
  int fd_;
  std::uint32_t interest_ = 0;
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
