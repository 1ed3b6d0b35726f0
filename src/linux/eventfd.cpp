// SPDX-License-Identifier: MIT
// eventfd(2) wakeups.
#include "linux/eventfd.hpp"

#include <sys/eventfd.h>
#include <unistd.h>
#include <cstdint>

namespace soket::sys {

int eventfd(std::error_code& ec) noexcept {
  return checked(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), ec);
}

void eventfd_signal(int fd) noexcept {
  std::uint64_t one = 1;
  // EAGAIN only if the counter would overflow: the fd is readable anyway, which is all we need.
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

void eventfd_drain(int fd) noexcept {
  std::uint64_t v = 0;
  [[maybe_unused]] auto n = ::read(fd, &v, sizeof v);
}

}  // namespace soket::sys
