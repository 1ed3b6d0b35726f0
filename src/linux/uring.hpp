// SPDX-License-Identifier: MIT
// A minimal io_uring (raw system calls, no liburing) used to submit a turn's sends at once.
// Internal: never installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

namespace soket::sys {

/// One submission ring. Loop thread only.
class Uring {
 public:
  /// Sets up a ring of `entries`; ok() is false if the kernel refuses (old kernel, seccomp).
  explicit Uring(unsigned entries) noexcept;
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  bool ok() const noexcept { return fd_ >= 0; }
  unsigned capacity() const noexcept { return entries_; }
  /// Queues send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT); false when the ring is full.
  bool queue_send(int fd, const void* data, std::size_t len, std::uint64_t user_data) noexcept;
  /// Submits everything queued with one io_uring_enter and waits for all of it (MSG_DONTWAIT
  /// sends complete inline). Calls fn(user_data, result) per completion; result is bytes
  /// sent or -errno. Returns false with ec if the submission itself failed.
  template <class F>
  bool submit_and_reap(F&& fn, std::error_code& ec) noexcept {
    if (!submit(ec)) return false;
    std::uint64_t user;
    int res;
    while (next_completion(user, res)) fn(user, res);
    return true;
  }

 private:
  bool submit(std::error_code& ec) noexcept;
  bool next_completion(std::uint64_t& user, int& res) noexcept;

  int fd_ = -1;
  unsigned entries_ = 0, queued_ = 0;
  void* sq_ring_ = nullptr;
  void* cq_ring_ = nullptr;
  void* sqes_ = nullptr;
  std::size_t sq_ring_size_ = 0, cq_ring_size_ = 0, sqes_size_ = 0;
  unsigned *sq_tail_ = nullptr, *sq_mask_ = nullptr;
  unsigned *cq_head_ = nullptr, *cq_tail_ = nullptr, *cq_mask_ = nullptr;
  void* cqes_ = nullptr;
};

}  // namespace soket::sys
