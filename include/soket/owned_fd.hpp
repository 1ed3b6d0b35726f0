// SPDX-License-Identifier: MIT
// OwnedFd: the one owner of a raw descriptor that is not a Socket.
#pragma once

#include <utility>

namespace soket {

/// An owned descriptor: closed by the destructor unless released. Move-only. (Python hands out
/// plain ints; owning them here means an exception between getting a descriptor — recv_fds(),
/// socketpair(), epoll_create — and its use cannot leak it.)
class OwnedFd {
 public:
  OwnedFd() noexcept = default;
  explicit OwnedFd(int fd) noexcept : fd_(fd) {}
  ~OwnedFd() { reset(); }
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;

  int get() const noexcept { return fd_; }
  /// Gives up ownership and returns the descriptor.
  int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the descriptor now (errors from close(2) are ignored: the fd is gone either way).
  void reset() noexcept;
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace soket
