// SPDX-License-Identifier: MIT
#include "linux/uring_buffers.hpp"

#include <linux/io_uring.h>
#include <sys/mman.h>

#include "linux/uring.hpp"

namespace soket::sys {
namespace {

// Linux 6.12's names, missing from older headers.
constexpr std::uint16_t pbuf_ring_inc = 2;       // IOU_PBUF_RING_INC
constexpr std::uint32_t cqe_buf_more = 1U << 4;  // IORING_CQE_F_BUF_MORE
constexpr unsigned id_of(std::uint32_t cqe_flags) noexcept {
  return cqe_flags >> IORING_CQE_BUFFER_SHIFT;
}

}  // namespace

BufferRing::BufferRing(Uring& ring, std::uint16_t group, unsigned count, unsigned size,
                       bool incremental) noexcept
    : uring_(ring), count_(count), size_(size), group_(group) {
  std::size_t ring_bytes = count * sizeof(io_uring_buf);
  void* r = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (r == MAP_FAILED) return;
  ring_ = static_cast<io_uring_buf_ring*>(r);
  // MAP_NORESERVE: address space only; a page costs memory once a receive lands in it.
  void* s = ::mmap(nullptr, std::size_t{count} * size, PROT_READ | PROT_WRITE,
                   MAP_ANONYMOUS | MAP_PRIVATE | MAP_NORESERVE, -1, 0);
  if (s == MAP_FAILED) return;
  storage_ = static_cast<std::byte*>(s);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(ring_);
  reg.ring_entries = count;
  reg.bgid = group;
  reg.pad = pbuf_ring_inc;  // the flags field (named pad before 6.12)
  if (incremental && uring_.register_op(IORING_REGISTER_PBUF_RING, &reg, 1) == 0) {
    offset_.assign(count, 0);
  } else {
    reg.pad = 0;  // a kernel before 6.12: a buffer per receive
    if (uring_.register_op(IORING_REGISTER_PBUF_RING, &reg, 1) != 0) return;
  }
  registered_ = true;
  for (unsigned i = 0; i < count; ++i) give_back(i);
}

BufferRing::~BufferRing() {
  if (registered_) {
    io_uring_buf_reg reg{};
    reg.bgid = group_;
    uring_.register_op(IORING_UNREGISTER_PBUF_RING, &reg, 1);
  }
  if (storage_) ::munmap(storage_, std::size_t{count_} * size_);
  if (ring_) ::munmap(ring_, count_ * sizeof(io_uring_buf));
}

const std::byte* BufferRing::bytes(std::uint32_t cqe_flags) const noexcept {
  unsigned id = id_of(cqe_flags);
  return buffer(id) + (offset_.empty() ? 0 : offset_[id]);
}

bool BufferRing::done(std::uint32_t cqe_flags, std::size_t len) noexcept {
  unsigned id = id_of(cqe_flags);
  if (!offset_.empty()) {
    if (cqe_flags & cqe_buf_more) {  // the kernel goes on filling it after these bytes
      offset_[id] += static_cast<std::uint32_t>(len);
      return false;
    }
    offset_[id] = 0;
  }
  give_back(id);
  return true;
}

void BufferRing::give_back(unsigned id) noexcept {
  // Entry i is at i * 16 from the start; not ring_->bufs, which C++ places 8 bytes further
  // (the header's flexible-array wrapper holds an empty struct, one byte in C++, none in C).
  io_uring_buf& b = reinterpret_cast<io_uring_buf*>(ring_)[tail_ & (count_ - 1)];
  b.addr = reinterpret_cast<std::uint64_t>(buffer(id));
  b.len = size_;
  b.bid = static_cast<std::uint16_t>(id);
  ++tail_;
  // The kernel reads the entry once it sees the new tail.
  __atomic_store_n(&ring_->tail, tail_, __ATOMIC_RELEASE);
}

}  // namespace soket::sys
