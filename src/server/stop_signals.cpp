// SPDX-License-Identifier: MIT
// StopSignals: block the stop signals, then wait for them with sigtimedwait.
#include <soket/server/stop_signals.hpp>

#include <pthread.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <exception>
#include <thread>

#include <soket/error.hpp>

#include "deadline.hpp"

namespace soket::server {
StopSignals::StopSignals() : StopSignals({SIGINT, SIGTERM, SIGHUP}) {}

StopSignals::StopSignals(std::initializer_list<int> signals) {
  sigemptyset(&set_);
  for (int s : signals) sigaddset(&set_, s);
  if (int e = pthread_sigmask(SIG_BLOCK, &set_, &saved_))
    throw_error(std::error_code(e, std::generic_category()), "pthread_sigmask");
}

StopSignals::~StopSignals() {
  pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
}

int StopSignals::wait() {
  for (;;) {
    int sig = 0;
    if (sigwait(&set_, &sig) == 0) return sig;
  }
}

std::optional<int> StopSignals::wait_for(std::chrono::nanoseconds timeout) {
  const auto deadline = detail::deadline_after(timeout);
  for (;;) {
    const auto left = detail::time_left(deadline);
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec ts{static_cast<time_t>(secs.count()), static_cast<long>((left - secs).count())};
    int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig > 0) return sig;
    if (errno == EAGAIN) return std::nullopt;
    // EINTR (another signal's handler ran): wait for the rest of the time.
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
