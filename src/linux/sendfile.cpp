// SPDX-License-Identifier: MIT
// sendfile(2) for Socket::sendfile and Connection::sendfile.
#include "linux/sendfile.hpp"

#include <sys/sendfile.h>

#include "linux/result.hpp"
#include "linux/signals.hpp"

namespace soket::sys {

ssize_t sendfile(int out_fd, int in_fd, std::uint64_t* offset, std::size_t count,
                 std::error_code& ec) noexcept {
  off_t off = static_cast<off_t>(*offset);
  ssize_t n;
  {
    // sendfile(2) has no MSG_NOSIGNAL: a peer that has gone raises SIGPIPE (also along with a
    // partial count), so it is blocked and consumed here, for every caller.
    NoSigpipe no_sigpipe;
    n = checked(::sendfile(out_fd, in_fd, &off, count), ec);
  }
  if (n >= 0) *offset = static_cast<std::uint64_t>(off);
  return n;
}

}  // namespace soket::sys
