// SPDX-License-Identifier: MIT
// Server: a TCP or Unix stream server on the event engine, spread over N loops.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <soket/address.hpp>
#include <soket/event/backend.hpp>
#include <soket/event/clock.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop_group.hpp>

namespace soket::event {

namespace detail {
class Acceptor;
class CountingHandler;
}  // namespace detail

/// How connections reach the loops. Measured here (2 loops, 100 connections x 4 pipelined,
/// 2 cores, bench/README.md): round_robin 750k-847k msg/s, reuse_port 512k-541k msg/s — the
/// kernel's 4-tuple hash splits a few connections unevenly, round robin splits them exactly.
/// So round_robin is the default; reuse_port avoids the hand-off for connect-heavy loads.
enum class Balance {
  /// One acceptor on loop 0 hands connections round-robin to the loops (always used for
  /// Unix sockets, where SO_REUSEPORT does not apply).
  round_robin,
  /// One listening socket per loop with SO_REUSEPORT: the kernel spreads connections (TCP).
  reuse_port,
};

struct ServerOptions {
  std::size_t threads = 0;  // loops; 0: one per core
  Balance balance = Balance::round_robin;
  /// Connections beyond this are accepted and closed at once (0: no limit).
  std::size_t max_connections = 0;
  int backlog = 4096;
  /// The loops' poller (backend.hpp): epoll, or io_uring where the kernel allows it.
  Backend backend = Backend::automatic;
  ConnectionOptions connection;
};

/// Listens at construction (errors throw there, naming the address), serves after start().
/// A host name (Address("localhost", 0)) is resolved as TCPServer's bind does: IPv4, the
/// first address.
/// Accepting survives EMFILE without spinning: a spare descriptor on /dev/null is given up to
/// accept and close the waiting connection (libev's "special problem of accept()ing when you
/// can't", as muduo does), and if even that fails, accepting pauses for 100 ms.
///
/// The handler must outlive the Server.
///
/// Thread rules: construct, start(), stop() and destroy from one controlling thread that is
/// not one of the server's loop threads; connections(), refused() and address() from any
/// thread. Handler callbacks run on the loop threads, concurrently when threads > 1.
class Server {
 public:
  Server(const Address& address, Handler& handler, ServerOptions options = {});
  /// stop() with no drain time, if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound address (with the port the kernel chose for port 0).
  const Address& address() const noexcept { return address_; }
  /// Starts the loop threads. Throws std::system_error if one cannot start; the server is then
  /// left not started (stop() returns at once) and may be started again.
  void start();
  /// Graceful shutdown: stop accepting (listeners closed first), let connections finish
  /// sending their replies for at most `drain`, close the rest, join the threads.
  void stop(Duration drain = std::chrono::seconds(5));

  /// Open connections now.
  std::size_t connections() const noexcept { return live_.load(std::memory_order_relaxed); }
  /// Connections turned away by max_connections or by descriptor exhaustion.
  std::size_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
  LoopGroup& loops() noexcept { return group_; }

  /// Cross-loop work: safe from any thread, a loop thread of this server included. Each call
  /// posts to the loops and returns at once; nothing runs inside it (so a handler may call it
  /// from a callback without re-entering itself). A loop runs what was posted to it in order,
  /// so what one thread sends reaches each connection in the order sent. Posted after stop(),
  /// it never runs.
  ///
  /// Runs fn(conn) for every open connection of this server, each on its own loop's thread:
  /// concurrently on several loops, so fn must be safe to call from several threads at once.
  void for_each_connection(std::function<void(Connection&)> fn);
  /// Sends `data` to every open connection of this server but `except` (copied once, shared
  /// by the loops). Backpressure is the caller's: check output_size() in for_each_connection
  /// to drop a client that does not read.
  void broadcast(std::string_view data, ConnectionId except = {});
  /// Runs fn(conn) on the connection's loop thread if it is still open then. Returns false
  /// (and posts nothing) if `id` names none of this server's loops.
  bool post(ConnectionId id, std::function<void(Connection&)> fn);

 private:
  friend class detail::Acceptor;
  friend class detail::CountingHandler;
  void on_accept(Loop& acceptor_loop, int fd);

  ServerOptions options_;
  Address address_;
  LoopGroup group_;
  std::unique_ptr<detail::CountingHandler> handler_;
  std::vector<std::unique_ptr<detail::Acceptor>> acceptors_;
  std::atomic<std::size_t> live_{0}, refused_{0};
  bool inet_ = false;
  bool started_ = false;
};

}  // namespace soket::event
