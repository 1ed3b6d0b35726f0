// SPDX-License-Identifier: MIT
// Poller: what the Loop needs from a readiness backend: EpollPoller (src/linux/epoll_poller.*)
// or UringPoller (src/linux/uring_poller.*), chosen at run time by make_poller.
// Internal: never installed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>

#include <soket/event/backend.hpp>
#include <soket/event/watcher.hpp>

namespace soket::event::detail {

class Poller {
 public:
  virtual ~Poller() = default;

  /// Registers, changes or removes a watcher's interest (Watcher::readable / writable).
  /// remove() also forgets the watcher's events still undelivered in the batch being
  /// dispatched: after it returns, the watcher may be destroyed or its storage reused.
  virtual void add(Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept = 0;
  virtual void modify(Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept = 0;
  virtual void remove(Watcher& w, std::error_code& ec) noexcept = 0;

  /// Waits up to `timeout` (negative: forever; longer waits are clamped) and calls
  /// detail::dispatch(w, ready) for each ready watcher. Returns the number of events.
  virtual int wait(std::chrono::milliseconds timeout) = 0;

  /// Wakes a wait() in progress (or the next one). Safe from any thread.
  virtual void wakeup() noexcept = 0;

  /// The completion model (Watcher::receiver): true if this poller receives for receivers
  /// and can queue their sends (io_uring with provided buffers and multishot receive).
  virtual bool completes() const noexcept { return false; }
  /// Queues a send of [data, data + len) for `w`, submitted by the next wait() (or earlier),
  /// where the kernel copies the bytes at once (MSG_DONTWAIT: a full socket answers -EAGAIN);
  /// the result comes to w.handle_sent. False if this poller cannot (then send(2) it).
  virtual bool queue_send(Watcher& /*w*/, const void* /*data*/, std::size_t /*len*/) noexcept {
    return false;
  }

  /// Queues the next step of sending [offset, offset + len) of `file_fd` to w's socket on
  /// the ring (splice; linux/uring_splice.hpp says what w.handle_sent then gets). 1: queued;
  /// 0: this poller cannot (then sendfile(2) it); -errno: failed.
  virtual int queue_file(Watcher& /*w*/, int /*file_fd*/, std::uint64_t /*offset*/,
                         std::size_t /*len*/) noexcept {
    return 0;
  }

  /// Which one this is (never automatic).
  virtual Backend backend() const noexcept = 0;
};

/// A poller's bookkeeping kept inside each watcher (Watcher's padding, see PollerTag).
struct PollerAccess {
  static PollerTag& tag(Watcher& w) noexcept { return w.tag_; }
};
// The tag lives in what was the watcher's padding: registering costs no extra bytes.
static_assert(sizeof(void*) != 8 || sizeof(Watcher) <= 24);

/// The poller for `wanted`: automatic reads SOKET_BACKEND (default epoll); uring falls back to
/// epoll when the kernel refuses io_uring. Throws std::invalid_argument for a SOKET_BACKEND
/// that names no backend, soket::Error if even epoll cannot be created.
std::unique_ptr<Poller> make_poller(Backend wanted);

}  // namespace soket::event::detail
