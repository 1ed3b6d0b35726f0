// SPDX-License-Identifier: MIT
// Saturating time arithmetic: the one place where "now + duration" is computed, so a huge
// duration (nanoseconds::max(), hours::max(), a timeout of years) means "never" instead of
// overflowing into the past. Internal: never installed.
#pragma once

#include <chrono>
#include <cmath>

namespace soket::detail {

using SteadyClock = std::chrono::steady_clock;

/// d converted to To, clamped to To's range instead of wrapping; NaN becomes zero (callers
/// that take user input reject NaN before this).
template <class To, class Rep, class Period>
constexpr To saturating_cast(std::chrono::duration<Rep, Period> d) noexcept {
  // Compare in long double, which holds every limit involved without overflow.
  using F = std::chrono::duration<long double, typename To::period>;
  const long double v = std::chrono::duration_cast<F>(d).count();
  if (v != v) return To::zero();
  if (v >= static_cast<long double>(To::max().count())) return To::max();
  if (v <= static_cast<long double>(To::min().count())) return To::min();
  return std::chrono::duration_cast<To>(d);
}

/// t + d, saturating at the clock's time_point::max() (and min() for large negative d).
template <class Clock, class Rep, class Period>
constexpr typename Clock::time_point saturating_add(typename Clock::time_point t,
                                                    std::chrono::duration<Rep, Period> d) noexcept {
  using Dur = typename Clock::duration;
  using TP = typename Clock::time_point;
  const Dur step = saturating_cast<Dur>(d);
  const Dur since = t.time_since_epoch();
  if (step > Dur::zero() && since > Dur::max() - step) return TP::max();
  if (step < Dur::zero() && since < Dur::min() - step) return TP::min();
  return t + step;
}

/// The moment `d` from now on the steady clock, saturating ("never" for a huge d).
template <class Rep, class Period>
inline SteadyClock::time_point deadline_after(std::chrono::duration<Rep, Period> d) noexcept {
  return saturating_add<SteadyClock>(SteadyClock::now(), d);
}

/// Time left until `deadline` (never negative), saturating.
inline SteadyClock::duration time_left(SteadyClock::time_point deadline) noexcept {
  const auto now = SteadyClock::now();
  if (deadline <= now) return SteadyClock::duration::zero();
  if (deadline == SteadyClock::time_point::max()) return SteadyClock::duration::max();
  return deadline - now;
}

}  // namespace soket::detail
