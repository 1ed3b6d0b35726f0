// SPDX-License-Identifier: MIT
// TimerQueue: one-shot and repeating timers in a min-heap, cancelled by id + generation.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace soket::event {

/// Names a timer. A stale id (its timer ran or was cancelled, even if the slot was reused)
/// is recognised by its generation, so cancel() on it does nothing.
struct TimerId {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  // 0: no timer
  explicit operator bool() const noexcept { return generation != 0; }
  friend bool operator==(const TimerId&, const TimerId&) = default;
};

/// Timers ordered by deadline; ties run in the order they were added. The Loop's poll timeout
/// is next_deadline() (no timerfd). Cancelled entries stay in the heap and are skipped when
/// they reach the top, so cancel() is O(1).
///
/// Thread rules: not thread-safe; a Loop uses its own from the loop thread only.
class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void()>;

  /// Runs `fn` at `when`, then every `repeat` if repeat > 0.
  TimerId add(Clock::time_point when, Clock::duration repeat, Callback fn);
  /// Cancels a pending timer; false if it already ran (one-shot) or was cancelled. A timer may
  /// cancel itself from its own callback.
  bool cancel(TimerId id) noexcept;
  /// The earliest pending deadline, if any.
  std::optional<Clock::time_point> next_deadline();
  /// Runs every timer due at `now`; returns how many ran. A callback that throws is reported
  /// on stderr ("soket: timer: <what()>") and the rest run; a repeating one stays scheduled.
  std::size_t run_expired(Clock::time_point now);
  /// Timers pending.
  std::size_t size() const noexcept { return active_; }

 private:
  struct Entry {
    Clock::time_point when;
    std::uint64_t seq;
    std::uint32_t slot, generation;
  };
  struct Slot {
    Callback fn;
    Clock::duration repeat{};
    std::uint32_t generation = 1;
    bool active = false;
  };
  static bool later(const Entry& a, const Entry& b) noexcept {
    return a.when != b.when ? a.when > b.when : a.seq > b.seq;
  }
  void push(Entry e);
  void release(std::uint32_t slot) noexcept;

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::uint64_t seq_ = 0;
  std::size_t active_ = 0;
};

}  // namespace soket::event
