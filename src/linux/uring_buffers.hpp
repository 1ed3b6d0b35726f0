// SPDX-License-Identifier: MIT
// A provided-buffer ring (IORING_REGISTER_PBUF_RING, 5.19): buffers the kernel picks from when
// a receive completes, so a connection holds no buffer while it waits. Internal: never
// installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

struct io_uring_buf_ring;

namespace soket::sys {

class Uring;

/// `count` (a power of two) buffers of `size` bytes registered as buffer group `group` of
/// `ring`. The storage is reserved address space: pages are touched only by buffers in use.
/// Where the kernel consumes buffers incrementally (IOU_PBUF_RING_INC, 6.12) one buffer takes
/// many small receives one after the other, and a large receive still gets a whole buffer.
/// `incremental` false: one buffer per receive even there (a datagram needs a whole buffer).
/// Loop thread only; it must be destroyed before its ring.
class BufferRing {
 public:
  BufferRing(Uring& ring, std::uint16_t group, unsigned count, unsigned size,
             bool incremental = true) noexcept;
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  /// False if the kernel refused the ring (before 5.19) or memory ran out.
  bool ok() const noexcept { return registered_; }
  std::uint16_t group() const noexcept { return group_; }
  bool incremental() const noexcept { return !offset_.empty(); }
  /// The `len` bytes a completion with IORING_CQE_F_BUFFER `cqe_flags` received. Valid until
  /// done(cqe_flags, len), which hands the buffer back unless the kernel goes on filling it.
  const std::byte* bytes(std::uint32_t cqe_flags) const noexcept;
  /// Returns true if the buffer went back to the kernel.
  bool done(std::uint32_t cqe_flags, std::size_t len) noexcept;

 private:
  std::byte* buffer(unsigned id) const noexcept {
    return storage_ + static_cast<std::size_t>(id) * size_;
  }
  void give_back(unsigned id) noexcept;

  Uring& uring_;
  io_uring_buf_ring* ring_ = nullptr;
  std::byte* storage_ = nullptr;
  unsigned count_, size_;
  std::uint16_t group_, tail_ = 0;
  bool registered_ = false;
  std::vector<std::uint32_t> offset_;  // incremental: bytes of each buffer already received
};

}  // namespace soket::sys
