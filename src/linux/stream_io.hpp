// SPDX-License-Identifier: MIT
// The engine's stream system calls: non-blocking accept, readv/write/writev (sendfile is in
// sendfile.hpp), and the reserve descriptor for EMFILE. Every send passes MSG_NOSIGNAL. Internal:
// never installed.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <system_error>

struct iovec;

namespace soket::sys {

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; addr/len may be null.
int accept_nonblocking(int fd, void* addr, std::size_t* len, std::error_code& ec) noexcept;
/// readv(2). Returns bytes read, 0 at EOF, -1 with ec.
ssize_t readv(int fd, const iovec* iov, int count, std::error_code& ec) noexcept;
/// send(2) with MSG_NOSIGNAL.
ssize_t write(int fd, const void* data, std::size_t len, std::error_code& ec) noexcept;
/// sendmsg(2) with MSG_NOSIGNAL over an iovec array (writev without SIGPIPE).
ssize_t writev(int fd, const iovec* iov, int count, std::error_code& ec) noexcept;
/// Opens /dev/null read-only with O_CLOEXEC: the spare descriptor of the EMFILE trick.
int open_reserve(std::error_code& ec) noexcept;
/// Sets TCP_NODELAY; errors are ignored (a Unix socket has no such option).
void set_nodelay(int fd) noexcept;
/// Sets SO_REUSEPORT on a socket before bind.
bool set_reuse_port(int fd, std::error_code& ec) noexcept;

}  // namespace soket::sys
