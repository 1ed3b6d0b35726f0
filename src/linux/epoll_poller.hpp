// SPDX-License-Identifier: MIT
// The engine's Linux poller: epoll (data.ptr = the Watcher) and an eventfd for cross-thread
// wakeups, through linux/epoll.hpp and linux/eventfd.hpp. Internal: never installed.
#pragma once

#include <chrono>
#include <cstdint>
#include <system_error>
#include <vector>

#include <soket/message.hpp>

#include "event/poller.hpp"

namespace soket::sys {

/// One epoll instance. Loop thread only (epoll itself is thread-safe, the events array is not).
class EpollPoller final : public event::detail::Poller {
 public:
  /// Creates the epoll fd and the wakeup eventfd; throws soket::Error on failure.
  EpollPoller();
  ~EpollPoller() override;
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  /// Registers, changes or removes a watcher's interest (Watcher::readable/writable bits).
  void add(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept override;
  void modify(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept override;
  /// Also invalidates w's events in the batch in flight (as libuv and muduo do).
  void remove(event::Watcher& w, std::error_code& ec) noexcept override;

  /// Waits up to `timeout` (negative: forever) and calls w.handle_events(ready) for each ready
  /// watcher. Returns the number dispatched; EINTR counts as zero. A wakeup is consumed here.
  int wait(std::chrono::milliseconds timeout) override;

  /// Wakes a wait() in progress (or the next one). Safe to call from any thread.
  void wakeup() noexcept override;
  event::Backend backend() const noexcept override { return event::Backend::epoll; }

 private:
  OwnedFd epfd_;
  OwnedFd wakefd_;
  std::vector<unsigned char> events_;  // raw epoll_event storage, doubled when it fills
  std::size_t capacity_ = 64;
  std::size_t next_ = 0, ready_ = 0;  // the batch in flight: events [next_, ready_) still to go
};

}  // namespace soket::sys
