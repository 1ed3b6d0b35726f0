// SPDX-License-Identifier: MIT
// connect(): a non-blocking client connect from inside a Loop, bounded by a timeout.
#pragma once

#include <chrono>

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/event/connection.hpp>

namespace soket::event {

class Handler;
class Loop;

/// Starts connecting to `address`: an IP address, a Unix path, or a host name. On success the
/// socket is adopted as a Connection (handler.on_open); on failure or after `timeout` the
/// handler gets on_connect_error(address, ec) with the address as given, ec ==
/// std::errc::timed_out for a timeout. Either comes from the loop, never from inside this call
/// (also when the kernel answers at once, as for Unix sockets). Loop thread only (or before
/// run()); handler and options must outlive the connection.
///
/// A host name (address.is_resolved() == false) is resolved as Socket::connect does, with the
/// socket's family (`family`; Family::inet, like Socket's and Python's default) and the first
/// result, by a synchronous getaddrinfo before the connect starts: it BLOCKS the loop thread
/// for the lookup (libc has no asynchronous getaddrinfo). Pass a numeric Address, resolved
/// elsewhere, where that matters. `family` is ignored for a numeric address.
///
/// If starting fails (the lookup: gaierror naming the host; socket(2); epoll) the error is
/// thrown and, in libuv's words, "if starting an asynchronous operation fails, its callback is
/// never called".
///
/// The Loop owns the connect in flight. Loop::stop() leaves it pending: it goes on, its timeout
/// still counting, when run() is called again. Destroying the Loop cancels it: its socket is
/// closed and nothing leaks, and the handler is never called (so it may already be destroyed).
void connect(Loop& loop, const Address& address, Handler& handler, const ConnectionOptions& options,
             std::chrono::milliseconds timeout, Family family = Family::inet);

}  // namespace soket::event
