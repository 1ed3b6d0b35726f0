// SPDX-License-Identifier: MIT
// StopSignals: the public face of sys::BlockedSignals, plus serve().
#include <soket/server/stop_signals.hpp>

#include <atomic>
#include <csignal>
#include <exception>
#include <thread>

#include "deadline.hpp"
#include "linux/signals.hpp"

namespace soket::server {
StopSignals::StopSignals() : StopSignals({SIGINT, SIGTERM, SIGHUP}) {}

StopSignals::StopSignals(std::initializer_list<int> signals)
    : blocked_(std::make_unique<sys::BlockedSignals>(signals)) {}

StopSignals::~StopSignals() = default;

int StopSignals::wait() {
  for (;;) {
    if (int sig = blocked_->wait()) return sig;
  }
}

std::optional<int> StopSignals::wait_for(std::chrono::nanoseconds timeout) {
  const auto deadline = detail::deadline_after(timeout);
  for (;;) {
    if (int sig = blocked_->wait_for(detail::time_left(deadline))) return sig;
    // None came, or another signal's handler interrupted the wait: wait for the rest of the time.
    if (detail::time_left(deadline) <= std::chrono::nanoseconds::zero()) return std::nullopt;
  }
}

int StopSignals::serve(BaseServer& server, std::chrono::duration<double> poll_interval) {
  std::exception_ptr failed;
  std::atomic<bool> ended{false};
  std::thread serving([&] {
    try {
      server.serve_forever(poll_interval);
    } catch (...) {
      failed = std::current_exception();
    }
    ended.store(true);
  });
  int sig = 0;
  // Short slices, so that a failure of serve_forever is noticed without a signal.
  while (!ended.load()) {
    if (auto s = wait_for(std::chrono::milliseconds(100))) {
      sig = *s;
      break;
    }
  }
  if (!ended.load()) server.shutdown();
  serving.join();
  if (failed) std::rethrow_exception(failed);
  return sig;
}

}  // namespace soket::server
