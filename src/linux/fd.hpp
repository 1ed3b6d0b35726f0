// SPDX-License-Identifier: MIT
// Descriptor calls that work on any fd: close, dup, and the O_NONBLOCK / FD_CLOEXEC flags.
// (Owning a descriptor is soket::OwnedFd's job.) Internal: never installed.
#pragma once

#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// close(2), never retried on EINTR (Linux has already released the descriptor).
bool close(int fd, std::error_code& ec) noexcept;
/// close(2) ignoring errors; does nothing for a negative fd.
void close_quietly(int fd) noexcept;
/// fcntl(F_DUPFD_CLOEXEC): a close-on-exec duplicate of fd, or -1.
int dup(int fd, std::error_code& ec) noexcept;
/// Sets or clears O_NONBLOCK.
bool set_nonblocking(int fd, bool on, std::error_code& ec) noexcept;
/// FD_CLOEXEC: read (false with ec set on error) and set or clear.
bool get_cloexec(int fd, std::error_code& ec) noexcept;
bool set_cloexec(int fd, bool on, std::error_code& ec) noexcept;

}  // namespace soket::sys
