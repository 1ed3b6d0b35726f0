// SPDX-License-Identifier: MIT
// Descriptor calls: close, dup, O_NONBLOCK, FD_CLOEXEC.
#include "linux/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace soket::sys {

bool close(int fd, std::error_code& ec) noexcept {
  return checked(::close(fd), ec) == 0;
}

void close_quietly(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

int dup(int fd, std::error_code& ec) noexcept {
  return checked(::fcntl(fd, F_DUPFD_CLOEXEC, 0), ec);
}

bool set_nonblocking(int fd, bool on, std::error_code& ec) noexcept {
  int flags = checked(::fcntl(fd, F_GETFL), ec);
  if (flags < 0) return false;
  int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  return wanted == flags || checked(::fcntl(fd, F_SETFL, wanted), ec) == 0;
}

bool get_cloexec(int fd, std::error_code& ec) noexcept {
  int flags = checked(::fcntl(fd, F_GETFD), ec);
  return flags >= 0 && (flags & FD_CLOEXEC) != 0;
}

bool set_cloexec(int fd, bool on, std::error_code& ec) noexcept {
  int flags = checked(::fcntl(fd, F_GETFD), ec);
  if (flags < 0) return false;
  return checked(::fcntl(fd, F_SETFD, on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC)), ec) == 0;
}

}  // namespace soket::sys
