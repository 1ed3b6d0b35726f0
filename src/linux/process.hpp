// SPDX-License-Identifier: MIT
// Process control for the forking server: fork, waitpid, _exit, kill. Internal: never
// installed.
#pragma once

#include <sys/types.h>
#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// fork(2). Returns the pid (0 in the child) or -1.
pid_t fork(std::error_code& ec) noexcept;
/// waitpid(pid, WNOHANG if !block). Returns the reaped pid, 0 if none, -1 with ec (ECHILD
/// included). EINTR is retried.
pid_t waitpid(pid_t pid, bool block, std::error_code& ec) noexcept;
/// _exit(2): leaves a forked child without running atexit handlers or destructors.
[[noreturn]] void exit_now(int status) noexcept;
/// kill(2).
bool kill(pid_t pid, int sig, std::error_code& ec) noexcept;

}  // namespace soket::sys
