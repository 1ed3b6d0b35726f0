// SPDX-License-Identifier: MIT
// Socket system calls: thin wrappers that always pass SOCK_CLOEXEC / MSG_NOSIGNAL and report
// errno as std::error_code. Everything above src/linux calls sys::, never ::socket.
// Internal: never installed.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// socket(2) with SOCK_CLOEXEC. Returns the fd or -1.
int socket(int family, int type, int proto, std::error_code& ec) noexcept;
/// socketpair(2) with SOCK_CLOEXEC; fds[0] and fds[1] are set on success.
bool socketpair(int family, int type, int proto, int fds[2], std::error_code& ec) noexcept;
/// accept4(2) with SOCK_CLOEXEC. addr/len may be null.
int accept(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept;
bool bind(int fd, const void* addr, std::size_t len, std::error_code& ec) noexcept;
bool listen(int fd, int backlog, std::error_code& ec) noexcept;
/// connect(2); EINPROGRESS is reported as is.
bool connect(int fd, const void* addr, std::size_t len, std::error_code& ec) noexcept;
/// send/sendto with MSG_NOSIGNAL added. Returns bytes sent or -1.
ssize_t sendto(int fd, const void* buf, std::size_t len, int flags, const void* addr,
               std::size_t addrlen, std::error_code& ec) noexcept;
/// recvfrom(2). addr/len may be null.
ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, void* addr, std::size_t* addrlen,
                 std::error_code& ec) noexcept;
bool shutdown(int fd, int how, std::error_code& ec) noexcept;
bool getsockname(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept;
bool getpeername(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept;
bool setsockopt(int fd, int level, int name, const void* value, std::size_t len,
                std::error_code& ec) noexcept;
bool getsockopt(int fd, int level, int name, void* value, std::size_t* len,
                std::error_code& ec) noexcept;
/// The result of a non-blocking connect: the socket's pending error (SO_ERROR, which reading
/// clears), or getsockopt's own failure; empty when the connect succeeded.
std::error_code take_socket_error(int fd) noexcept;

}  // namespace soket::sys
