// SPDX-License-Identifier: MIT
// One function for timeouts, EINTR and deadlines, shaped like CPython's sock_call_ex().
// Internal: never installed.
#pragma once

#include <chrono>
#include <optional>
#include <system_error>

#include <soket/error.hpp>
#include <soket/socket.hpp>

#include "deadline.hpp"
#include "linux/poll.hpp"

namespace soket::detail {

using Clock = std::chrono::steady_clock;
/// The moment an operation must finish by; std::nullopt when the socket has no timeout.
using Deadline = std::optional<Clock::time_point>;

/// A deadline for a socket with `timeout`: none for blocking (None) and non-blocking (0)
/// sockets, now + timeout otherwise (saturating: nanoseconds::max() means never).
inline Deadline deadline_for(const Timeout& timeout) noexcept {
  if (!timeout || timeout->count() == 0) return std::nullopt;
  return deadline_after(*timeout);
}

/// Waits until `fd` is ready for `want` or `deadline` passes, retrying EINTR with the time
/// left. Returns false with ec set (timed_out_error() on expiry).
inline bool wait_until(int fd, sys::Want want, Deadline deadline, std::error_code& ec) noexcept {
  for (;;) {
    auto left = deadline ? time_left(*deadline) : std::chrono::nanoseconds::max();
    if (left.count() <= 0) {
      ec = timed_out_error();
      return false;
    }
    bool ready =
        sys::wait(fd, want, std::chrono::duration_cast<std::chrono::nanoseconds>(left), ec);
    if (ec == std::errc::interrupted) continue;  // PEP 475: retry with the time left
    if (ec) return false;
    if (ready) return true;
  }
}

/// Runs `op(ec) -> bool` with Python's timeout semantics: tries the call, retries EINTR, and
/// when the socket has a timeout and the call would block, waits for readiness until
/// `deadline` and tries again. A blocking socket blocks in the call itself; a non-blocking
/// socket reports EAGAIN (BlockingIOError).
template <class Op>
bool call(int fd, sys::Want want, Deadline deadline, std::error_code& ec, Op&& op) {
  for (;;) {
    if (op(ec)) return true;
    if (ec == std::errc::interrupted) continue;
    if (!deadline || ec != std::errc::resource_unavailable_try_again) return false;
    if (!wait_until(fd, want, deadline, ec)) return false;
  }
}

}  // namespace soket::detail
