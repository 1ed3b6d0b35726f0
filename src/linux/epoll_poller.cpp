// SPDX-License-Identifier: MIT
#include "linux/epoll_poller.hpp"

#include <sys/epoll.h>
#include <climits>

#include <soket/error.hpp>
#include <soket/event/watcher.hpp>

#include "event/report.hpp"
#include "linux/epoll.hpp"
#include "linux/eventfd.hpp"

namespace soket::sys {
namespace {

std::uint32_t to_epoll(std::uint32_t interest) noexcept {
  std::uint32_t e = 0;
  if (interest & event::Watcher::readable) e |= EPOLLIN | EPOLLRDHUP;
  if (interest & event::Watcher::writable) e |= EPOLLOUT;
  return e;
}

std::uint32_t from_epoll(std::uint32_t e) noexcept {
  std::uint32_t r = 0;
  if (e & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) r |= event::Watcher::readable;
  if (e & EPOLLOUT) r |= event::Watcher::writable;
  if (e & EPOLLHUP) r |= event::Watcher::hangup | event::Watcher::readable;
  if (e & EPOLLERR) r |= event::Watcher::error | event::Watcher::readable;
  return r;
}

}  // namespace

EpollPoller::EpollPoller() {
  std::error_code ec;
  epfd_ = OwnedFd(epoll_create(ec));
  if (!epfd_) throw_error(ec, "epoll_create1");
  wakefd_ = OwnedFd(eventfd(ec));
  if (!wakefd_) throw_error(ec, "eventfd");
  // data.ptr == this marks the wakeup fd (nullptr marks an invalidated event).
  if (!epoll_add(epfd_.get(), wakefd_.get(), EPOLLIN, this, ec))
    throw_error(ec, "epoll_ctl(eventfd)");
  events_.resize(capacity_ * sizeof(epoll_event));
}

EpollPoller::~EpollPoller() = default;

void EpollPoller::add(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept {
  epoll_add(epfd_.get(), w.fd(), to_epoll(interest), &w, ec);
}

void EpollPoller::modify(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept {
  epoll_mod(epfd_.get(), w.fd(), to_epoll(interest), &w, ec);
}

void EpollPoller::remove(event::Watcher& w, std::error_code& ec) noexcept {
  // The watcher may be deleted (or its slot reused) before the rest of the batch in flight is
  // dispatched: forget its events there (libuv's uv__platform_invalidate_fd, muduo's
  // removeChannel).
  auto* evs = reinterpret_cast<epoll_event*>(events_.data());
  for (std::size_t i = next_; i < ready_; ++i)
    if (evs[i].data.ptr == &w) evs[i].data.ptr = nullptr;
  epoll_del(epfd_.get(), w.fd(), ec);
}

int EpollPoller::wait(std::chrono::milliseconds timeout) {
  auto* evs = reinterpret_cast<epoll_event*>(events_.data());
  long long ms = timeout.count();
  int t = ms < 0 ? -1 : static_cast<int>(ms > INT_MAX ? INT_MAX : ms);
  std::error_code ec;
  int n = epoll_wait(epfd_.get(), evs, static_cast<int>(capacity_), t, ec);
  if (n <= 0) return 0;  // EINTR: the loop simply goes round again
  ready_ = static_cast<std::size_t>(n);
  for (next_ = 0; next_ < ready_;) {
    epoll_event& e = evs[next_++];
    if (e.data.ptr == this) {
      eventfd_drain(wakefd_.get());
      continue;
    }
    if (e.data.ptr == nullptr) continue;  // unwatched earlier in this batch
    event::detail::dispatch(*static_cast<event::Watcher*>(e.data.ptr), from_epoll(e.events));
  }
  next_ = ready_ = 0;
  // A full array means more may be ready: grow it, as muduo's EPollPoller does.
  if (static_cast<std::size_t>(n) == capacity_ && capacity_ < 4096) {
    capacity_ *= 2;
    events_.resize(capacity_ * sizeof(epoll_event));
  }
  return n;
}

void EpollPoller::wakeup() noexcept {
  eventfd_signal(wakefd_.get());
}

}  // namespace soket::sys
