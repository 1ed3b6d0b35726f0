// SPDX-License-Identifier: MIT
// The engine's io_uring poller: readiness through IORING_OP_POLL_ADD on one ring, the timeout
// and the wakeup eventfd on the same ring, so a turn is one io_uring_enter that submits the
// turn's (re)arms and sends and waits. Receivers (Watcher::receiver, the completion model) get
// a multishot receive into a provided-buffer ring instead of a readable poll. Internal: never
// installed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include <soket/owned_fd.hpp>

#include "event/poller.hpp"
#include "event/watcher_table.hpp"
#include "linux/uring.hpp"
#include "linux/uring_buffers.hpp"

namespace soket::sys {

class FileSplicer;

/// A user of the ring besides the watchers (the datagram ring, uring_datagram.*): completions
/// of its requests (user_data from UringPoller::client_data) come to on_completion, and
/// on_batch_end runs after each batch of completions, before the next wait submits.
class RingClient {
 public:
  virtual void on_completion(std::uint32_t tag, int res, std::uint32_t flags) noexcept = 0;
  virtual void on_batch_end() noexcept = 0;

 protected:
  ~RingClient() = default;
};

/// Level-triggered like the epoll poller: each poll request is one-shot and is re-armed after
/// its watcher ran (the kernel checks readiness when a poll is armed, so nothing ready is
/// missed). Requests are named by kind, fd, the slot's generation and a per-kind sequence, so
/// the completion of a request that was removed or replaced (its watcher maybe gone) is
/// recognised and dropped. A receiver's readable interest is a multishot receive (one request
/// for every message until it is cancelled), its bytes in a buffer of the ring, given back as
/// soon as the watcher has seen them. Loop thread only, except wakeup().
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
  bool completes() const noexcept override { return buffers_ != nullptr; }
  bool queue_send(event::Watcher& w, const void* data, std::size_t len) noexcept override;
  int queue_file(event::Watcher& w, int file_fd, std::uint64_t offset,
                 std::size_t len) noexcept override;  // uring_splice.*

  /// Ring clients: attach returns the id that names the client's requests (client_data);
  /// after detach their completions are dropped. Loop thread only (or before it runs).
  std::uint32_t attach(RingClient& c);
  void detach(std::uint32_t id) noexcept;
  static std::uint64_t client_data(std::uint32_t id, std::uint32_t tag) noexcept;
  /// A submission entry, submitted by the next wait (or earlier when the ring is full).
  io_uring_sqe* client_sqe(std::error_code& ec) noexcept { return sqe(ec); }
  Uring& ring() noexcept { return ring_; }

 private:
  UringPoller(OwnedFd wakefd, bool single_issuer);

  std::uint32_t poll_interest(event::Watcher& w) const noexcept;
  bool wants_receive(event::Watcher& w) const noexcept;
  bool arm(event::Watcher& w, std::error_code& ec) noexcept;
  bool cancel_poll(event::Watcher& w, std::error_code& ec) noexcept;
  bool cancel_receive(event::Watcher& w, std::error_code& ec) noexcept;
  bool arm_wakeup(std::error_code& ec) noexcept;
  io_uring_sqe* sqe(std::error_code& ec) noexcept;
  event::Watcher* live(std::uint64_t user) const noexcept;
  void on_poll(std::uint64_t user, int res);
  void on_receive(std::uint64_t user, int res, std::uint32_t flags);
  void rearm_starved();

  Uring ring_;
  OwnedFd wakefd_;
  std::unique_ptr<BufferRing> buffers_;  // nullptr: no completion model on this kernel
  // Per descriptor only its watcher; the rest (names, what is armed) is in the watcher's
  // PollerTag. Generations come from one counter, so a new watcher never takes an old name.
  event::detail::WatcherTable watchers_;
  std::uint32_t generation_ = 0;
  std::vector<std::uint64_t> starved_;  // receives ended by ENOBUFS, to re-arm
  std::size_t returned_ = 0;            // buffers given back in this batch
  std::vector<RingClient*> clients_;    // by id; nullptr once detached (ids are not reused)
  std::unique_ptr<FileSplicer> files_;  // file bodies on the ring, made on the first one
};

}  // namespace soket::sys
