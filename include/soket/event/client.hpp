// SPDX-License-Identifier: MIT
// connect(): a non-blocking client connect from inside a Loop, bounded by a timeout.
#pragma once

#include <chrono>

#include <soket/address.hpp>
#include <soket/event/connection.hpp>

namespace soket::event {

class Handler;
class Loop;

/// Starts connecting to `address` (a numeric IP or a Unix path). On success the socket is
/// adopted as a Connection (handler.on_open); on failure or after `timeout` the handler gets
/// on_connect_error(address, ec) with ec == std::errc::timed_out for a timeout. If starting
/// fails (socket(2) error) the error is thrown and no callback comes. Loop thread only (or
/// before run()); handler and options must outlive the connection.
void connect(Loop& loop, const Address& address, Handler& handler,
             const ConnectionOptions& options, std::chrono::milliseconds timeout);

}  // namespace soket::event
