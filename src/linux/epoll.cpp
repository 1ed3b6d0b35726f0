// SPDX-License-Identifier: MIT
// Linux readiness and wakeup primitives: epoll, poll, eventfd, fork/waitpid.
#include "linux/epoll.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <csignal>

#include "linux/sys.hpp"

namespace soket::sys {
namespace {

std::uint32_t to_epoll(unsigned events) noexcept {
  std::uint32_t e = 0;
  if (events & ready_read) e |= EPOLLIN;
  if (events & ready_write) e |= EPOLLOUT;
  return e;
}

unsigned from_revents(unsigned in, unsigned out, unsigned err, unsigned hup,
                      unsigned revents) noexcept {
  unsigned r = 0;
  if (revents & in) r |= ready_read;
  if (revents & out) r |= ready_write;
  if (revents & err) r |= ready_error;
  if (revents & hup) r |= ready_hangup;
  return r;
}

bool ctl(int epfd, int op, int fd, unsigned events, std::error_code& ec) noexcept {
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.fd = fd;
  if (::epoll_ctl(epfd, op, fd, &ev) < 0) {
    ec = last_error();
    return false;
  }
  ec.clear();
  return true;
}

}  // namespace

int timeout_ms(std::chrono::nanoseconds timeout, bool block) noexcept {
  if (block) return -1;
  if (timeout.count() <= 0) return 0;
  // Round up: a 0.1 ms timeout must wait, not spin (CPython selectors: math.ceil(timeout*1e3)).
  auto ms = (timeout.count() + 999'999) / 1'000'000;
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

int epoll_create(std::error_code& ec) noexcept {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0)
    ec = last_error();
  else
    ec.clear();
  return fd;
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
  int n = ::epoll_wait(epfd, evs, max_events < chunk ? max_events : chunk, timeout_ms);
  out.clear();
  if (n < 0) {
    ec = last_error();
    return false;
  }
  ec.clear();
  for (int i = 0; i < n; ++i)
    out.push_back(
        {evs[i].data.fd, from_revents(EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, evs[i].events)});
  return true;
}

bool poll(const std::vector<ReadyFd>& interest, std::vector<ReadyFd>& out, int timeout_ms,
          std::error_code& ec) noexcept {
  std::vector<pollfd> fds;
  fds.reserve(interest.size());
  for (const auto& i : interest) {
    short e = 0;
    if (i.events & ready_read) e |= POLLIN;
    if (i.events & ready_write) e |= POLLOUT;
    fds.push_back({i.fd, e, 0});
  }
  int n = ::poll(fds.data(), fds.size(), timeout_ms);
  out.clear();
  if (n < 0) {
    ec = last_error();
    return false;
  }
  ec.clear();
  for (const auto& p : fds) {
    if (p.revents == 0) continue;
    out.push_back({p.fd, from_revents(POLLIN, POLLOUT, POLLERR | POLLNVAL, POLLHUP,
                                      static_cast<unsigned short>(p.revents))});
  }
  return true;
}

int eventfd(std::error_code& ec) noexcept {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0)
    ec = last_error();
  else
    ec.clear();
  return fd;
}

void eventfd_signal(int fd) noexcept {
  std::uint64_t one = 1;
  // EAGAIN only if the counter would overflow: the fd is readable anyway, which is all we need.
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

void eventfd_drain(int fd) noexcept {
  std::uint64_t v = 0;
  [[maybe_unused]] auto n = ::read(fd, &v, sizeof v);
}

void close_quietly(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

pid_t fork(std::error_code& ec) noexcept {
  pid_t pid = ::fork();
  if (pid < 0)
    ec = last_error();
  else
    ec.clear();
  return pid;
}

pid_t waitpid(pid_t pid, bool block, std::error_code& ec) noexcept {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0)
      ec = last_error();
    else
      ec.clear();
    return r;
  }
}

void exit_now(int status) noexcept {
  ::_exit(status);
}

bool kill(pid_t pid, int sig, std::error_code& ec) noexcept {
  if (::kill(pid, sig) < 0) {
    ec = last_error();
    return false;
  }
  ec.clear();
  return true;
}

}  // namespace soket::sys
