// SPDX-License-Identifier: MIT
#include "linux/uring_poller.hpp"

#include <linux/io_uring.h>
#include <poll.h>
#include <climits>

#include <soket/event/watcher.hpp>

#include "event/report.hpp"
#include "linux/eventfd.hpp"
#include "linux/fd.hpp"

namespace soket::sys {
namespace {

// user_data: generation << 32 | fd for watchers; two reserved values no fd can produce.
constexpr std::uint64_t wake_data = ~std::uint64_t{0};
constexpr std::uint64_t ignored_data = ~std::uint64_t{0} - 1;

std::uint64_t name(int fd, std::uint32_t generation) noexcept {
  return std::uint64_t{generation} << 32 | static_cast<std::uint32_t>(fd);
}

std::uint32_t to_poll(std::uint32_t interest) noexcept {
  std::uint32_t e = 0;
  if (interest & event::Watcher::readable) e |= POLLIN | POLLRDHUP;
  if (interest & event::Watcher::writable) e |= POLLOUT;
  return e;
}

std::uint32_t from_poll(std::uint32_t e) noexcept {
  std::uint32_t r = 0;
  if (e & (POLLIN | POLLPRI | POLLRDHUP)) r |= event::Watcher::readable;
  if (e & POLLOUT) r |= event::Watcher::writable;
  if (e & POLLHUP) r |= event::Watcher::hangup | event::Watcher::readable;
  if (e & POLLERR) r |= event::Watcher::error | event::Watcher::readable;
  return r;
}

}  // namespace

std::unique_ptr<UringPoller> UringPoller::create() {
  std::error_code ec;
  OwnedFd wakefd(eventfd(ec));
  if (!wakefd) return nullptr;
  std::unique_ptr<UringPoller> p(new UringPoller(std::move(wakefd)));
  // Needed: completions never dropped (NODROP) and a wait with a timeout (EXT_ARG, 5.11).
  constexpr std::uint32_t needed = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
  if (!p->ring_.ok() || (p->ring_.features() & needed) != needed) return nullptr;
  if (!p->arm_wakeup(ec) || !p->ring_.enter(0, -1, ec)) return nullptr;
  return p;
}

// 256 submissions cover a busy turn's re-arms (a full ring is submitted early); completions
// get 16× that, so a burst of ready descriptors rarely spills into the kernel's overflow list.
UringPoller::UringPoller(OwnedFd wakefd) : ring_(256, 4096, true), wakefd_(std::move(wakefd)) {}

UringPoller::~UringPoller() = default;  // closing the ring cancels every request

io_uring_sqe* UringPoller::sqe(std::error_code& ec) noexcept {
  io_uring_sqe* e = ring_.get_sqe();
  if (e) return e;
  if (!ring_.enter(0, -1, ec)) return nullptr;  // full: hand the queued ones to the kernel
  return ring_.get_sqe();
}

bool UringPoller::arm_wakeup(std::error_code& ec) noexcept {
  io_uring_sqe* e = sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_POLL_ADD;
  e->fd = wakefd_.get();
  e->poll32_events = POLLIN;
  e->user_data = wake_data;
  return true;
}

bool UringPoller::arm(int fd, Slot& s, std::error_code& ec) noexcept {
  io_uring_sqe* e = sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_POLL_ADD;
  e->fd = fd;
  e->poll32_events = to_poll(s.interest);
  e->user_data = name(fd, s.generation);
  s.armed = true;
  return true;
}

bool UringPoller::cancel(Slot& s, int fd, std::error_code& ec) noexcept {
  if (s.armed) {
    io_uring_sqe* e = sqe(ec);
    if (!e) return false;
    e->opcode = IORING_OP_POLL_REMOVE;
    e->addr = name(fd, s.generation);
    e->user_data = ignored_data;
    s.armed = false;
  }
  if (++s.generation == 0) s.generation = 1;  // the old request's completion is now stale
  return true;
}

void UringPoller::add(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept {
  int fd = w.fd();
  // epoll_ctl reports a bad descriptor at once; a poll request would only complete with it.
  if (fd < 0) {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
    return;
  }
  if (get_cloexec(fd, ec), ec) return;
  auto i = static_cast<std::size_t>(fd);
  if (i >= slots_.size()) slots_.resize(std::max(i + 1, slots_.size() * 2));
  Slot& s = slots_[i];
  if (s.watcher) {
    ec = std::make_error_code(std::errc::file_exists);
    return;
  }
  if (!cancel(s, fd, ec)) return;  // a fresh generation for the new watcher
  s.watcher = &w;
  s.interest = static_cast<std::uint16_t>(interest);
  ec.clear();
  if (interest) arm(fd, s, ec);
}

void UringPoller::modify(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept {
  int fd = w.fd();
  auto i = static_cast<std::size_t>(fd);
  if (fd < 0 || i >= slots_.size() || slots_[i].watcher != &w) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return;
  }
  Slot& s = slots_[i];
  ec.clear();
  if (s.interest == interest && (s.armed || !interest)) return;
  if (s.armed && !cancel(s, fd, ec)) return;
  s.interest = static_cast<std::uint16_t>(interest);
  if (interest) arm(fd, s, ec);
}

void UringPoller::remove(event::Watcher& w, std::error_code& ec) noexcept {
  int fd = w.fd();
  auto i = static_cast<std::size_t>(fd);
  if (fd < 0 || i >= slots_.size() || slots_[i].watcher != &w) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return;
  }
  Slot& s = slots_[i];
  bool was_armed = s.armed;
  s.watcher = nullptr;
  s.interest = 0;
  if (!cancel(s, fd, ec)) return;
  // The poll request holds a reference to the file: hand the removal to the kernel now, so
  // closing the descriptor next really closes the socket (the peer sees the FIN) even if the
  // loop never turns again.
  if (was_armed) ring_.enter(0, -1, ec);
}

int UringPoller::wait(std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (ring_.ready() == 0) {
    long long ms = timeout.count();
    ring_.enter(1, ms < 0 ? -1 : (ms > INT_MAX ? INT_MAX : ms) * 1000000LL, ec);
  } else {
    ring_.enter(0, -1, ec);  // completions are waiting: just submit the queued (re)arms
  }
  int n = 0;
  // Only what is ready now: completions of requests armed during this batch wait for the
  // next turn, so timers and posted functions are never starved.
  for (unsigned budget = ring_.ready(); budget > 0; --budget) {
    std::uint64_t user;
    int res;
    if (!ring_.next_completion(user, res)) break;
    if (user == ignored_data) continue;
    if (user == wake_data) {
      eventfd_drain(wakefd_.get());
      arm_wakeup(ec);
      continue;
    }
    int fd = static_cast<int>(user & 0xffffffffU);
    auto gen = static_cast<std::uint32_t>(user >> 32);
    auto i = static_cast<std::size_t>(fd);
    if (i >= slots_.size()) continue;
    if (slots_[i].generation != gen || !slots_[i].watcher) continue;  // removed or replaced
    slots_[i].armed = false;
    // A failed request (not a cancellation: those are stale) is shown to the watcher as an
    // error and not re-armed, so a broken descriptor cannot make the loop spin.
    std::uint32_t ready = res < 0 ? event::Watcher::error | event::Watcher::readable
                                  : from_poll(static_cast<std::uint32_t>(res));
    ++n;
    event::detail::dispatch(*slots_[i].watcher, ready);
    Slot& s = slots_[i];  // slots_ may have grown while the watcher ran
    if (res >= 0 && s.generation == gen && s.watcher && !s.armed && s.interest) arm(fd, s, ec);
  }
  return n;
}

void UringPoller::wakeup() noexcept {
  eventfd_signal(wakefd_.get());
}

}  // namespace soket::sys
