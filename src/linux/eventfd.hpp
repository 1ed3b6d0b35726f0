// SPDX-License-Identifier: MIT
// eventfd(2) as a wakeup: one thread (or a signal handler) signals, a poller wakes and drains.
// Internal: never installed.
#pragma once

#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK). Returns the fd or -1.
int eventfd(std::error_code& ec) noexcept;
/// Adds 1 to the counter, making the fd readable (async-signal-safe); never blocks.
void eventfd_signal(int fd) noexcept;
/// Resets the counter to 0; never blocks.
void eventfd_drain(int fd) noexcept;

}  // namespace soket::sys
