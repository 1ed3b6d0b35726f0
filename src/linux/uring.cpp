// SPDX-License-Identifier: MIT
#include "linux/uring.hpp"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "linux/result.hpp"

namespace soket::sys {
namespace {

template <class T>
T* at(void* base, std::size_t offset) noexcept {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

}  // namespace

Uring::Uring(unsigned entries, unsigned cq_entries, bool coop, bool single_issuer) noexcept {
  io_uring_params p{};
  if (cq_entries) {
    p.flags |= IORING_SETUP_CQSIZE;
    p.cq_entries = cq_entries;
  }
  if (coop) p.flags |= IORING_SETUP_COOP_TASKRUN;
  io_uring_params asked = p;
  int fd = -1;
  if (single_issuer) {
    constexpr unsigned extra =
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED;
    p.flags |= extra;
    fd = static_cast<int>(::syscall(__NR_io_uring_setup, entries, &p));
    single_issuer_ = disabled_ = fd >= 0;
    if (fd < 0) p = asked;  // a kernel before 6.1: the shared ring below
  }
  if (fd < 0) fd = static_cast<int>(::syscall(__NR_io_uring_setup, entries, &p));
  if (fd < 0 && errno == EINVAL && coop) {  // a kernel before 5.19: without the hint
    p = asked;
    p.flags &= ~static_cast<unsigned>(IORING_SETUP_COOP_TASKRUN);
    fd = static_cast<int>(::syscall(__NR_io_uring_setup, entries, &p));
  }
  if (fd < 0) return;
  features_ = p.features;
  sq_ring_size_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_ring_size_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  bool single = p.features & IORING_FEAT_SINGLE_MMAP;
  if (single) sq_ring_size_ = cq_ring_size_ = std::max(sq_ring_size_, cq_ring_size_);
  sq_ring_ = ::mmap(nullptr, sq_ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                    IORING_OFF_SQ_RING);
  if (sq_ring_ == MAP_FAILED) {
    ::close(fd);
    sq_ring_ = nullptr;
    return;
  }
  if (single) {
    cq_ring_ = sq_ring_;
  } else {
    cq_ring_ = ::mmap(nullptr, cq_ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                      IORING_OFF_CQ_RING);
    if (cq_ring_ == MAP_FAILED) {
      ::munmap(sq_ring_, sq_ring_size_);
      ::close(fd);
      sq_ring_ = cq_ring_ = nullptr;
      return;
    }
  }
  sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  sqes_ = ::mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                 IORING_OFF_SQES);
  if (sqes_ == MAP_FAILED) {
    if (cq_ring_ != sq_ring_) ::munmap(cq_ring_, cq_ring_size_);
    ::munmap(sq_ring_, sq_ring_size_);
    ::close(fd);
    sq_ring_ = cq_ring_ = sqes_ = nullptr;
    return;
  }
  sq_head_ = at<unsigned>(sq_ring_, p.sq_off.head);
  sq_tail_ = at<unsigned>(sq_ring_, p.sq_off.tail);
  sq_mask_ = at<unsigned>(sq_ring_, p.sq_off.ring_mask);
  unsigned* array = at<unsigned>(sq_ring_, p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; ++i) array[i] = i;  // identity: sqe i is slot i
  cq_head_ = at<unsigned>(cq_ring_, p.cq_off.head);
  cq_tail_ = at<unsigned>(cq_ring_, p.cq_off.tail);
  cq_mask_ = at<unsigned>(cq_ring_, p.cq_off.ring_mask);
  cqes_ = at<void>(cq_ring_, p.cq_off.cqes);
  entries_ = p.sq_entries;
  fd_ = fd;
}

Uring::~Uring() {
  if (fd_ < 0) return;
  ::munmap(sqes_, sqes_size_);
  if (cq_ring_ != sq_ring_) ::munmap(cq_ring_, cq_ring_size_);
  ::munmap(sq_ring_, sq_ring_size_);
  ::close(fd_);
}

bool Uring::queue_send(int fd, const void* data, std::size_t len,
                       std::uint64_t user_data) noexcept {
  if (queued_ == entries_) return false;
  unsigned tail = *sq_tail_;  // only this thread writes the tail
  auto* sqe = static_cast<io_uring_sqe*>(sqes_) + (tail & *sq_mask_);
  std::memset(sqe, 0, sizeof *sqe);
  sqe->opcode = IORING_OP_SEND;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<std::uint64_t>(data);
  sqe->len = static_cast<std::uint32_t>(len);
  sqe->msg_flags = MSG_NOSIGNAL | MSG_DONTWAIT;
  sqe->user_data = user_data;
  __atomic_store_n(sq_tail_, tail + 1, __ATOMIC_RELEASE);
  ++queued_;
  return true;
}

bool Uring::submit(std::error_code& ec) noexcept {
  unsigned n = queued_, to_submit = n;
  queued_ = 0;
  if (n == 0) return true;
  for (;;) {
    long rc = ::syscall(__NR_io_uring_enter, fd_, to_submit, n, IORING_ENTER_GETEVENTS, nullptr, 0);
    if (rc >= 0) break;
    if (errno == EINTR) {
      to_submit = 0;  // the submission happened before the wait was interrupted: just wait
      continue;
    }
    ec = last_error();
    return false;
  }
  ec.clear();
  return true;
}

io_uring_sqe* Uring::get_sqe() noexcept {
  if (unsubmitted() == entries_) return nullptr;
  unsigned tail = *sq_tail_;  // only this thread writes the tail
  auto* sqe = static_cast<io_uring_sqe*>(sqes_) + (tail & *sq_mask_);
  std::memset(sqe, 0, sizeof *sqe);
  // Published now; the kernel reads it at the next io_uring_enter (no SQPOLL thread here).
  __atomic_store_n(sq_tail_, tail + 1, __ATOMIC_RELEASE);
  return sqe;
}

unsigned Uring::unsubmitted() const noexcept {
  return *sq_tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
}

unsigned Uring::ready() const noexcept {
  return __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE) - *cq_head_;
}

bool Uring::enter(unsigned min_complete, long long timeout_ns, std::error_code& ec) noexcept {
  __kernel_timespec ts{};
  io_uring_getevents_arg arg{};
  unsigned flags = 0;
  const void* argp = nullptr;
  std::size_t argsz = 0;
  // DEFER_TASKRUN runs completions (and drops the files of cancelled requests) only in a
  // GETEVENTS enter: every enter of a single issuer runs them, waiting for none.
  if (min_complete > 0 || single_issuer_) flags |= IORING_ENTER_GETEVENTS;
  if (min_complete > 0) {
    if (timeout_ns >= 0) {
      ts.tv_sec = timeout_ns / 1000000000;
      ts.tv_nsec = timeout_ns % 1000000000;
      arg.ts = reinterpret_cast<std::uint64_t>(&ts);
      flags |= IORING_ENTER_EXT_ARG;
      argp = &arg;
      argsz = sizeof arg;
    }
  }
  if (disabled_) {  // the first submission: this thread becomes the ring's single issuer
    if (int r = register_op(IORING_REGISTER_ENABLE_RINGS, nullptr, 0); r < 0) {
      ec = std::error_code(-r, std::system_category());
      return false;
    }
    disabled_ = false;
  }
  long rc = ::syscall(__NR_io_uring_enter, fd_, unsubmitted(), min_complete, flags, argp, argsz);
  if (rc < 0 && errno != EINTR && errno != ETIME && errno != EBUSY && errno != EAGAIN) {
    ec = last_error();
    return false;
  }
  ec.clear();
  return true;
}

bool Uring::next_completion(std::uint64_t& user, int& res, std::uint32_t& flags) noexcept {
  unsigned head = *cq_head_;
  if (head == __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE)) return false;
  auto* cqe = static_cast<io_uring_cqe*>(cqes_) + (head & *cq_mask_);
  user = cqe->user_data;
  res = cqe->res;
  flags = cqe->flags;
  __atomic_store_n(cq_head_, head + 1, __ATOMIC_RELEASE);
  return true;
}

int Uring::register_op(unsigned opcode, const void* arg, unsigned count) noexcept {
  long rc = ::syscall(__NR_io_uring_register, fd_, opcode, arg, count);
  return rc < 0 ? -errno : 0;
}

}  // namespace soket::sys
