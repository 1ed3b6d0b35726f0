// SPDX-License-Identifier: MIT
// Per-thread signal masks: block signals for a scope (then wait for them with sigwait), and
// the guard that keeps a write without MSG_NOSIGNAL (sendfile(2)) from raising SIGPIPE. No
// handler is ever installed: the process's dispositions stay the user's. Internal: never
// installed.
#pragma once

#include <signal.h>
#include <chrono>
#include <initializer_list>

namespace soket::sys {

/// Blocks `signals` in the calling thread for the object's lifetime; the destructor restores
/// the mask the thread had. Threads started meanwhile inherit the blocked mask, which is how a
/// server makes one thread the only one to receive SIGINT/SIGTERM (then wait() there).
/// Same thread only: a signal mask belongs to a thread.
class BlockedSignals {
 public:
  explicit BlockedSignals(std::initializer_list<int> signals) noexcept;
  ~BlockedSignals();
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

  /// Whether `sig` was already blocked before this object blocked it.
  bool was_blocked(int sig) const noexcept;
  /// Waits for one of the blocked signals, consumes it and returns its number (sigwait).
  int wait() const noexcept;
  /// The same, giving up after `timeout` (sigtimedwait): the signal's number, or 0 if none
  /// came (or a handled signal interrupted the wait).
  int wait_for(std::chrono::nanoseconds timeout) const noexcept;

 private:
  sigset_t set_;
  sigset_t previous_;
};

/// Whether `sig` is pending for the calling thread or the process (it must be blocked to be).
bool pending(int sig) noexcept;
/// Consumes a pending, blocked `sig` without waiting; false if none was pending.
bool consume(int sig) noexcept;

/// Keeps the calls made in its scope from raising SIGPIPE: blocks it, and on leaving consumes
/// the SIGPIPE they made pending — but not one that was already pending (blocked by the caller)
/// before: that one is the caller's. Then restores the mask. For sendfile(2), which has no
/// MSG_NOSIGNAL and (on a partial count, too) makes SIGPIPE pending when the peer has gone.
class NoSigpipe {
 public:
  NoSigpipe() noexcept;
  ~NoSigpipe();
  NoSigpipe(const NoSigpipe&) = delete;
  NoSigpipe& operator=(const NoSigpipe&) = delete;

 private:
  BlockedSignals blocked_{SIGPIPE};
  bool pending_before_ = false;
};

}  // namespace soket::sys
