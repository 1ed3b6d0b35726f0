// SPDX-License-Identifier: MIT
// The client's connection (a Socket, or a TLS connection over one, with its input buffer and
// response parser) and the pool of idle ones. Internal: never installed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <soket/proto/http/client.hpp>
#include <soket/proto/http/parser.hpp>
#include <soket/proto/http/proxy.hpp>
#include <soket/socket.hpp>
#include <soket/tls/ssl_socket.hpp>

namespace soket::proto::http::detail {

using Deadline = std::chrono::steady_clock::time_point;

/// One connection to a server (or a proxy). Its input buffer holds what has been received and
/// not yet consumed by the parser:
///
///   | consumed (free) | input(): received, not parsed | free (fill() reads here) |
///   0               start_                           end_                    buf_.size()
///
/// One thread at a time (the HTTPResponse that holds it, or the pool).
class Connection {
 public:
  Connection(std::string key, Socket sock, const Limits& limits);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// TLS over the connected socket (the handshake happens here, under the current timeout).
  void start_tls(const tls::SSLContext& context, const std::string& server_hostname);

  /// Sets the deadline and the per-read timeout that the next sends and reads obey.
  void arm(Deadline deadline, std::optional<Seconds> read_timeout, std::string what);
  void send(std::string_view bytes);
  std::string_view input() const noexcept { return {buf_.data() + start_, end_ - start_}; }
  void consume(std::size_t n) noexcept { start_ += n; }
  /// Receives more bytes behind input() (moving input() to the front first, or growing the
  /// buffer up to the head limit). Returns how many; 0 at the end of the stream.
  std::size_t fill();
  /// An idle connection that became readable (the server closed it, or sent bytes nobody
  /// asked for) cannot carry another request.
  bool stale() const;
  bool secure() const noexcept { return tls_ != nullptr; }

  const std::string key;
  bool reused = false;
  bool answered = false;  // a byte of the current response has arrived
  Parser parser;

 private:
  void apply_timeout();
  [[noreturn]] void total_timeout() const;

  Socket sock_;
  std::unique_ptr<tls::SSLSocket> tls_;
  std::vector<char> buf_;
  std::size_t start_ = 0, end_ = 0, max_buffer_;
  Deadline deadline_ = Deadline::max();
  std::optional<Seconds> read_timeout_;
  Timeout applied_;
  bool timeout_set_ = false;
  std::string what_;
};

/// The client's shared state: options, proxies, the TLS context and the idle connections.
/// Responses hold it too, to give their connection back. Thread-safe (one mutex).
class Pool {
 public:
  explicit Pool(ClientOptions options);

  const ClientOptions options;
  const std::map<std::string, std::string> proxies;
  const tls::SSLContext& context();

  /// An idle connection for `key` that is still usable, or nullptr.
  std::unique_ptr<Connection> take(const std::string& key);
  /// Keeps `conn` for reuse (or closes it when the pool for its key is full).
  void put(std::unique_ptr<Connection> conn);
  std::size_t idle() const;
  void clear();
  void trace(char mark, std::string_view line) const {
    if (options.trace) options.trace(mark, line);
  }

  std::atomic<std::uint64_t> opened{0};

 private:
  mutable std::mutex mutex_;
  std::optional<tls::SSLContext> context_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
};

}  // namespace soket::proto::http::detail
