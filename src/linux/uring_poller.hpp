// SPDX-License-Identifier: MIT
// The engine's io_uring poller: readiness through IORING_OP_POLL_ADD on one ring, the timeout
// and the wakeup eventfd on the same ring, so a turn is one io_uring_enter that submits the
// turn's (re)arms and waits. Internal: never installed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include <soket/owned_fd.hpp>

#include "event/poller.hpp"
#include "linux/uring.hpp"

namespace soket::sys {

/// Level-triggered like the epoll poller: each poll request is one-shot and is re-armed after
/// its watcher ran (the kernel checks readiness when a poll is armed, so nothing ready is
/// missed). Requests are named by fd and a generation, so the completion of a request that
/// was removed or replaced (its watcher maybe gone) is recognised and dropped.
/// Loop thread only, except wakeup().
class UringPoller final : public event::detail::Poller {
 public:
  /// nullptr if this kernel has no usable io_uring (missing, forbidden, or without the
  /// features used here): the caller falls back to epoll.
  static std::unique_ptr<UringPoller> create();
  ~UringPoller() override;

  void add(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept override;
  void modify(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept override;
  void remove(event::Watcher& w, std::error_code& ec) noexcept override;
  int wait(std::chrono::milliseconds timeout) override;
  void wakeup() noexcept override;
  event::Backend backend() const noexcept override { return event::Backend::uring; }

 private:
  explicit UringPoller(OwnedFd wakefd);

  struct Slot {  // one per descriptor number: 16 bytes
    event::Watcher* watcher = nullptr;
    std::uint32_t generation = 0;  // names the slot's current request
    std::uint16_t interest = 0;    // Watcher::readable | writable
    bool armed = false;            // a poll request of this generation is in the kernel
  };
  static_assert(sizeof(Slot) <= 16);

  bool arm(int fd, Slot& s, std::error_code& ec) noexcept;
  bool cancel(Slot& s, int fd, std::error_code& ec) noexcept;
  bool arm_wakeup(std::error_code& ec) noexcept;
  io_uring_sqe* sqe(std::error_code& ec) noexcept;

  Uring ring_;
  OwnedFd wakefd_;
  std::vector<Slot> slots_;
};

}  // namespace soket::sys
