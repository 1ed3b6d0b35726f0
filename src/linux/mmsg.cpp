// SPDX-License-Identifier: MIT
#include "linux/mmsg.hpp"

#include <sys/socket.h>

#include "linux/result.hpp"

namespace soket::sys {

int recvmmsg(int fd, mmsghdr* msgs, unsigned count, std::error_code& ec) noexcept {
  int n = ::recvmmsg(fd, msgs, count, MSG_DONTWAIT, nullptr);
  if (n < 0)
    ec = last_error();
  else
    ec.clear();
  return n;
}

int sendmmsg(int fd, mmsghdr* msgs, unsigned count, std::error_code& ec) noexcept {
  int n = ::sendmmsg(fd, msgs, count, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0)
    ec = last_error();
  else
    ec.clear();
  return n;
}

}  // namespace soket::sys
