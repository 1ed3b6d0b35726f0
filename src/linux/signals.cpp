// SPDX-License-Identifier: MIT
// Per-thread signal masks, sigwait, and the SIGPIPE guard.
#include "linux/signals.hpp"

#include <pthread.h>
#include <cerrno>
#include <ctime>

namespace soket::sys {
namespace {

int timed_wait(const sigset_t& set, std::chrono::nanoseconds timeout) noexcept {
  if (timeout.count() < 0) timeout = std::chrono::nanoseconds::zero();
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
  int sig = ::sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;  // EAGAIN: none came; EINTR: a handled signal interrupted
}

}  // namespace

BlockedSignals::BlockedSignals(std::initializer_list<int> signals) noexcept {
  ::sigemptyset(&set_);
  for (int sig : signals) ::sigaddset(&set_, sig);
  // Cannot fail with a valid `how` and set.
  ::pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

BlockedSignals::~BlockedSignals() {
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

bool BlockedSignals::was_blocked(int sig) const noexcept {
  return ::sigismember(&previous_, sig) == 1;
}

int BlockedSignals::wait() const noexcept {
  int sig = 0;
  return ::sigwait(&set_, &sig) == 0 ? sig : 0;
}

int BlockedSignals::wait_for(std::chrono::nanoseconds timeout) const noexcept {
  return timed_wait(set_, timeout);
}

bool pending(int sig) noexcept {
  sigset_t set;
  return ::sigpending(&set) == 0 && ::sigismember(&set, sig) == 1;
}

bool consume(int sig) noexcept {
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, sig);
  return timed_wait(set, std::chrono::nanoseconds::zero()) == sig;
}

// A SIGPIPE can only be pending before if the caller had it blocked (otherwise it was
// delivered), so the sigpending() call is skipped in the usual case.
NoSigpipe::NoSigpipe() noexcept
    : pending_before_(blocked_.was_blocked(SIGPIPE) && pending(SIGPIPE)) {}

NoSigpipe::~NoSigpipe() {
  if (!pending_before_) consume(SIGPIPE);
}

}  // namespace soket::sys
