// SPDX-License-Identifier: MIT
// poll(2) for one descriptor or many.
#include "linux/poll.hpp"

#include <poll.h>
#include <climits>

namespace soket::sys {
namespace {

short to_poll(unsigned events) noexcept {
  short e = 0;
  if (events & ready_read) e |= POLLIN;
  if (events & ready_write) e |= POLLOUT;
  return e;
}

unsigned from_poll(short revents) noexcept {
  unsigned r = 0;
  if (revents & POLLIN) r |= ready_read;
  if (revents & POLLOUT) r |= ready_write;
  if (revents & (POLLERR | POLLNVAL)) r |= ready_error;
  if (revents & POLLHUP) r |= ready_hangup;
  return r;
}

}  // namespace

int timeout_ms(std::chrono::nanoseconds timeout, bool block) noexcept {
  if (block) return -1;
  if (timeout.count() <= 0) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

bool wait(int fd, Want want, std::chrono::nanoseconds timeout, std::error_code& ec) noexcept {
  pollfd p{fd, to_poll(want == Want::read ? ready_read : ready_write), 0};
  int n = checked(::poll(&p, 1, timeout_ms(timeout, false)), ec);
  return n > 0;
}

bool poll(const std::vector<ReadyFd>& interest, std::vector<ReadyFd>& out, int timeout_ms,
          std::error_code& ec) noexcept {
  std::vector<pollfd> fds;
  fds.reserve(interest.size());
  for (const auto& i : interest) fds.push_back({i.fd, to_poll(i.events), 0});
  int n = checked(::poll(fds.data(), fds.size(), timeout_ms), ec);
  out.clear();
  if (n < 0) return false;
  for (const auto& p : fds)
    if (p.revents != 0) out.push_back({p.fd, from_poll(p.revents)});
  return true;
}

}  // namespace soket::sys
