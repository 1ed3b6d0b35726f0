// SPDX-License-Identifier: MIT
#include <soket/event/loop_group.hpp>

#include <string>
#include <system_error>

namespace soket::event {

LoopGroup::LoopGroup(std::size_t n, Backend backend) {
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  loops_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) loops_.push_back(std::make_unique<Loop>(backend));
}

LoopGroup::~LoopGroup() {
  stop();
}

void LoopGroup::start() {
  if (!threads_.empty()) return;
  try {
    for (auto& l : loops_) threads_.emplace_back([loop = l.get()] { loop->run(); });
  } catch (const std::system_error& e) {
    // A thread that cannot start (EAGAIN: RLIMIT_NPROC, memory) leaves the group not started:
    // stop and join the loops that did, so nobody later waits for a loop that never ran.
    std::size_t started = threads_.size();
    for (std::size_t i = 0; i < started; ++i) loops_[i]->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    throw std::system_error(e.code(), "cannot start loop thread " + std::to_string(started + 1) +
                                          " of " + std::to_string(loops_.size()));
  }
}

void LoopGroup::stop() {
  for (auto& l : loops_) l->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Loop& LoopGroup::next() noexcept {
  return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

}  // namespace soket::event
