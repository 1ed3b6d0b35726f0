// SPDX-License-Identifier: MIT
// Server: an HTTP/1.1 server on the event engine — keep-alive, pipelining, 100-continue,
// chunked streaming, timeouts, limits, access log, HTTPS through the engine's TLS transport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <soket/address.hpp>
#include <soket/event/clock.hpp>
#include <soket/event/server.hpp>
#include <soket/proto/http/limits.hpp>
#include <soket/proto/http/request.hpp>
#include <soket/proto/http/response.hpp>

namespace soket::event {
class TransportFactory;
}

namespace soket::proto::http {

namespace detail {
class ServerCore;
}

struct ServerOptions {
  static event::ServerOptions one_loop() {
    event::ServerOptions o;
    o.threads = 1;
    return o;
  }
  /// The engine's options (default: one loop): threads, balance, max_connections, backlog. Its
  /// connection.idle_timeout and connection.transport are set from the fields below.
  event::ServerOptions engine = one_loop();
  /// Request limits (each with its status: 413, 414, 431). Bodies are held in memory, so the
  /// body limit is 16 MiB here rather than the parser's 1 GiB.
  Limits limits{.max_body = std::uint64_t{16} << 20};
  /// A request head must be complete this long after its first byte (slowloris): 408.
  event::Duration header_timeout = std::chrono::seconds(10);
  /// A request body must be complete this long after its head: 408.
  event::Duration body_timeout = std::chrono::seconds(60);
  /// A connection waiting for its next request (or its first) is closed after this long.
  event::Duration keep_alive_timeout = std::chrono::seconds(5);
  /// The Server header's value; empty: none sent.
  std::string server_name = "soket";
  /// Called on the loop thread with one Common Log Format line per response (no newline),
  /// e.g. `127.0.0.1 - - [30/Nov/2026:03:50:01 +0000] "GET / HTTP/1.1" 200 6`. Empty: off.
  std::function<void(std::string_view line)> access_log;
  /// HTTPS: the engine's TLS transport (tls::EngineContext, server side); it must outlive
  /// the Server. nullptr: plain HTTP.
  event::TransportFactory* transport = nullptr;
  /// Accept methods the parser does not know (else 501).
  bool allow_unknown_methods = false;
};

/// An HTTP/1.1 server: `handler` answers each request (a Router, or any Handler).
///
///   http::Server server(Address("127.0.0.1", 0), [](const http::Request& req,
///                                                   http::Response& res) {
///     res.header("Content-Type", "text/plain").send("you asked for " + req.path + "\n");
///   });
///   server.start();
///
/// Requests on one connection are answered in order: the next (pipelined) request is read
/// only once the current response is complete. A handler that throws before its head is
/// sent gets a 500 (the connection goes on); after, the connection is closed. Malformed
/// requests get the parser's status (400, 413, 414, 417, 431, 501, 505) and the connection is
/// closed; timeouts answer 408.
///
/// Thread rules: as event::Server: construct, start, stop and destroy on one controlling
/// thread; the handler runs on the loop threads (concurrently when engine.threads > 1).
class Server {
 public:
  Server(const Address& address, Handler handler, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const Address& address() const noexcept;
  void start();
  /// Stops accepting, lets responses in progress finish for at most `drain`, closes the
  /// rest. Responses completed later (from other threads) are dropped.
  void stop(event::Duration drain = std::chrono::seconds(5));
  /// Open connections now.
  std::size_t connections() const noexcept;
  /// Requests answered so far (any status).
  std::uint64_t requests() const noexcept;

 private:
  std::unique_ptr<detail::ServerCore> core_;
};

}  // namespace soket::proto::http
