// SPDX-License-Identifier: MIT
// ForkingServer: Python's ForkingMixIn as a template over a server class (one process per
// request), with Python's class names as aliases (ForkingTCPServer, ForkingUDPServer, ...).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstddef>
#include <functional>
#include <set>

#include <soket/server/tcp_server.hpp>
#include <soket/server/udp_server.hpp>
#include <soket/server/unix_server.hpp>

namespace soket::server {
namespace detail {

/// Forks a child that runs `work` and leaves with _exit(its result) (no destructors, no
/// atexit handlers, stdio flushed first). The child unblocks every signal first (the parent
/// may block its stop signals: see StopSignals), so that SIGTERM ends it. Returns the child's
/// pid in the parent; throws soket::Error if fork fails.
pid_t fork_child(const std::function<int()>& work);
/// Ends the children in `pids` within `drain`: SIGTERM now, SIGKILL to those still running at
/// the deadline; reaps them all. Returns how many had to be killed.
std::size_t stop_children(std::set<pid_t>& pids, std::chrono::nanoseconds drain);
/// Python: collect_children(): reaps finished children in `pids` (blocking: waits for all);
/// first waits while more than `max_children` are alive.
void collect_children(std::set<pid_t>& pids, std::size_t max_children, bool blocking);

}  // namespace detail

/// Python: ForkingMixIn, as `ForkingServer<TCPServer>`: each request is handled in a child
/// process; the parent closes its copy of the connection and reaps children in
/// service_actions()/handle_timeout() and on close, so no zombies are left. Fork from a
/// single-threaded process (as POSIX advises): only the calling thread exists in the child.
///
/// As in Python, when max_children are alive the serving loop waits for one to finish: with
/// clients that stay connected (idle or hostile), nobody new is served, and shutdown() waits
/// too. A server facing the network sets max_children = 0 (no wait) and refuses clients
/// beyond its own cap in verify_request (as `soket serve --forking` does), with idle
/// timeouts in its handlers.
template <class Server>
class ForkingServer : public Server {
 public:
  template <class... Args>
  explicit ForkingServer(Args&&... args) : Server(std::forward<Args>(args)...) {
    this->timeout = std::chrono::seconds(300);  // Python: ForkingMixIn.timeout = 300
  }
  ~ForkingServer() override { detail::collect_children(children_, max_children, true); }

  /// Python: max_children = 40, block_on_close = True.
  std::size_t max_children = 40;
  bool block_on_close = true;

  /// Python: active_children (pids not yet reaped).
  const std::set<pid_t>& active_children() const noexcept { return children_; }
  /// Python: collect_children(blocking=False).
  void collect_children(bool blocking = false) {
    detail::collect_children(children_, max_children, blocking);
  }

  /// soket's addition (Python has none): ends the request processes still running, within
  /// `drain`: SIGTERM at once, SIGKILL at the deadline, all reaped. Call it after
  /// serve_forever has returned. Returns how many had to be killed.
  std::size_t stop_children(std::chrono::nanoseconds drain) {
    return detail::stop_children(children_, drain);
  }

  void handle_timeout() override { collect_children(); }
  void service_actions() override { collect_children(); }

  /// Python: process_request(): forks; the child runs finish_request (handle_error on
  /// exceptions) and shutdown_request, then exits 0 (1 after an error); the parent closes
  /// its copy of the request.
  void process_request(Request& request, const Address& client_address) override {
    pid_t pid = detail::fork_child([&]() {
      int status = 1;
      try {
        this->finish_request(request, client_address);
        status = 0;
      } catch (...) {
        this->handle_error(request, client_address);
      }
      try {
        this->shutdown_request(request);
      } catch (...) {
        status = 1;
      }
      return status;
    });
    children_.insert(pid);
    this->close_request(request);
  }

  void server_close() override {
    Server::server_close();
    collect_children(block_on_close);
  }

 private:
  std::set<pid_t> children_;
};

/// Python's ready-made classes (Python has no forking Unix servers before 3.12; soket has).
using ForkingTCPServer = ForkingServer<TCPServer>;
using ForkingUDPServer = ForkingServer<UDPServer>;
using ForkingUnixStreamServer = ForkingServer<UnixStreamServer>;
using ForkingUnixDatagramServer = ForkingServer<UnixDatagramServer>;

}  // namespace soket::server
