// SPDX-License-Identifier: MIT
// The engine's clock and its one spelling of a duration.
#pragma once

#include <chrono>

namespace soket::event {

/// Every engine time is on the steady clock.
using Clock = std::chrono::steady_clock;
/// Every engine duration (timers, idle and connect timeouts, drain time) is spelled this way;
/// write 30ms, 5s or std::chrono::minutes(2) and it converts. Clock::duration::max() means
/// "never" (deadlines saturate instead of overflowing). Beware that converting a huge coarse
/// value such as hours::max() overflows in the conversion itself, before the engine sees it.
using Duration = Clock::duration;

}  // namespace soket::event
