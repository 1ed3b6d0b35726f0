// SPDX-License-Identifier: MIT
// DataConnection: what ftplib's transfercmd() returns — the data socket, plain or TLS (PROT P).
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include <soket/io/byte_stream.hpp>
#include <soket/socket.hpp>

namespace soket::tls {
class SSLSocket;
}

namespace soket::proto::ftp {

/// One FTP data connection (Python: the socket transfercmd() returns, or the SSLSocket under
/// PROT P). Reads end at the server's close (stream mode). close() ends a TLS one with
/// close_notify first (Python's unwrap()), which servers wait for before their 226.
/// Move-only; one thread at a time.
class DataConnection final : public io::ByteStream {
 public:
  explicit DataConnection(Socket sock);
  explicit DataConnection(tls::SSLSocket tls);
  DataConnection(DataConnection&&) noexcept;
  DataConnection& operator=(DataConnection&&) noexcept;
  ~DataConnection();

  std::size_t read_some(std::span<std::byte> buffer) override;
  void write_all(std::span<const std::byte> data) override;
  /// Ends the transfer: TLS close_notify (and the peer's) when encrypted, then close.
  void close();
  /// Whether the data is encrypted (PROT P).
  bool secure() const noexcept { return tls_ != nullptr; }
  /// Whether a TLS data connection resumed the control connection's session (vsftpd's
  /// require_ssl_reuse insists on it).
  bool session_reused() const noexcept;
  Socket& socket() noexcept;

 private:
  Socket sock_;
  std::unique_ptr<tls::SSLSocket> tls_;  // stays in place: a SocketFile may point at it
};

}  // namespace soket::proto::ftp
