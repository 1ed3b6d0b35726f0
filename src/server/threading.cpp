// SPDX-License-Identifier: MIT
// ThreadSet: the per-request threads of ThreadingServer.
#include <soket/server/threading.hpp>

#include <atomic>

#include "deadline.hpp"

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
  ++running_;
  try {
    w->thread = std::thread([this, w, work = std::move(work)]() {
      work();
      std::lock_guard done_lock(mutex_);
      w->done.store(true, std::memory_order_release);
      if (--running_ == 0) finished_.notify_all();
    });
  } catch (...) {
    --running_;
    workers_.pop_back();
    throw;
  }
}

bool ThreadSet::wait_finished(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(mutex_);
  return finished_.wait_until(lock, soket::detail::deadline_after(timeout),
                              [this] { return running_ == 0; });
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

void LiveRequests::add(Socket& connection) {
  std::lock_guard lock(mutex_);
  live_.insert(&connection);
  if (ending_) {
    std::error_code ec;
    connection.shutdown(how_, ec);
  }
}

void LiveRequests::remove(Socket& connection) {
  std::lock_guard lock(mutex_);
  live_.erase(&connection);
}

std::size_t LiveRequests::end(Shut how) {
  std::lock_guard lock(mutex_);
  ending_ = true;
  how_ = how;
  for (Socket* s : live_) {
    std::error_code ec;  // the client may have gone already: nothing to end
    s->shutdown(how, ec);
  }
  return live_.size();
}

std::size_t ThreadSet::size() {
  std::lock_guard lock(mutex_);
  reap_locked();
  return workers_.size();
}

}  // namespace soket::server::detail
