// SPDX-License-Identifier: MIT
// The engine's exception boundary: what a callback throws is caught here, routed to the
// handler's handle_error or reported on stderr, and the loop goes on. Internal: never
// installed.
#pragma once

#include <cstdint>
#include <exception>
#include <string_view>

#include <soket/event/watcher.hpp>

namespace soket::event {
class Connection;
class Handler;
}  // namespace soket::event

namespace soket::event::detail {

/// One line on stderr, "soket: <where>: <what()>", written with one write(2) so lines from
/// several loops do not interleave. Never throws.
void report_error(std::string_view where, const std::exception_ptr& error) noexcept;

/// handler.handle_error(conn, error); if that throws too, the second error is reported and
/// the connection closed, so a connection never outlives a failure nobody handled.
void route_error(Handler& handler, Connection* conn, const std::exception_ptr& error) noexcept;

/// w.handle_events(ready) for the poller; a watcher that throws (a FunctionWatcher, a
/// datagram handler) is reported and the batch goes on.
inline void dispatch(Watcher& w, std::uint32_t ready) noexcept {
  try {
    w.handle_events(ready);
  } catch (...) {
    report_error("watcher", std::current_exception());
  }
}

}  // namespace soket::event::detail
