// SPDX-License-Identifier: MIT
#include "linux/stream_io.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "linux/result.hpp"
#include "linux/socket.hpp"

namespace soket::sys {
int accept_nonblocking(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  socklen_t l = len ? static_cast<socklen_t>(*len) : 0;
  int c = checked(
      ::accept4(fd, static_cast<sockaddr*>(addr), len ? &l : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC),
      ec);
  if (c >= 0 && len) *len = l;
  return c;
}

ssize_t readv(int fd, const iovec* iov, int count, std::error_code& ec) noexcept {
  return checked(::readv(fd, iov, count), ec);
}

ssize_t write(int fd, const void* data, std::size_t len, std::error_code& ec) noexcept {
  return checked(::send(fd, data, len, MSG_NOSIGNAL), ec);
}

ssize_t writev(int fd, const iovec* iov, int count, std::error_code& ec) noexcept {
  msghdr m{};
  m.msg_iov = const_cast<iovec*>(iov);
  m.msg_iovlen = static_cast<std::size_t>(count);
  return checked(::sendmsg(fd, &m, MSG_NOSIGNAL), ec);
}

int open_reserve(std::error_code& ec) noexcept {
  return checked(::open("/dev/null", O_RDONLY | O_CLOEXEC), ec);
}

void set_nodelay(int fd) noexcept {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool set_reuse_port(int fd, std::error_code& ec) noexcept {
  int one = 1;
  return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one, ec);
}

}  // namespace soket::sys
