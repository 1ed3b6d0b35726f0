// SPDX-License-Identifier: MIT
// OwnedFd: closing.
#include <soket/owned_fd.hpp>

#include "linux/fd.hpp"

namespace soket {

void OwnedFd::reset() noexcept {
  // Errors from close(2) are ignored: the descriptor is released either way.
  sys::close_quietly(std::exchange(fd_, -1));
}

}  // namespace soket
