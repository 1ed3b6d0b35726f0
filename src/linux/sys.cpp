// SPDX-License-Identifier: MIT
#include "linux/sys.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <climits>

namespace soket::sys {
namespace {

// Every "int result, -1 sets errno" call funnels through here.
bool check(int rc, std::error_code& ec) noexcept {
  if (rc < 0) {
    ec = last_error();
    return false;
  }
  ec.clear();
  return true;
}

socklen_t socklen(std::size_t len) noexcept {
  return static_cast<socklen_t>(len);
}

}  // namespace

int socket(int family, int type, int proto, std::error_code& ec) noexcept {
  int fd = ::socket(family, type | SOCK_CLOEXEC, proto);
  check(fd, ec);
  return fd;
}

int accept(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  socklen_t l = len ? socklen(*len) : 0;
  int conn = ::accept4(fd, static_cast<sockaddr*>(addr), len ? &l : nullptr, SOCK_CLOEXEC);
  if (check(conn, ec) && len) *len = l;
  return conn;
}

bool bind(int fd, const void* addr, std::size_t len, std::error_code& ec) noexcept {
  return check(::bind(fd, static_cast<const sockaddr*>(addr), socklen(len)), ec);
}

bool listen(int fd, int backlog, std::error_code& ec) noexcept {
  return check(::listen(fd, backlog), ec);
}

bool connect(int fd, const void* addr, std::size_t len, std::error_code& ec) noexcept {
  return check(::connect(fd, static_cast<const sockaddr*>(addr), socklen(len)), ec);
}

ssize_t sendto(int fd, const void* buf, std::size_t len, int flags, const void* addr,
               std::size_t addrlen, std::error_code& ec) noexcept {
  ssize_t n = ::sendto(fd, buf, len, flags | MSG_NOSIGNAL, static_cast<const sockaddr*>(addr),
                       socklen(addrlen));
  if (n < 0)
    ec = last_error();
  else
    ec.clear();
  return n;
}

ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, void* addr, std::size_t* addrlen,
                 std::error_code& ec) noexcept {
  socklen_t l = addrlen ? socklen(*addrlen) : 0;
  ssize_t n = ::recvfrom(fd, buf, len, flags, static_cast<sockaddr*>(addr), addrlen ? &l : nullptr);
  if (n < 0) {
    ec = last_error();
  } else {
    ec.clear();
    if (addrlen) *addrlen = l;
  }
  return n;
}

bool shutdown(int fd, int how, std::error_code& ec) noexcept {
  return check(::shutdown(fd, how), ec);
}

bool close(int fd, std::error_code& ec) noexcept {
  return check(::close(fd), ec);
}

bool getsockname(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  socklen_t l = socklen(*len);
  bool ok = check(::getsockname(fd, static_cast<sockaddr*>(addr), &l), ec);
  if (ok) *len = l;
  return ok;
}

bool getpeername(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  socklen_t l = socklen(*len);
  bool ok = check(::getpeername(fd, static_cast<sockaddr*>(addr), &l), ec);
  if (ok) *len = l;
  return ok;
}

bool setsockopt(int fd, int level, int name, const void* value, std::size_t len,
                std::error_code& ec) noexcept {
  return check(::setsockopt(fd, level, name, value, socklen(len)), ec);
}

bool getsockopt(int fd, int level, int name, void* value, std::size_t* len,
                std::error_code& ec) noexcept {
  socklen_t l = socklen(*len);
  bool ok = check(::getsockopt(fd, level, name, value, &l), ec);
  if (ok) *len = l;
  return ok;
}

bool set_nonblocking(int fd, bool on, std::error_code& ec) noexcept {
  int flags = ::fcntl(fd, F_GETFL);
  if (!check(flags, ec)) return false;
  int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted == flags) return true;
  return check(::fcntl(fd, F_SETFL, wanted), ec);
}

bool get_cloexec(int fd, std::error_code& ec) noexcept {
  int flags = ::fcntl(fd, F_GETFD);
  return check(flags, ec) && (flags & FD_CLOEXEC) != 0;
}

bool set_cloexec(int fd, bool on, std::error_code& ec) noexcept {
  int flags = ::fcntl(fd, F_GETFD);
  if (!check(flags, ec)) return false;
  return check(::fcntl(fd, F_SETFD, on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC)), ec);
}

int dup(int fd, std::error_code& ec) noexcept {
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  check(copy, ec);
  return copy;
}

bool socketpair(int family, int type, int proto, int fds[2], std::error_code& ec) noexcept {
  return check(::socketpair(family, type | SOCK_CLOEXEC, proto, fds), ec);
}

bool wait(int fd, Want want, std::chrono::nanoseconds timeout, std::error_code& ec) noexcept {
  pollfd p{fd, static_cast<short>(want == Want::read ? POLLIN : POLLOUT), 0};
  // Round up so that a 0.5 ms timeout waits 1 ms rather than spinning at 0 (as CPython does).
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
  int rc = ::poll(&p, 1, static_cast<int>(ms > INT_MAX ? INT_MAX : (ms < 0 ? 0 : ms)));
  if (!check(rc, ec)) return false;
  return rc > 0;
}

}  // namespace soket::sys
