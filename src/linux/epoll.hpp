// SPDX-License-Identifier: MIT
// epoll(7) for the io layer's EpollSelector (interest in ready_* bits, data.fd = the fd) and
// for the event engine's poller (raw EPOLL* bits, data.ptr = its Watcher). Internal: never
// installed.
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include "linux/poll.hpp"

struct epoll_event;

namespace soket::sys {

/// epoll_create1(EPOLL_CLOEXEC). Returns the fd or -1.
int epoll_create(std::error_code& ec) noexcept;
/// epoll_ctl ADD/MOD/DEL with ready_read/ready_write interest, data.fd = fd.
bool epoll_add(int epfd, int fd, unsigned events, std::error_code& ec) noexcept;
bool epoll_mod(int epfd, int fd, unsigned events, std::error_code& ec) noexcept;
bool epoll_del(int epfd, int fd, std::error_code& ec) noexcept;
/// epoll_wait into `out` (resized to the number of ready fds, at most max_events). EINTR is
/// returned in ec.
bool epoll_wait(int epfd, std::vector<ReadyFd>& out, int max_events, int timeout_ms,
                std::error_code& ec) noexcept;

/// epoll_ctl ADD/MOD with raw EPOLL* `events` and data.ptr = ptr (the event engine finds its
/// watcher from the event, not from the fd).
bool epoll_add(int epfd, int fd, std::uint32_t events, void* ptr, std::error_code& ec) noexcept;
bool epoll_mod(int epfd, int fd, std::uint32_t events, void* ptr, std::error_code& ec) noexcept;
/// epoll_wait into a caller's raw array. Returns the count or -1 (EINTR included, in ec).
int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms,
               std::error_code& ec) noexcept;

}  // namespace soket::sys
