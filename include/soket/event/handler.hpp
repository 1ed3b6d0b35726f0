// SPDX-License-Identifier: MIT
// Handler: the engine's events for a connection — on_open, on_data, on_drain, on_close (the
// Delphi TServerSocket events the documents describe).
#pragma once

#include <exception>
#include <system_error>

namespace soket {
class Address;
}

namespace soket::event {

class Buffer;
class Connection;

/// One Handler usually serves every connection of a server (per-connection state goes in
/// Connection::set_context). Each callback runs on the connection's loop thread and gets the
/// Connection only for the length of the call; keep a ConnectionId to reach it later.
///
/// Exceptions: a callback may throw. The engine catches it at the callback's boundary (it
/// never reaches the loop, the other connections or the process) and calls handle_error()
/// with it on the same thread; by default that reports one line on stderr and closes the
/// connection. What an on_close throws is handled the same way, after which the close
/// completes (descriptor and slot are released whatever on_close did). An exception thrown
/// by handle_error itself is reported and the connection closed.
class Handler {
 public:
  virtual ~Handler() = default;

  /// A connection was accepted or connected.
  virtual void on_open(Connection&) {}
  /// Bytes arrived. Consume what you handled with input.retrieve(n); what is left stays for
  /// the next call (a partial message).
  virtual void on_data(Connection& conn, Buffer& input) = 0;
  /// The output queue fell to the low-water mark after having crossed the high-water mark:
  /// produce again.
  virtual void on_drain(Connection&) {}
  /// The connection is closing; reason is empty for an orderly close (EOF, close(), idle
  /// timeout: std::errc::timed_out, server shutdown). The descriptor is still open here.
  virtual void on_close(Connection&, std::error_code /*reason*/) {}
  /// A client connect (event::connect) failed or timed out; on_open/on_close never come. Not
  /// called for a connect the Loop's destruction cancels.
  virtual void on_connect_error(const Address&, std::error_code) {}
  /// A connection with a transport (ConnectionOptions::transport: TLS) failed or timed out
  /// (std::errc::timed_out) in its handshake and was dropped before on_open: accepting side
  /// only (a connect()ed one gets on_connect_error). `peer` is empty if the kernel no longer
  /// knows it. Log it (rate-limited) rather than act on it.
  virtual void on_handshake_error(const Address& /*peer*/, std::error_code) {}
  /// A Server could not accept for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
  /// ENOMEM): the waiting client was shed, or accepting pauses for 100 ms. Called on the
  /// acceptor's loop thread, once per failure; log it (rate-limited) rather than act on it.
  virtual void on_accept_error(std::error_code) {}
  /// A callback above threw `error` (socketserver's handle_error). conn is the connection it
  /// was called for, or nullptr when on_connect_error or on_handshake_error threw. The default
  /// writes "soket: connection from <peer>: <what()>" to stderr and closes conn; override to log
  /// elsewhere or to keep the connection open (then it goes on as if the callback had returned).
  virtual void handle_error(Connection* conn, std::exception_ptr error);
};

}  // namespace soket::event
