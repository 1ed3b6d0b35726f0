// SPDX-License-Identifier: MIT
// connect(): a non-blocking client connect from inside a Loop, bounded by a timeout.
#pragma once

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/event/clock.hpp>
#include <soket/event/connection.hpp>

namespace soket::event {

class Handler;
class Loop;

/// Starts connecting to `address`: an IP address, a Unix path, or a host name. On success the
/// socket is adopted as a Connection (handler.on_open); on failure the handler gets
/// on_connect_error(address, ec) with the address as given. Either comes from the loop, never
/// from inside this call (also when the kernel answers at once, as for Unix sockets), and
/// every failure comes that way: a lookup error (ec in gai_category()), socket(2), a refused
/// or timed-out connect (std::errc::timed_out).
///
/// A host name (address.is_resolved() == false) is resolved as create_connection does —
/// getaddrinfo with `family` (Family::unspec: IPv6 and IPv4, in libc's order) — on a helper
/// thread, so the loop thread never blocks in the lookup; then each address is tried in order
/// until one connects, and the last failure is reported. `timeout` bounds the lookup and each
/// attempt. `family` is ignored for a numeric address.
///
/// Loop thread only (or before run()); handler and options must outlive the connection.
///
/// The Loop owns the connect in flight. Loop::stop() leaves it pending: it goes on, its timeout
/// still counting, when run() is called again. Destroying the Loop cancels it: its socket is
/// closed and nothing leaks, and the handler is never called (so it may already be destroyed).
void connect(Loop& loop, const Address& address, Handler& handler, const ConnectionOptions& options,
             Duration timeout, Family family = Family::unspec);

}  // namespace soket::event
