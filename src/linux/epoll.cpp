// SPDX-License-Identifier: MIT
// epoll(7) for the io layer.
#include "linux/epoll.hpp"

#include <sys/epoll.h>
#include <cstdint>

namespace soket::sys {
namespace {

std::uint32_t to_epoll(unsigned events) noexcept {
  std::uint32_t e = 0;
  if (events & ready_read) e |= EPOLLIN;
  if (events & ready_write) e |= EPOLLOUT;
  return e;
}

unsigned from_epoll(std::uint32_t events) noexcept {
  unsigned r = 0;
  if (events & EPOLLIN) r |= ready_read;
  if (events & EPOLLOUT) r |= ready_write;
  if (events & EPOLLERR) r |= ready_error;
  if (events & EPOLLHUP) r |= ready_hangup;
  return r;
}

bool ctl(int epfd, int op, int fd, epoll_event ev, std::error_code& ec) noexcept {
  return checked(::epoll_ctl(epfd, op, fd, &ev), ec) == 0;
}

bool ctl(int epfd, int op, int fd, unsigned events, std::error_code& ec) noexcept {
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.fd = fd;
  return ctl(epfd, op, fd, ev, ec);
}

bool ctl(int epfd, int op, int fd, std::uint32_t events, void* ptr, std::error_code& ec) noexcept {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = ptr;
  return ctl(epfd, op, fd, ev, ec);
}

}  // namespace

int epoll_create(std::error_code& ec) noexcept {
  return checked(::epoll_create1(EPOLL_CLOEXEC), ec);
}

bool epoll_add(int epfd, int fd, unsigned events, std::error_code& ec) noexcept {
  return ctl(epfd, EPOLL_CTL_ADD, fd, events, ec);
}
bool epoll_mod(int epfd, int fd, unsigned events, std::error_code& ec) noexcept {
  return ctl(epfd, EPOLL_CTL_MOD, fd, events, ec);
}
bool epoll_del(int epfd, int fd, std::error_code& ec) noexcept {
  return ctl(epfd, EPOLL_CTL_DEL, fd, 0, ec);
}

bool epoll_wait(int epfd, std::vector<ReadyFd>& out, int max_events, int timeout_ms,
                std::error_code& ec) noexcept {
  constexpr int chunk = 256;
  epoll_event evs[chunk];
  if (max_events < 1) max_events = 1;
  int n = checked(::epoll_wait(epfd, evs, max_events < chunk ? max_events : chunk, timeout_ms), ec);
  out.clear();
  if (n < 0) return false;
  for (int i = 0; i < n; ++i) out.push_back({evs[i].data.fd, from_epoll(evs[i].events)});
  return true;
}

bool epoll_add(int epfd, int fd, std::uint32_t events, void* ptr, std::error_code& ec) noexcept {
  return ctl(epfd, EPOLL_CTL_ADD, fd, events, ptr, ec);
}
bool epoll_mod(int epfd, int fd, std::uint32_t events, void* ptr, std::error_code& ec) noexcept {
  return ctl(epfd, EPOLL_CTL_MOD, fd, events, ptr, ec);
}

int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms,
               std::error_code& ec) noexcept {
  return checked(::epoll_wait(epfd, events, max_events, timeout_ms), ec);
}

}  // namespace soket::sys
