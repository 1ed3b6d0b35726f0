// SPDX-License-Identifier: MIT
// Transport: a layer between a Connection and its socket (TLS is one), so the same Handler
// callbacks see plaintext. The event engine knows only this interface; soket::tls implements it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

namespace soket::event {

/// What an operation that could not finish is waiting for on the socket.
enum class Want : std::uint8_t { nothing, read, write };

/// One connection's transport. It does its own system calls on the descriptor it is given
/// (so a TLS implementation may hand records to the kernel: kTLS). Every call is non-blocking
/// and made on the connection's loop thread.
///
/// Return convention of read/write: a count > 0 of plaintext bytes; read returns 0 for the
/// peer's orderly end (TLS close_notify); -1 means "not now" (`want` says for what, ec is
/// empty) or failure (ec set: the connection closes with it as on_close's reason).
class Transport {
 public:
  virtual ~Transport() = default;

  /// Drives the opening exchange (TLS handshake) one step: Want::nothing when it is done.
  /// Until then the Connection is not open to the handler (no on_open, no on_data).
  virtual Want handshake(int fd, std::error_code& ec) = 0;
  virtual std::ptrdiff_t read(int fd, std::span<std::byte> into, Want& want,
                              std::error_code& ec) = 0;
  /// May consume part of `data` (then call again with the rest). After -1 with a Want, the
  /// next call must start with the same bytes (it may be longer).
  virtual std::ptrdiff_t write(int fd, std::span<const std::byte> data, Want& want,
                               std::error_code& ec) = 0;
  /// Bytes the transport holds already (plaintext, or records read ahead): no readiness
  /// event will announce them. A read that returns -1 with Want::read has tried the socket.
  virtual bool has_pending() const noexcept = 0;
  /// Announces the orderly end of our sending side (TLS close_notify), best effort and
  /// non-blocking; does nothing after a failure or a second time.
  virtual void close_notify(int fd) noexcept = 0;
  /// True for the accepting side, false for a connect()ed one.
  virtual bool server_side() const noexcept = 0;
};

/// Makes the Transport of each new connection: set ConnectionOptions::transport to one (it
/// must outlive the connections). Called on the connection's loop thread, possibly from
/// several loops at once: implementations must be thread-safe.
class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  virtual std::unique_ptr<Transport> make_transport(int fd) = 0;
};

}  // namespace soket::event
