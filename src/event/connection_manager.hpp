// SPDX-License-Identifier: MIT
// ConnectionManager: a Loop's connections — the slab and its ids, the buffer pools, the idle
// sweep, the drain, the batched (io_uring) sends and the connects in flight. One per Loop,
// owned by it, built only on the Loop's public reactor API (watch, timers, now).
// Internal: never installed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/loop.hpp>
#include <soket/event/timer_queue.hpp>
#include <soket/event/transport.hpp>

namespace soket::sys {
class Uring;
}

namespace soket::event::detail {

class Poller;

/// A connection's queued output: bytes, and at most one file region that goes out after the
/// first file_mark bytes of buf.
struct Output {
  Buffer buf;
  std::size_t file_mark = 0;
  int file_fd = -1;
  std::uint64_t file_offset = 0;
  std::size_t file_left = 0;
};

class ConnectionManager {
 public:
  explicit ConnectionManager(Loop& loop);
  /// Closes every connection still open (on_close runs), then cancels the connects still in
  /// flight without calling their handlers.
  ~ConnectionManager();
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  Loop& loop() noexcept { return loop_; }

  /// Adopts a connected, non-blocking descriptor (closed if registering fails, then throws);
  /// on_open runs before this returns.
  ConnectionId adopt(int fd, Handler& handler, const ConnectionOptions& options, Context context);
  Connection* find(ConnectionId id) noexcept;
  std::size_t size() const noexcept { return live_; }
  /// fn for each open connection (of `handler` only, if given). fn may close connections,
  /// and the slab may grow meanwhile.
  void for_each(const std::function<void(Connection&)>& fn, const Handler* handler = nullptr);
  void drain(Clock::time_point deadline, std::function<void()> done);
  bool draining() const noexcept { return draining_; }

  /// Called by the Loop at the end of every turn: submits the batched sends.
  void end_of_turn() {
    if (!deferred_.empty()) flush_deferred();
  }

  // For Connection.
  void release(Connection& c) noexcept;
  void defer(Connection& c) { deferred_.push_back(&c); }
  std::uint64_t tick() const noexcept;
  Buffer& scratch() noexcept { return scratch_; }
  Output* take_output();
  void give_output(Output* o) noexcept;
  Buffer* take_input();
  void give_input(Buffer* b) noexcept;

  // Watchers the manager owns: connects in flight (event::connect). Each leaves through
  // disown() when it finishes; the destructor deletes those still here, without calling
  // their handlers.
  void own(std::unique_ptr<Watcher> w) { owned_.push_back(std::move(w)); }
  std::unique_ptr<Watcher> disown(Watcher* w) noexcept;

  /// The transport of a connection that has one (Connection::has_transport_): kept here, by
  /// slot, so that plain connections carry no pointer for it.
  Transport* transport(const Connection& c) const noexcept { return transports_[c.slot_].get(); }
  /// Bytes a receiver got while its reading was off (Connection::held_), by slot like the
  /// transports: an idle connection carries no pointer for them.
  Buffer*& held(const Connection& c) {
    if (held_.size() <= c.slot_) held_.resize(chunks_.size() * chunk_size);
    return held_[c.slot_];
  }

 private:
  static constexpr std::size_t chunk_size = 256;  // connections per slab chunk
  static constexpr std::size_t scratch_size = 64 << 10;
  static constexpr std::size_t pool_max = 256;         // pooled buffers kept per loop
  static constexpr std::size_t pool_keep = 256 << 10;  // larger pooled buffers are freed

  Connection& at(std::uint32_t slot) noexcept {
    return chunks_[slot / chunk_size][slot % chunk_size];
  }
  void flush_deferred();
  void flush_on_ring(Poller& poller);
  void sweep_idle();
  void arm_sweep(Duration timeout);

  Loop& loop_;
  Clock::time_point start_;
  std::vector<std::unique_ptr<Connection[]>> chunks_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_ = 0;

  std::vector<std::unique_ptr<Output>> out_pool_;
  std::vector<std::unique_ptr<Buffer>> in_pool_;
  Buffer scratch_;  // every read lands here first; leftovers move to a pooled buffer

  std::vector<Connection*> deferred_;  // batch_writes connections with sends this turn
  std::unique_ptr<sys::Uring> uring_;  // created on the first batched send

  TimerId sweep_;
  Clock::duration sweep_period_{};
  bool draining_ = false;

  std::vector<std::unique_ptr<Watcher>> owned_;
  std::vector<std::unique_ptr<Transport>> transports_;  // by slot; empty until one is used
  std::vector<Buffer*> held_;  // by slot, pooled input buffers; empty until one is used
};

}  // namespace soket::event::detail
