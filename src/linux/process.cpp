// SPDX-License-Identifier: MIT
// Process control: fork, waitpid, _exit, kill.
#include "linux/process.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

namespace soket::sys {

pid_t fork(std::error_code& ec) noexcept {
  return checked(::fork(), ec);
}

pid_t waitpid(pid_t pid, bool block, std::error_code& ec) noexcept {
  pid_t r;
  do {
    int status = 0;
    r = checked(::waitpid(pid, &status, block ? 0 : WNOHANG), ec);
  } while (r < 0 && ec == std::errc::interrupted);
  return r;
}

void exit_now(int status) noexcept {
  ::_exit(status);
}

bool kill(pid_t pid, int sig, std::error_code& ec) noexcept {
  return checked(::kill(pid, sig), ec) == 0;
}

}  // namespace soket::sys
