// SPDX-License-Identifier: MIT
// The engine's thread-rule assertion: on in Debug and sanitizer builds (no NDEBUG), or with
// -DSOKET_THREAD_CHECKS; compiled out in release builds. Internal: never installed.
#pragma once

#include <soket/event/loop.hpp>

namespace soket::event::detail {

/// Aborts with "soket: thread rule broken: <what> ..." unless the caller is on `loop`'s thread
/// or the loop is not running (set-up before run(), clean-up after it returned).
void check_loop_thread(const Loop& loop, const char* what) noexcept;
/// Aborts with a message naming `what`: a rule whose breach would deadlock or corrupt.
[[noreturn]] void thread_rule_broken(const char* what) noexcept;

}  // namespace soket::event::detail

#if defined(NDEBUG) && !defined(SOKET_THREAD_CHECKS)
#define SOKET_LOOP_THREAD_ONLY(loop, what) ((void)0)
#define SOKET_THREAD_RULE(cond, what) ((void)0)
#else
#define SOKET_LOOP_THREAD_ONLY(loop, what) ::soket::event::detail::check_loop_thread((loop), (what))
#define SOKET_THREAD_RULE(cond, what) \
  ((cond) ? (void)0 : ::soket::event::detail::thread_rule_broken(what))
#endif
