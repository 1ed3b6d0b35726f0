// SPDX-License-Identifier: MIT
#include <soket/event/timer_queue.hpp>

#include <algorithm>
#include <utility>

#include "deadline.hpp"
#include "event/report.hpp"

namespace soket::event {

void TimerQueue::push(Entry e) {
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

TimerId TimerQueue::add(Clock::time_point when, Clock::duration repeat, Callback fn) {
  std::uint32_t slot;
  if (free_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_.back();
    free_.pop_back();
  }
  Slot& s = slots_[slot];
  s.fn = std::move(fn);
  s.repeat = repeat;
  s.active = true;
  ++active_;
  push({when, seq_++, slot, s.generation});
  return {slot, s.generation};
}

void TimerQueue::release(std::uint32_t slot) noexcept {
  Slot& s = slots_[slot];
  s.active = false;
  if (++s.generation == 0) s.generation = 1;
  --active_;
  free_.push_back(slot);
}

bool TimerQueue::cancel(TimerId id) noexcept {
  if (!id || id.slot >= slots_.size()) return false;
  Slot& s = slots_[id.slot];
  if (!s.active || s.generation != id.generation) return false;
  s.fn = nullptr;  // the callback's captures go now, not when the heap entry surfaces
  release(id.slot);
  return true;
}

std::optional<TimerQueue::Clock::time_point> TimerQueue::next_deadline() {
  // Drop cancelled entries from the top so they do not shorten the poll timeout.
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    const Slot& s = slots_[top.slot];
    if (s.active && s.generation == top.generation) return top.when;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
  return std::nullopt;
}

std::size_t TimerQueue::run_expired(Clock::time_point now) {
  std::size_t ran = 0;
  while (!heap_.empty() && heap_.front().when <= now) {
    Entry e = heap_.front();
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    Slot& s = slots_[e.slot];
    if (!s.active || s.generation != e.generation) continue;  // cancelled
    // Move the callback out: it may add timers (slots_ may reallocate) or cancel itself.
    Callback fn = std::move(s.fn);
    bool repeating = s.repeat > Clock::duration::zero();
    if (!repeating) release(e.slot);
    try {
      fn();
    } catch (...) {
      // The engine's rule for callbacks with no handler to blame: report and go on.
      detail::report_error("timer", std::current_exception());
    }
    ++ran;
    if (repeating) {
      Slot& again = slots_[e.slot];
      if (again.active && again.generation == e.generation) {
        again.fn = std::move(fn);
        // Next period from the planned time, but never in the past (no catch-up bursts).
        auto next = soket::detail::saturating_add<Clock>(e.when, again.repeat);
        if (next <= now) next = soket::detail::saturating_add<Clock>(now, again.repeat);
        push({next, seq_++, e.slot, e.generation});
      }
    }
  }
  return ran;
}

}  // namespace soket::event
