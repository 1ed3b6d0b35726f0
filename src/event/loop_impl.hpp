// SPDX-License-Identifier: MIT
// The Loop's internals: poller, timers, posted-function queue, connection slab and buffer pools.
// Internal: never installed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/loop.hpp>
#include <soket/event/timer_queue.hpp>

#include "linux/epoll_poller.hpp"
#include "linux/uring.hpp"

namespace soket::event::detail {

/// A connection's queued output: bytes, and at most one file region that goes out after the
/// first file_mark bytes of buf.
struct Output {
  Buffer buf;
  std::size_t file_mark = 0;
  int file_fd = -1;
  std::uint64_t file_offset = 0;
  std::size_t file_left = 0;
};

struct LoopImpl {
  using Clock = Loop::Clock;
  static constexpr std::size_t chunk_size = 256;  // connections per slab chunk
  static constexpr std::size_t scratch_size = 64 << 10;
  static constexpr std::size_t pool_max = 256;         // pooled buffers kept per loop
  static constexpr std::size_t pool_keep = 256 << 10;  // larger pooled buffers are freed

  explicit LoopImpl(Loop& l) : self(l), scratch(scratch_size) {}

  Loop& self;
  sys::EpollPoller poller;
  TimerQueue timers;
  Clock::time_point start = Clock::now(), now = start;
  std::atomic<bool> stopping{false};
  std::atomic<std::thread::id> thread{};

  std::mutex mu;
  std::vector<std::function<void()>> posted;  // guarded by mu
  std::atomic<bool> has_posted{false};        // lets a turn skip the lock when nothing came
  std::vector<std::function<void()>> running;

  std::vector<std::unique_ptr<Connection[]>> chunks;
  std::vector<std::uint32_t> free_slots;
  std::size_t live = 0;

  std::vector<std::unique_ptr<Output>> out_pool;
  std::vector<std::unique_ptr<Buffer>> in_pool;
  Buffer scratch;  // every read lands here first; leftovers move to a pooled buffer

  std::vector<Connection*> deferred;  // batch_writes connections with sends this turn
  std::unique_ptr<sys::Uring> uring;  // created on the first batched send
  void flush_deferred();

  TimerId sweep;
  Clock::duration sweep_period{};
  bool draining = false;

  // Watchers the loop owns: connects in flight (event::connect). Each leaves through disown()
  // when it finishes; ~Loop deletes those still here, without calling their handlers.
  std::vector<std::unique_ptr<Watcher>> owned;
  void own(std::unique_ptr<Watcher> w) { owned.push_back(std::move(w)); }
  std::unique_ptr<Watcher> disown(Watcher* w) noexcept;

  // 64 bits: a 32-bit tick wraps after 49.7 days and truncated idle timeouts beyond that.
  std::uint64_t tick() const noexcept {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count());
  }
  Connection& at(std::uint32_t slot) noexcept {
    return chunks[slot / chunk_size][slot % chunk_size];
  }
  ConnectionId adopt(int fd, Handler& handler, const ConnectionOptions& options,
                     void* context = nullptr);
  void release(Connection& c) noexcept;
  void run_posted();
  void sweep_idle();
  Output* take_output();
  void give_output(Output* o) noexcept;
  Buffer* take_input();
  void give_input(Buffer* b) noexcept;
};

struct LoopAccess {
  static LoopImpl& impl(Loop& l) noexcept { return *l.impl_; }
};

}  // namespace soket::event::detail
