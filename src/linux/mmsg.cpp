// SPDX-License-Identifier: MIT
#include "linux/mmsg.hpp"

#include <sys/socket.h>

#include "linux/result.hpp"

namespace soket::sys {

int recvmmsg(int fd, mmsghdr* msgs, unsigned count, std::error_code& ec) noexcept {
  return checked(::recvmmsg(fd, msgs, count, MSG_DONTWAIT, nullptr), ec);
}

int sendmmsg(int fd, mmsghdr* msgs, unsigned count, std::error_code& ec) noexcept {
  return checked(::sendmmsg(fd, msgs, count, MSG_DONTWAIT | MSG_NOSIGNAL), ec);
}

}  // namespace soket::sys
