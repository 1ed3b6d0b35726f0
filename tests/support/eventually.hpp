// SPDX-License-Identifier: MIT
// Waiting for what a server's loop threads do, from a test's thread: a bounded poll of a
// condition, and a thread-safe record of how connections ended.
#pragma once

#include <chrono>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace soket::test {

/// Polls pred() every few milliseconds until it holds (true) or `limit` has passed (false):
/// the limit only guards against a hang, never measures anything.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

/// The reasons a handler's on_close was given, in order; record() from any loop thread.
class CloseLog {
 public:
  void record(std::error_code reason) {
    std::lock_guard lock(mu_);
    closes_.push_back(reason);
  }
  std::vector<std::error_code> closed() const {
    std::lock_guard lock(mu_);
    return closes_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::error_code> closes_;
};

}  // namespace soket::test
