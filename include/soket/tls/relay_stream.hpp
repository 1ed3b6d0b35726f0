// SPDX-License-Identifier: MIT
// SSLRelayStream: an SSLSocket as an io::RelayStream, so io::relay() (netcat's heart) carries
// TLS as it carries a plain socket: `soket connect --tls` is this plus relay().
//   tls::SSLRelayStream stream(ssl_sock);
//   io::relay(stream, STDIN_FILENO, STDOUT_FILENO, {});
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include <soket/io/byte_stream.hpp>
#include <soket/tls/ssl_socket.hpp>

namespace soket::tls {

/// Does not own the SSLSocket, which must outlive it and stay in place.
class SSLRelayStream final : public io::RelayStream {
 public:
  explicit SSLRelayStream(SSLSocket& sock) noexcept : sock_(sock) {}
  int fileno() const noexcept override { return sock_.fileno(); }
  /// Decrypted bytes wait inside OpenSSL, where poll(2) cannot see them.
  bool buffered() const noexcept override { return sock_.pending() > 0; }
  std::size_t read_some(std::span<std::byte> buffer) override { return sock_.recv_into(buffer); }
  void write_all(std::span<const std::byte> data) override { sock_.sendall(data); }
  /// close_notify: the peer reads the end; its replies still arrive.
  void shutdown_write() override { sock_.close_notify(); }
  /// Reads without blocking: a readable socket may hold only part of a record or a message
  /// with no data (a TLS 1.3 session ticket), and blocking on it would stall the other
  /// direction of the relay.
  std::optional<std::size_t> read_available(std::span<std::byte> buffer) override;

 private:
  SSLSocket& sock_;
};

}  // namespace soket::tls
