// SPDX-License-Identifier: MIT
// Selectors: Python's selectors module over epoll(7) and poll(2).
#include <soket/io/selector.hpp>

#include <stdexcept>
#include <string>

#include <soket/error.hpp>

#include "deadline.hpp"
#include "linux/epoll.hpp"
#include "linux/poll.hpp"

namespace soket::selectors {
namespace {

using Clock = std::chrono::steady_clock;

void check_fd(int fd) {
  if (fd < 0)
    throw std::invalid_argument("selector: invalid file descriptor: " + std::to_string(fd));
}

void check_events(Events events, int fd) {
  if (events == 0 || (events & ~(EVENT_READ | EVENT_WRITE)) != 0)
    throw std::invalid_argument("selector: invalid events " + std::to_string(events) + " for fd " +
                                std::to_string(fd));
}

std::invalid_argument not_registered(int fd) {
  return std::invalid_argument("selector: fd " + std::to_string(fd) + " is not registered");
}

}  // namespace

BaseSelector::~BaseSelector() = default;

SelectorKey& BaseSelector::add_key(SelectorKey key) {
  if (closed_) throw std::logic_error("selector: register on a closed selector");
  check_fd(key.fd);
  check_events(key.events, key.fd);
  if (keys_.count(key.fd))
    throw std::invalid_argument("selector: fd " + std::to_string(key.fd) +
                                " is already registered");
  backend_add(key.fd, key.events);
  int fd = key.fd;
  return keys_.emplace(fd, std::move(key)).first->second;
}

SelectorKey& BaseSelector::register_(int fd, Events events, std::any data) {
  return add_key(SelectorKey{nullptr, fd, events, std::move(data)});
}

SelectorKey& BaseSelector::register_(const Socket& sock, Events events, std::any data) {
  return add_key(SelectorKey{&sock, sock.fileno(), events, std::move(data)});
}

int BaseSelector::fd_of(const Socket& sock) const noexcept {
  const int fd = sock.fileno();
  if (auto it = keys_.find(fd); it != keys_.end() && it->second.fileobj == &sock) return fd;
  for (const auto& [key_fd, key] : keys_)
    if (key.fileobj == &sock) return key_fd;
  return fd;
}

SelectorKey BaseSelector::unregister(int fd) {
  auto it = keys_.find(fd);
  if (it == keys_.end()) throw not_registered(fd);
  backend_remove(fd);
  SelectorKey key = std::move(it->second);
  keys_.erase(it);
  return key;
}

SelectorKey& BaseSelector::modify(int fd, Events events, std::optional<std::any> data) {
  auto it = keys_.find(fd);
  if (it == keys_.end()) throw not_registered(fd);
  check_events(events, fd);
  if (events != it->second.events) {
    backend_modify(fd, events);
    it->second.events = events;
  }
  if (data) it->second.data = std::move(*data);
  return it->second;
}

SelectorKey& BaseSelector::get_key(int fd) {
  auto it = keys_.find(fd);
  if (it == keys_.end()) throw not_registered(fd);
  return it->second;
}

std::vector<Ready> BaseSelector::select(Timeout timeout) {
  if (closed_) throw std::logic_error("selector: select on a closed selector");
  std::vector<Ready> result;
  const bool block = !timeout.has_value();
  const auto deadline = block ? Clock::time_point::max() : soket::detail::deadline_after(*timeout);
  auto left = block ? std::chrono::nanoseconds(0) : *timeout;
  while (!backend_wait(sys::timeout_ms(left, block))) {
    // EINTR: retry with the time left (PEP 475); an expired timeout polls once more.
    if (!block) left = soket::detail::time_left(deadline);
  }
  result.reserve(ready_.size());
  for (const auto& r : ready_) {
    auto it = keys_.find(r.fd);
    if (it == keys_.end()) continue;
    Events ev = 0;
    // An error or hang-up wakes both directions, as CPython's selectors report it.
    if (r.events & (sys::ready_read | sys::ready_error | sys::ready_hangup)) ev |= EVENT_READ;
    if (r.events & (sys::ready_write | sys::ready_error | sys::ready_hangup)) ev |= EVENT_WRITE;
    ev &= it->second.events;
    if (ev) result.push_back(Ready{it->second, ev});
  }
  return result;
}

void BaseSelector::close() noexcept {
  if (closed_) return;
  closed_ = true;
  keys_.clear();
  ready_.clear();
  backend_close();
}

// -- epoll ------------------------------------------------------------------------------------

EpollSelector::EpollSelector() {
  std::error_code ec;
  epfd_ = OwnedFd(sys::epoll_create(ec));
  if (ec) throw_error(ec, "epoll_create1");
}

EpollSelector::~EpollSelector() {
  close();
}

void EpollSelector::backend_add(int fd, Events events) {
  std::error_code ec;
  if (!sys::epoll_add(epfd_.get(), fd, events, ec))
    throw_error(ec, "selector register fd " + std::to_string(fd));
}

void EpollSelector::backend_modify(int fd, Events events) {
  std::error_code ec;
  if (!sys::epoll_mod(epfd_.get(), fd, events, ec))
    throw_error(ec, "selector modify fd " + std::to_string(fd));
}

void EpollSelector::backend_remove(int fd) noexcept {
  // The fd may already be closed (EBADF) or never reached the kernel: Python ignores that too.
  std::error_code ec;
  sys::epoll_del(epfd_.get(), fd, ec);
}

bool EpollSelector::backend_wait(int timeout_ms) {
  std::vector<sys::ReadyFd> out;
  std::error_code ec;
  // Like Python: at most one event per registered fd.
  int max_events = keys_.empty() ? 1 : static_cast<int>(keys_.size());
  sys::epoll_wait(epfd_.get(), out, max_events, timeout_ms, ec);
  if (ec == std::errc::interrupted) return false;
  if (ec) throw_error(ec, "epoll_wait");
  ready_.clear();
  for (const auto& r : out) ready_.push_back({r.fd, r.events});
  return true;
}

void EpollSelector::backend_close() noexcept {
  epfd_.reset();
}

// -- poll -------------------------------------------------------------------------------------

PollSelector::~PollSelector() {
  close();
}

bool PollSelector::backend_wait(int timeout_ms) {
  std::vector<sys::ReadyFd> interest, out;
  interest.reserve(keys_.size());
  for (const auto& [fd, key] : keys_) {
    unsigned e = 0;
    if (key.events & EVENT_READ) e |= sys::ready_read;
    if (key.events & EVENT_WRITE) e |= sys::ready_write;
    interest.push_back({fd, e});
  }
  std::error_code ec;
  sys::poll(interest, out, timeout_ms, ec);
  if (ec == std::errc::interrupted) return false;
  if (ec) throw_error(ec, "poll");
  ready_.clear();
  for (const auto& r : out) ready_.push_back({r.fd, r.events});
  return true;
}

}  // namespace soket::selectors
