// SPDX-License-Identifier: MIT
// sendmsg(2)/recvmsg(2) wrappers: MSG_NOSIGNAL on every send, MSG_CMSG_CLOEXEC on every
// receive, errno as std::error_code. Internal: never installed.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <cstddef>
#include <system_error>

namespace soket::sys {

/// sendmsg(2) with MSG_NOSIGNAL added. Returns bytes sent or -1.
ssize_t sendmsg(int fd, const msghdr* message, int flags, std::error_code& ec) noexcept;
/// recvmsg(2) with MSG_CMSG_CLOEXEC added, so received descriptors are close-on-exec.
ssize_t recvmsg(int fd, msghdr* message, int flags, std::error_code& ec) noexcept;

}  // namespace soket::sys
