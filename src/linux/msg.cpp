// SPDX-License-Identifier: MIT
// sendmsg(2)/recvmsg(2) wrappers.
#include "linux/msg.hpp"

#include "linux/result.hpp"

namespace soket::sys {

ssize_t sendmsg(int fd, const msghdr* message, int flags, std::error_code& ec) noexcept {
  return checked(::sendmsg(fd, message, flags | MSG_NOSIGNAL), ec);
}

ssize_t recvmsg(int fd, msghdr* message, int flags, std::error_code& ec) noexcept {
  return checked(::recvmsg(fd, message, flags | MSG_CMSG_CLOEXEC), ec);
}

}  // namespace soket::sys
