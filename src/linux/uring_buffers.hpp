// SPDX-License-Identifier: MIT
// A provided-buffer ring (IORING_REGISTER_PBUF_RING, 5.19): buffers the kernel picks from when
// a receive completes, so a connection holds no buffer while it waits. Internal: never
// installed.
#pragma once

#include <cstddef>
#include <cstdint>

struct io_uring_buf_ring;

namespace soket::sys {

class Uring;

/// `count` (a power of two) buffers of `size` bytes registered as buffer group `group` of
/// `ring`. The storage is reserved address space: pages are touched only by buffers in use.
/// Loop thread only; it must be destroyed before its ring.
class BufferRing {
 public:
  BufferRing(Uring& ring, std::uint16_t group, unsigned count, unsigned size) noexcept;
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  /// False if the kernel refused the ring (before 5.19) or memory ran out.
  bool ok() const noexcept { return registered_; }
  std::uint16_t group() const noexcept { return group_; }
  /// Buffer `id`'s bytes (a completion names the id in its flags).
  std::byte* buffer(unsigned id) const noexcept {
    return storage_ + static_cast<std::size_t>(id) * size_;
  }
  /// Hands buffer `id` back to the kernel.
  void give_back(unsigned id) noexcept;

 private:
  Uring& uring_;
  io_uring_buf_ring* ring_ = nullptr;
  std::byte* storage_ = nullptr;
  unsigned count_, size_;
  std::uint16_t group_, tail_ = 0;
  bool registered_ = false;
};

}  // namespace soket::sys
