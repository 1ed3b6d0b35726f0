// SPDX-License-Identifier: MIT
// Linux readiness and wakeup primitives for the io and server layers: epoll, poll over many
// descriptors, eventfd, fork/waitpid. Internal: never installed.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <system_error>
#include <vector>

namespace soket::sys {

/// Readiness bits, as the io layer spells them (mapped to EPOLLIN/POLLIN ... in epoll.cpp).
inline constexpr unsigned ready_read = 1;
inline constexpr unsigned ready_write = 2;
inline constexpr unsigned ready_error = 4;  // EPOLLERR/EPOLLHUP/POLLNVAL: reported as both
inline constexpr unsigned ready_hangup = 8;

/// One ready descriptor from epoll_wait / poll.
struct ReadyFd {
  int fd;
  unsigned events;  // ready_* bits
};

/// Converts a timeout to poll's milliseconds: nullopt-like negative = block (-1); sub-ms
/// positive values round up to 1 ms (CPython's selectors do the same).
int timeout_ms(std::chrono::nanoseconds timeout, bool block) noexcept;

/// epoll_create1(EPOLL_CLOEXEC).
int epoll_create(std::error_code& ec) noexcept;
/// epoll_ctl ADD/MOD/DEL with ready_read/ready_write interest, data.fd = fd.
bool epoll_add(int epfd, int fd, unsigned events, std::error_code& ec) noexcept;
bool epoll_mod(int epfd, int fd, unsigned events, std::error_code& ec) noexcept;
bool epoll_del(int epfd, int fd, std::error_code& ec) noexcept;
/// epoll_wait into `out` (resized to the number of ready fds, at most max_events). EINTR is
/// returned in ec.
bool epoll_wait(int epfd, std::vector<ReadyFd>& out, int max_events, int timeout_ms,
                std::error_code& ec) noexcept;

/// poll(2) over (fd, interest) pairs; `out` gets the ready ones. EINTR is returned in ec.
bool poll(const std::vector<ReadyFd>& interest, std::vector<ReadyFd>& out, int timeout_ms,
          std::error_code& ec) noexcept;

/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).
int eventfd(std::error_code& ec) noexcept;
/// Adds 1 to the eventfd counter (async-signal-safe); never blocks.
void eventfd_signal(int fd) noexcept;
/// Resets the counter to 0; never blocks.
void eventfd_drain(int fd) noexcept;

/// close(2) ignoring errors, for descriptors the io layer owns.
void close_quietly(int fd) noexcept;

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
