// SPDX-License-Identifier: MIT
// relay(): netcat's heart — copy an input descriptor to a byte stream and the stream to an
// output descriptor, both directions at once, with nc -N's half-close at end of input.
//   io::SocketByteStream stream(sock);
//   io::relay(stream, STDIN_FILENO, STDOUT_FILENO, {});
// The stream is an interface so that a TLS connection relays the same way as a socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <soket/io/byte_stream.hpp>
#include <soket/socket.hpp>

namespace soket::io {

/// A connected Socket (stream, or datagram with connect()) as a RelayStream. Honours the
/// socket's timeout on every call. Does not own the socket.
class SocketByteStream final : public RelayStream {
 public:
  explicit SocketByteStream(Socket& sock) noexcept : sock_(sock) {}
  int fileno() const noexcept override { return sock_.fileno(); }
  bool datagrams() const noexcept override;
  std::size_t read_some(std::span<std::byte> buffer) override;
  void write_all(std::span<const std::byte> data) override;
  /// shutdown(SHUT_WR); nothing for a datagram socket, which has no end to announce.
  void shutdown_write() override;

 private:
  Socket& sock_;
};

struct RelayOptions {
  /// At end of input, shut the stream's write side down (OpenBSD nc -N): the peer sees EOF.
  bool half_close = true;
  /// Send "\r\n" for every "\n" of the input not already preceded by '\r' (nc -C): for
  /// line-oriented servers such as SMTP.
  bool crlf = false;
  /// End as soon as the peer ends its direction, even while input remains (telnet, for a
  /// person at a terminal). Otherwise the input is still sent after the peer's EOF (a peer
  /// may half-close and wait for the rest, as nc -N does), and the relay ends when both
  /// directions have; a peer that had closed for good then ends it with its reset.
  bool end_on_peer_eof = false;
  /// End the relay after this long with nothing read in either direction (nc -w);
  /// std::nullopt waits for ever.
  std::optional<std::chrono::nanoseconds> idle_timeout;
  /// The largest read from input (and so the largest datagram sent) and from a stream
  /// (a datagram stream is read with room for any datagram, however small this is).
  std::size_t chunk_size = 64 * 1024;
};

/// Why relay() returned.
enum class RelayEnd {
  peer_closed,   ///< the stream ended (EOF, or a reset while sending after its EOF)
  idle_timeout,  ///< nothing moved for RelayOptions::idle_timeout
};

struct RelayResult {
  RelayEnd end = RelayEnd::peer_closed;
  std::uint64_t sent = 0;      ///< bytes read from input and written to the stream
  std::uint64_t received = 0;  ///< bytes read from the stream and written to output
  bool input_ended = false;    ///< input reached its end (or there was none)
};

/// Copies `input_fd` to `stream` and `stream` to `output_fd` at once (poll(2), so the
/// descriptors may be pipes, terminals, files or sockets) until both directions have ended
/// (see end_on_peer_eof) or the idle timeout passes. At end of input the stream is
/// half-closed if asked and the relay goes on receiving. `input_fd` may be -1 (nothing to send). A
/// datagram stream never ends by itself: give it an idle timeout. Throws soket::Error naming the
/// side that failed ("read from input: ...", "write to output: Broken pipe", the stream's own
/// errors); never raises SIGPIPE. Blocking: run it on its own thread if the caller must do other
/// work.
RelayResult relay(RelayStream& stream, int input_fd, int output_fd, const RelayOptions& options);

}  // namespace soket::io
