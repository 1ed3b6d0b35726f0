// SPDX-License-Identifier: MIT
// BaseServer and Request: the skeleton of Python's socketserver (serve_forever, shutdown,
// handle_request and the get_request → verify_request → process_request → finish_request
// protocol).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <soket/address.hpp>
#include <soket/error.hpp>
#include <soket/owned_fd.hpp>
#include <soket/socket.hpp>

namespace soket::server {

class BaseRequestHandler;
class BaseServer;

/// Creates one handler per request (Python passes RequestHandlerClass; C++ passes a factory:
/// see handler<T>() in request_handler.hpp).
using HandlerFactory = std::function<std::unique_ptr<BaseRequestHandler>()>;

/// Python's `request`: for stream servers the accepted connection (owned); for datagram
/// servers the (data, socket) pair, where the socket is the server's (not owned).
class Request {
 public:
  Request() = default;
  /// A stream request: owns the accepted connection.
  explicit Request(Socket connection) noexcept : conn_(std::move(connection)) {}
  /// A datagram request: the packet and the server socket to reply on.
  Request(std::string packet, Socket& server_socket) noexcept
      : data(std::move(packet)), shared_(&server_socket) {}

  /// The socket to talk on: the connection, or the server's socket for a datagram.
  Socket& socket() noexcept { return shared_ ? *shared_ : conn_; }
  bool is_datagram() const noexcept { return shared_ != nullptr; }

  /// The datagram's bytes (empty for stream requests).
  std::string data;

 private:
  Socket conn_;
  Socket* shared_ = nullptr;
};

/// Python: socketserver.BaseServer. The server protocol, with the same method names:
///
///   serve_forever() / handle_request()
///     └ get_request → verify_request → process_request → finish_request (runs the handler)
///                                                       → shutdown_request → close_request
///     errors from a handler → handle_error (prints to stderr, the server keeps serving)
///
/// Extension points are virtual and documented in socketserver's words: "may be overridden".
/// Virtual calls made by a constructor (server_bind/server_activate) reach only the class
/// being constructed, so subclasses that change binding pass bind_and_activate = false and
/// call server_bind()/server_activate() themselves — as Python code sets attributes first.
///
/// Thread rules: serve_forever() and handle_request() run on one serving thread; shutdown()
/// must be called from another thread (as in Python, it waits for serve_forever to return);
/// server_close() after serving stopped. Handlers may run on other threads (ThreadingServer).
class BaseServer {
 public:
  BaseServer(Address server_address, HandlerFactory handler_factory);
  virtual ~BaseServer();
  BaseServer(const BaseServer&) = delete;
  BaseServer& operator=(const BaseServer&) = delete;

  /// Python: serve_forever(poll_interval=0.5). Handles requests until shutdown(). shutdown()
  /// wakes the loop at once (an eventfd), so poll_interval only paces service_actions() and,
  /// unlike Python, the retries of accept() when the process is out of descriptors (no busy
  /// loop; the waiting client is served once descriptors are free). Serving thread only.
  void serve_forever(std::chrono::duration<double> poll_interval = std::chrono::milliseconds(500));

  /// Python: shutdown(). Stops serve_forever and waits until it has returned. Call it from
  /// another thread (calling it from a handler on the serving thread deadlocks, as in Python).
  /// Like Python it waits for serve_forever to run if it has not started yet. Any thread.
  void shutdown();

  /// Python: handle_request(): waits up to `timeout` for one request and handles it, or calls
  /// handle_timeout(). Serving thread only.
  void handle_request();

  /// Python: server_close(): releases the listening socket. Idempotent.
  virtual void server_close();

  /// Python: fileno(): the descriptor serve_forever waits on.
  virtual int fileno() const noexcept = 0;

  /// Python: service_actions(): called by serve_forever once per loop (at least every
  /// poll_interval). May be overridden; ForkingServer reaps children here.
  virtual void service_actions() {}
  /// Python: handle_timeout(): called by handle_request when `timeout` passes.
  virtual void handle_timeout() {}
  /// Python: verify_request(request, client_address) -> bool. Return false to drop the
  /// request (it is shut down and closed). May be overridden; default true.
  virtual bool verify_request(Request& request, const Address& client_address);
  /// Python: process_request(): runs finish_request then shutdown_request. Overridden by the
  /// threading and forking servers.
  virtual void process_request(Request& request, const Address& client_address);
  /// Python: finish_request(): creates the handler and runs it (setup, handle, finish).
  virtual void finish_request(Request& request, const Address& client_address);
  /// Python: shutdown_request(): ends one request (TCP: shutdown(SHUT_WR), then close).
  virtual void shutdown_request(Request& request);
  /// Python: close_request(): closes one request's connection.
  virtual void close_request(Request& request);
  /// Python: handle_error(): called inside a catch block when a handler throws. Prints the
  /// error to stderr between dashed lines, as Python's traceback report; serving goes on.
  virtual void handle_error(Request& request, const Address& client_address);

  /// soket's addition: called when get_request() fails (Python ignores the OSError
  /// silently: the client may have gone already, or the process is out of descriptors, in
  /// which case serve_forever waits a poll_interval before retrying). May be overridden, e.g.
  /// to log clients shed for lack of descriptors; the default does nothing. Serving thread.
  virtual void get_request_failed(const Error& error);

  /// Python: server_address (after bind: the real address, e.g. with the kernel's port).
  Address server_address;
  /// Python: timeout for handle_request(); std::nullopt waits forever.
  Timeout timeout;

 protected:
  /// Python: get_request() -> (request, client_address). Throws soket::Error; the serving
  /// loop ignores it, as Python ignores OSError here.
  virtual std::pair<Request, Address> get_request() = 0;
  /// Python: _handle_request_noblock().
  void handle_request_noblock();

  HandlerFactory handler_factory_;

 private:
  OwnedFd wake_fd_;                  // eventfd: shutdown() makes serve_forever return at once
  bool out_of_descriptors_ = false;  // the last accept failed with EMFILE/ENFILE/ENOBUFS
  std::atomic<bool> shutdown_request_{false};
  std::mutex mutex_;
  std::condition_variable shut_down_cv_;
  bool is_shut_down_ = false;
};

}  // namespace soket::server
