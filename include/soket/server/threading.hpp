// SPDX-License-Identifier: MIT
// ThreadingServer: Python's ThreadingMixIn as a template over a server class (one thread per
// request), with Python's class names as aliases (ThreadingTCPServer, ...).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>
#include <utility>

#include <soket/server/tcp_server.hpp>
#include <soket/server/udp_server.hpp>
#include <soket/server/unix_server.hpp>

namespace soket::server {
namespace detail {

/// The threads of a ThreadingServer: started per request, reaped when finished (so the list
/// does not grow with the number of requests served), joined on close. Thread-safe.
class ThreadSet {
 public:
  ThreadSet() = default;
  ~ThreadSet();  // joins every thread
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;
  void start(std::function<void()> work);
  void join_all();
  /// Waits until every thread started has finished its work, or until `timeout` passed;
  /// returns true if they all finished.
  bool wait_finished(std::chrono::nanoseconds timeout);
  std::size_t size();

 private:
  struct Worker {
    std::atomic<bool> done{false};
    std::thread thread;
  };
  void reap_locked();
  std::mutex mutex_;
  std::condition_variable finished_;
  std::size_t running_ = 0;  // started and not yet done
  std::list<std::unique_ptr<Worker>> workers_;
};

/// The connections of the requests being handled, so that a stop can end them from another
/// thread. A request is removed before its connection is closed (under the same lock), so a
/// shutdown never reaches a descriptor number that was reused. Thread-safe.
class LiveRequests {
 public:
  /// Adds one; if end() was called already, its reads end at once.
  void add(Socket& connection);
  void remove(Socket& connection);
  /// shutdown(how) on every live connection, and on those added from now on (ends reads
  /// with Shut::rd, both ways with Shut::rdwr). Returns how many were live.
  std::size_t end(Shut how);

 private:
  std::mutex mutex_;
  std::set<Socket*> live_;
  bool ending_ = false;
  Shut how_ = Shut::rd;
};

}  // namespace detail

/// Python: ThreadingMixIn, as `ThreadingServer<TCPServer>`: each request is processed by a new
/// thread (finish_request, handle_error on exceptions, then shutdown_request).
///
/// daemon_threads: Python lets daemon threads die with the process; C++ cannot abandon a thread
/// that uses the server, so server_close() does not wait for them but the destructor does
/// (destroy a server only after its handlers can finish).
/// block_on_close (default true): server_close() waits for the non-daemon threads.
/// Thread rules: process_request and server_close run on the serving thread (or after it
/// stopped); handlers run on their own threads.
template <class Server>
class ThreadingServer : public Server {
 public:
  using Server::Server;
  ~ThreadingServer() override { threads_.join_all(); }

  /// Python: daemon_threads = False, block_on_close = True.
  bool daemon_threads = false;
  bool block_on_close = true;

  /// Python: process_request(): starts a thread running process_request_thread.
  /// Serving thread only.
  void process_request(Request& request, const Address& client_address) override {
    auto req = std::make_shared<Request>(std::move(request));
    if (!req->is_datagram()) live_.add(req->socket());
    try {
      threads_.start([this, req, addr = client_address]() { process_request_thread(*req, addr); });
    } catch (...) {
      if (!req->is_datagram()) live_.remove(req->socket());
      request = std::move(*req);  // back to the caller, which ends it
      throw;
    }
  }

  /// Python: process_request_thread(): runs on the request's own thread.
  void process_request_thread(Request& request, const Address& client_address) {
    try {
      this->finish_request(request, client_address);
    } catch (...) {
      this->handle_error(request, client_address);
    }
    if (!request.is_datagram()) live_.remove(request.socket());
    this->shutdown_request(request);
  }

  /// soket's addition (Python has none): ends the requests still running, within `drain`.
  /// Call it after serve_forever has returned, before server_close(). Their reads end at once
  /// (shutdown(SHUT_RD): a handler waiting for input reads EOF) while what they are sending
  /// may finish; at the deadline the connections are shut down both ways (a handler blocked
  /// in send to a client that does not read gets an error), then the threads are joined.
  /// Returns how many requests had to be forced. A handler blocked in something other than
  /// its connection is still waited for. Datagram requests share the server's socket: they
  /// are only waited for, up to `drain`.
  std::size_t stop_requests(std::chrono::nanoseconds drain) {
    live_.end(Shut::rd);
    std::size_t forced = 0;
    if (!threads_.wait_finished(drain)) forced = live_.end(Shut::rdwr);
    if constexpr (!std::is_base_of_v<UDPServer, Server>) threads_.join_all();
    return forced;
  }

  /// Python: server_close(). Joins the request threads first (when block_on_close and not
  /// daemon_threads), and always for datagram servers, whose handlers reply on the server's
  /// socket: closing it under them would be a race.
  void server_close() override {
    if ((block_on_close && !daemon_threads) || std::is_base_of_v<UDPServer, Server>)
      threads_.join_all();
    Server::server_close();
  }

  /// Threads started and not yet reaped (for tests and monitoring).
  std::size_t thread_count() { return threads_.size(); }

 private:
  detail::LiveRequests live_;
  detail::ThreadSet threads_;
};

/// Python's ready-made classes.
using ThreadingTCPServer = ThreadingServer<TCPServer>;
using ThreadingUDPServer = ThreadingServer<UDPServer>;
using ThreadingUnixStreamServer = ThreadingServer<UnixStreamServer>;
using ThreadingUnixDatagramServer = ThreadingServer<UnixDatagramServer>;

}  // namespace soket::server
