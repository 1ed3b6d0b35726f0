// SPDX-License-Identifier: MIT
// LoopGroup: N event loops on N threads (muduo's EventLoopThreadPool).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <soket/event/backend.hpp>
#include <soket/event/loop.hpp>

namespace soket::event {

/// Owns `size` loops and, once started, one thread running each.
///
/// Thread rules: start()/stop()/the destructor from one controlling thread that is not a loop
/// thread; loop(i), size() and next() from any thread.
class LoopGroup {
 public:
  /// n == 0 means one loop per core (std::thread::hardware_concurrency()); each loop waits
  /// with `backend` (backend.hpp).
  explicit LoopGroup(std::size_t n = 0, Backend backend = Backend::automatic);
  /// Stops and joins.
  ~LoopGroup();
  LoopGroup(const LoopGroup&) = delete;
  LoopGroup& operator=(const LoopGroup&) = delete;

  /// Starts one thread per loop. If one cannot start (std::system_error), those that did are
  /// stopped and joined before the error is rethrown: the group is left not started.
  void start();
  /// Stops every loop and joins its thread. Harmless if not started.
  void stop();

  std::size_t size() const noexcept { return loops_.size(); }
  Loop& loop(std::size_t i) noexcept { return *loops_[i]; }
  /// Round robin over the loops.
  Loop& next() noexcept;

 private:
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace soket::event
