// SPDX-License-Identifier: MIT
// ThreadSet: the per-request threads of ThreadingServer.
#include <soket/server/threading.hpp>

#include <atomic>

namespace soket::server::detail {

ThreadSet::~ThreadSet() {
  join_all();
}

void ThreadSet::reap_locked() {
  // Python 3.7+ also prunes finished threads on each new request (_Threads.reap).
  for (auto it = workers_.begin(); it != workers_.end();) {
    if ((*it)->done.load(std::memory_order_acquire)) {
      (*it)->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void ThreadSet::start(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  reap_locked();
  auto worker = std::make_unique<Worker>();
  Worker* w = worker.get();
  workers_.push_back(std::move(worker));
  try {
    w->thread = std::thread([w, work = std::move(work)]() {
      work();
      w->done.store(true, std::memory_order_release);
    });
  } catch (...) {
    workers_.pop_back();
    throw;
  }
}

void ThreadSet::join_all() {
  std::list<std::unique_ptr<Worker>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(workers_);
  }
  for (auto& w : all)
    if (w->thread.joinable()) w->thread.join();
}

std::size_t ThreadSet::size() {
  std::lock_guard lock(mutex_);
  reap_locked();
  return workers_.size();
}

}  // namespace soket::server::detail
