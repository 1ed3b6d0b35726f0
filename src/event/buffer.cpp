// SPDX-License-Identifier: MIT
#include <soket/event/buffer.hpp>

#include <algorithm>
#include <cstring>

namespace soket::event {

void Buffer::retrieve(std::size_t n) noexcept {
  if (n >= readable()) {
    read_ = write_ = 0;
  } else {
    read_ += n;
  }
}

std::string Buffer::retrieve_as_string(std::size_t n) {
  n = std::min(n, readable());
  std::string s(reinterpret_cast<const char*>(peek()), n);
  retrieve(n);
  return s;
}

std::optional<std::size_t> Buffer::find(std::string_view delim) const noexcept {
  auto v = view();
  auto pos = v.find(delim);
  if (pos == std::string_view::npos) return std::nullopt;
  return pos;
}

void Buffer::append(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  ensure_writable(bytes.size());
  std::memcpy(begin_write(), bytes.data(), bytes.size());
  write_ += bytes.size();
}

void Buffer::ensure_writable(std::size_t n) {
  if (writable() >= n) return;
  std::size_t len = readable();
  if (read_ + writable() >= n && read_ > 0) {
    // Enough room once the consumed bytes are reclaimed: slide instead of growing.
    std::memmove(data_.get(), peek(), len);
    read_ = 0;
    write_ = len;
    return;
  }
  reserve(std::max(len + n, capacity_ * 2));
}

void Buffer::reserve(std::size_t n) {
  if (n <= capacity_) return;
  std::size_t len = readable();
  std::unique_ptr<std::byte[]> bigger(new std::byte[n]);
  if (len) std::memcpy(bigger.get(), peek(), len);
  data_ = std::move(bigger);
  capacity_ = n;
  read_ = 0;
  write_ = len;
}

void Buffer::trim(std::size_t keep) noexcept {
  if (!empty() || capacity_ <= keep) return;
  data_.reset();
  capacity_ = read_ = write_ = 0;
}

}  // namespace soket::event
