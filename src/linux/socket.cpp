// SPDX-License-Identifier: MIT
// Socket system calls.
#include "linux/socket.hpp"

#include <sys/socket.h>

namespace soket::sys {
namespace {

socklen_t socklen(std::size_t len) noexcept {
  return static_cast<socklen_t>(len);
}

// Runs a call that fills a sockaddr or option of length *len (value-result), updating *len
// only on success.
template <class Call>
bool with_len(std::size_t* len, std::error_code& ec, Call call) noexcept {
  socklen_t l = socklen(*len);
  if (checked(call(&l), ec) < 0) return false;
  *len = l;
  return true;
}

}  // namespace

int socket(int family, int type, int proto, std::error_code& ec) noexcept {
  return checked(::socket(family, type | SOCK_CLOEXEC, proto), ec);
}

bool socketpair(int family, int type, int proto, int fds[2], std::error_code& ec) noexcept {
  return checked(::socketpair(family, type | SOCK_CLOEXEC, proto, fds), ec) == 0;
}

int accept(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  socklen_t l = len ? socklen(*len) : 0;
  int conn =
      checked(::accept4(fd, static_cast<sockaddr*>(addr), len ? &l : nullptr, SOCK_CLOEXEC), ec);
  if (conn >= 0 && len) *len = l;
  return conn;
}

bool bind(int fd, const void* addr, std::size_t len, std::error_code& ec) noexcept {
  return checked(::bind(fd, static_cast<const sockaddr*>(addr), socklen(len)), ec) == 0;
}

bool listen(int fd, int backlog, std::error_code& ec) noexcept {
  return checked(::listen(fd, backlog), ec) == 0;
}

bool connect(int fd, const void* addr, std::size_t len, std::error_code& ec) noexcept {
  return checked(::connect(fd, static_cast<const sockaddr*>(addr), socklen(len)), ec) == 0;
}

ssize_t sendto(int fd, const void* buf, std::size_t len, int flags, const void* addr,
               std::size_t addrlen, std::error_code& ec) noexcept {
  return checked(::sendto(fd, buf, len, flags | MSG_NOSIGNAL, static_cast<const sockaddr*>(addr),
                          socklen(addrlen)),
                 ec);
}

ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, void* addr, std::size_t* addrlen,
                 std::error_code& ec) noexcept {
  socklen_t l = addrlen ? socklen(*addrlen) : 0;
  ssize_t n = checked(
      ::recvfrom(fd, buf, len, flags, static_cast<sockaddr*>(addr), addrlen ? &l : nullptr), ec);
  if (n >= 0 && addrlen) *addrlen = l;
  return n;
}

bool shutdown(int fd, int how, std::error_code& ec) noexcept {
  return checked(::shutdown(fd, how), ec) == 0;
}

bool getsockname(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  return with_len(len, ec,
                  [&](socklen_t* l) { return ::getsockname(fd, static_cast<sockaddr*>(addr), l); });
}

bool getpeername(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept {
  return with_len(len, ec,
                  [&](socklen_t* l) { return ::getpeername(fd, static_cast<sockaddr*>(addr), l); });
}

bool setsockopt(int fd, int level, int name, const void* value, std::size_t len,
                std::error_code& ec) noexcept {
  return checked(::setsockopt(fd, level, name, value, socklen(len)), ec) == 0;
}

bool getsockopt(int fd, int level, int name, void* value, std::size_t* len,
                std::error_code& ec) noexcept {
  return with_len(len, ec, [&](socklen_t* l) { return ::getsockopt(fd, level, name, value, l); });
}

std::error_code take_socket_error(int fd) noexcept {
  int err = 0;
  std::size_t len = sizeof err;
  std::error_code ec;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len, ec) && err != 0)
    ec = std::error_code(err, std::system_category());
  return ec;
}

}  // namespace soket::sys
