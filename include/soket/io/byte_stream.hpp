// SPDX-License-Identifier: MIT
// ByteStream: a connected stream with Python's socket semantics, whatever carries it (a Socket,
// a TLS connection). SocketFile (makefile) reads and writes one; relay() drives a RelayStream.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace soket::io {

/// What a SocketFile can read from and write to besides a Socket (tls::SSLSocket implements
/// it). read_some is recv_into (0 at EOF) and write_all is sendall; both honour the stream's
/// timeout and throw soket::Error subclasses.
class ByteStream {
 public:
  virtual std::size_t read_some(std::span<std::byte> buffer) = 0;
  virtual void write_all(std::span<const std::byte> data) = 0;

 protected:
  ByteStream() = default;
  ByteStream(const ByteStream&) = default;
  ByteStream& operator=(const ByteStream&) = default;
  ~ByteStream() = default;
};

/// What relay() drives: a ByteStream with a descriptor to wait on and a half-close.
/// Implementations throw soket::Error (or a subclass) on failure.
class RelayStream : public ByteStream {
 public:
  virtual ~RelayStream() = default;
  RelayStream() = default;
  RelayStream(const RelayStream&) = delete;
  RelayStream& operator=(const RelayStream&) = delete;
  /// The descriptor whose readability means read_some() will not block.
  virtual int fileno() const noexcept = 0;
  /// Whether bytes already read from the kernel wait in user space (decrypted TLS records):
  /// poll(2) cannot see those, so relay() reads them before waiting.
  virtual bool buffered() const noexcept { return false; }
  /// Whether each read_some()/write_all() is one datagram: then an empty read is an empty
  /// datagram, not the end of the stream, and writes are kept to one datagram's size.
  virtual bool datagrams() const noexcept { return false; }
  /// Ends our direction: the peer reads end of file, its replies still arrive.
  virtual void shutdown_write() = 0;
  /// A read when fileno() polled readable (or buffered()): bytes read, 0 at the end, or
  /// std::nullopt when what arrived carried no data yet (a TLS record cut short, a session
  /// ticket) and waiting again is right. A plain socket's readiness always means data or EOF.
  virtual std::optional<std::size_t> read_available(std::span<std::byte> buffer) {
    return read_some(buffer);
  }
};

}  // namespace soket::io
