// SPDX-License-Identifier: MIT
// Buffer: a growable byte buffer with a read index and a write index (muduo's Buffer).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace soket::event {

/// Bytes in flight on one connection.
///
///   +-------------------+------------------+------------------+
///   | consumed bytes    |  readable bytes  |  writable bytes  |
///   +-------------------+------------------+------------------+
///   0      <=      read_index   <=   write_index    <=     capacity
///
/// Consumed space is reclaimed by sliding the readable bytes down before growing, so a
/// buffer that is drained as fast as it fills never grows. The storage is not zeroed.
///
/// Thread rules: none (a plain value); the engine touches a connection's buffers only on its
/// loop thread.
class Buffer {
 public:
  Buffer() noexcept = default;
  explicit Buffer(std::size_t capacity) { reserve(capacity); }
  Buffer(Buffer&& o) noexcept
      : data_(std::move(o.data_)),
        capacity_(std::exchange(o.capacity_, 0)),
        read_(std::exchange(o.read_, 0)),
        write_(std::exchange(o.write_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    data_ = std::move(o.data_);
    capacity_ = std::exchange(o.capacity_, 0);
    read_ = std::exchange(o.read_, 0);
    write_ = std::exchange(o.write_, 0);
    return *this;
  }

  std::size_t readable() const noexcept { return write_ - read_; }
  bool empty() const noexcept { return write_ == read_; }
  std::size_t writable() const noexcept { return capacity_ - write_; }
  std::size_t capacity() const noexcept { return capacity_; }

  /// The readable bytes.
  const std::byte* peek() const noexcept { return data_.get() + read_; }
  std::span<const std::byte> data() const noexcept { return {peek(), readable()}; }
  std::string_view view() const noexcept {
    return {reinterpret_cast<const char*>(peek()), readable()};
  }

  /// Consumes n readable bytes (all of them if n >= readable()).
  void retrieve(std::size_t n) noexcept;
  void retrieve_all() noexcept { read_ = write_ = 0; }
  std::string retrieve_as_string(std::size_t n);

  /// Offset of `delim` in the readable bytes, if present (for line protocols).
  std::optional<std::size_t> find(std::string_view delim) const noexcept;

  void append(std::span<const std::byte> bytes);
  void append(std::string_view text) {
    append(std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()));
  }

  /// Makes room for n more bytes; then write at begin_write() and call has_written().
  void ensure_writable(std::size_t n);
  std::byte* begin_write() noexcept { return data_.get() + write_; }
  void has_written(std::size_t n) noexcept { write_ += n; }

  /// Ensures capacity >= n (never shrinks).
  void reserve(std::size_t n);
  /// Frees the storage if it is larger than `keep` bytes (the buffer must be empty).
  void trim(std::size_t keep) noexcept;

 private:
  std::unique_ptr<std::byte[]> data_;
  std::size_t capacity_ = 0, read_ = 0, write_ = 0;
};

}  // namespace soket::event
