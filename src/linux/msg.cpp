// SPDX-License-Identifier: MIT
// sendmsg(2)/recvmsg(2) wrappers.
#include "linux/msg.hpp"

#include <cerrno>

namespace soket::sys {

ssize_t sendmsg(int fd, const msghdr* message, int flags, std::error_code& ec) noexcept {
  ssize_t n = ::sendmsg(fd, message, flags | MSG_NOSIGNAL);
  if (n < 0)
    ec = {errno, std::system_category()};
  else
    ec.clear();
  return n;
}

ssize_t recvmsg(int fd, msghdr* message, int flags, std::error_code& ec) noexcept {
  ssize_t n = ::recvmsg(fd, message, flags | MSG_CMSG_CLOEXEC);
  if (n < 0)
    ec = {errno, std::system_category()};
  else
    ec.clear();
  return n;
}

}  // namespace soket::sys
