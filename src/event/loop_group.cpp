// SPDX-License-Identifier: MIT
#include <soket/event/loop_group.hpp>

namespace soket::event {

LoopGroup::LoopGroup(std::size_t n) {
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  loops_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) loops_.push_back(std::make_unique<Loop>());
}

LoopGroup::~LoopGroup() {
  stop();
}

void LoopGroup::start() {
  if (!threads_.empty()) return;
  for (auto& l : loops_) threads_.emplace_back([loop = l.get()] { loop->run(); });
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
