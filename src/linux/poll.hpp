// SPDX-License-Identifier: MIT
// poll(2): waiting for one descriptor (the blocking socket calls' timeouts) or many (the io
// layer's PollSelector), and the readiness bits epoll reports too. Internal: never installed.
#pragma once

#include <chrono>
#include <system_error>
#include <vector>

#include "linux/result.hpp"

namespace soket::sys {

/// Readiness bits, as the io layer spells them (mapped to POLLIN/EPOLLIN ... in poll.cpp and
/// epoll.cpp).
inline constexpr unsigned ready_read = 1;
inline constexpr unsigned ready_write = 2;
inline constexpr unsigned ready_error = 4;  // POLLERR/POLLNVAL/EPOLLERR
inline constexpr unsigned ready_hangup = 8;

/// One descriptor and its interest or readiness (ready_* bits).
struct ReadyFd {
  int fd;
  unsigned events;
};

/// A timeout in poll's milliseconds: -1 when `block`; zero or negative is 0; a positive value
/// rounds up to whole ms (a 0.1 ms timeout waits rather than spins, as CPython does); the
/// largest int at most.
int timeout_ms(std::chrono::nanoseconds timeout, bool block) noexcept;

/// What wait() should wait for.
enum class Want { read, write };
/// Waits until fd is ready for `want` or `timeout` passes. Returns true when ready (or the fd
/// has an error/hang-up to report), false on timeout. EINTR is returned in ec for the caller
/// to retry with the time left.
bool wait(int fd, Want want, std::chrono::nanoseconds timeout, std::error_code& ec) noexcept;

/// poll(2) over (fd, interest) pairs; `out` gets the ready ones. EINTR is returned in ec.
bool poll(const std::vector<ReadyFd>& interest, std::vector<ReadyFd>& out, int timeout_ms,
          std::error_code& ec) noexcept;

}  // namespace soket::sys
