// SPDX-License-Identifier: MIT
// A minimal io_uring (raw system calls, no liburing): the engine's batched sends and the ring
// under the uring poller (uring_poller.*). Internal: never installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

struct io_uring_sqe;

namespace soket::sys {

/// One submission ring. Loop thread only.
class Uring {
 public:
  /// Sets up a ring of `entries` (and `cq_entries` completions, 0: the kernel's 2 × entries);
  /// ok() is false if the kernel refuses (old kernel, seccomp, io_uring_disabled). `coop` asks
  /// for IORING_SETUP_COOP_TASKRUN (no interrupt to run completions: this thread collects
  /// them in io_uring_enter), dropped on kernels without it. `single_issuer` asks for
  /// IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN (6.1: completions are run only when this
  /// ring's one thread waits for them) on a ring created disabled (R_DISABLED), enabled by the
  /// first enter(): the thread that first submits becomes the only one that may, whichever
  /// thread built the ring. Dropped on kernels without them.
  explicit Uring(unsigned entries, unsigned cq_entries = 0, bool coop = false,
                 bool single_issuer = false) noexcept;
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  bool ok() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  unsigned capacity() const noexcept { return entries_; }
  /// Set up with SINGLE_ISSUER | DEFER_TASKRUN; enabled: the first enter() happened.
  bool single_issuer() const noexcept { return single_issuer_; }
  bool enabled() const noexcept { return !disabled_; }
  /// IORING_FEAT_* bits of this kernel.
  std::uint32_t features() const noexcept { return features_; }
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

  /// A zeroed submission entry queued at the tail, or nullptr when the ring is full (submit()
  /// first). It goes to the kernel with the next enter().
  io_uring_sqe* get_sqe() noexcept;
  /// Submits what is queued (enabling a disabled ring first, which binds a single issuer's
  /// ring to this thread) and, if min_complete > 0, waits until that many completions are
  /// ready or `timeout_ns` passed (negative: no limit). Returns false with ec on failure;
  /// EINTR, ETIME and EBUSY (completions to reap first) are not failures.
  bool enter(unsigned min_complete, long long timeout_ns, std::error_code& ec) noexcept;
  /// Submissions queued and not yet handed to the kernel.
  unsigned unsubmitted() const noexcept;
  /// Completions ready to reap now.
  unsigned ready() const noexcept;
  /// Takes the next completion, false if none.
  bool next_completion(std::uint64_t& user, int& res) noexcept {
    std::uint32_t flags;
    return next_completion(user, res, flags);
  }
  /// The same with the completion's IORING_CQE_F_* flags (MORE, BUFFER and its id).
  bool next_completion(std::uint64_t& user, int& res, std::uint32_t& flags) noexcept;
  /// io_uring_register(2): 0 or -errno.
  int register_op(unsigned opcode, const void* arg, unsigned count) noexcept;

 private:
  bool submit(std::error_code& ec) noexcept;

  int fd_ = -1;
  unsigned entries_ = 0, queued_ = 0;
  std::uint32_t features_ = 0;
  bool single_issuer_ = false, disabled_ = false;
  void* sq_ring_ = nullptr;
  void* cq_ring_ = nullptr;
  void* sqes_ = nullptr;
  std::size_t sq_ring_size_ = 0, cq_ring_size_ = 0, sqes_size_ = 0;
  unsigned *sq_head_ = nullptr, *sq_tail_ = nullptr, *sq_mask_ = nullptr;
  unsigned *cq_head_ = nullptr, *cq_tail_ = nullptr, *cq_mask_ = nullptr;
  void* cqes_ = nullptr;
};

}  // namespace soket::sys
