// SPDX-License-Identifier: MIT
#include <soket/event/server.hpp>

#include <sys/socket.h>
#include <condition_variable>
#include <mutex>
#include <string>

#include <soket/error.hpp>
#include <soket/socket.hpp>

#include "deadline.hpp"
#include "event/acceptor.hpp"
#include "event/connection_manager.hpp"
#include "event/thread_check.hpp"
#include "linux/fd.hpp"
#include "linux/stream_io.hpp"

namespace soket::event {

namespace {

Socket make_listener(const Address& address, bool reuse_port, int backlog) {
  // A host name binds as TCPServer's does (address_family AF_INET; bind resolves it).
  Socket s(address.is_resolved() ? address.family() : Family::inet, Type::stream);
  if (address.is_inet()) {
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (reuse_port) {
      std::error_code ec;
      if (!sys::set_reuse_port(s.fileno(), ec)) throw_error(ec, "setsockopt(SO_REUSEPORT)");
    }
  }
  s.bind(address);
  s.listen(backlog);
  s.setblocking(false);  // accept4 must report EAGAIN, never block the loop
  return s;
}

}  // namespace

Server::Server(const Address& address, Handler& handler, ServerOptions options)
    : options_(options),
      group_(options.threads, options.backend),
      handler_(std::make_unique<detail::CountingHandler>(*this, handler)) {
  inet_ = !address.is_resolved() || address.is_inet();
  bool per_loop = inet_ && options_.balance == Balance::reuse_port && group_.size() > 1;
  if (!inet_) options_.balance = Balance::round_robin;
  Socket first = make_listener(address, per_loop, options_.backlog);
  address_ = first.getsockname();
  acceptors_.push_back(std::make_unique<detail::Acceptor>(*this, group_.loop(0), std::move(first)));
  if (per_loop) {
    // Every loop gets its own listener on the same port; the kernel hashes connections over
    // them, so no connection is handed between threads.
    for (std::size_t i = 1; i < group_.size(); ++i)
      acceptors_.push_back(std::make_unique<detail::Acceptor>(
          *this, group_.loop(i), make_listener(address_, true, options_.backlog)));
  }
}

Server::~Server() {
  if (started_) stop(std::chrono::milliseconds(0));
  acceptors_.clear();  // loops have stopped: closing on this thread is safe
}

void Server::start() {
  if (started_) return;
  group_.start();  // throws with no loop running: the server stays not started
  started_ = true;
}

void Server::on_accept(Loop& acceptor_loop, int fd) {
  std::size_t max = options_.max_connections;
  if (max && live_.fetch_add(1, std::memory_order_relaxed) >= max) {
    live_.fetch_sub(1, std::memory_order_relaxed);
    refused_.fetch_add(1, std::memory_order_relaxed);
    std::error_code ignored;
    sys::close(fd, ignored);
    return;
  }
  if (!max) live_.fetch_add(1, std::memory_order_relaxed);
  if (inet_) sys::set_nodelay(fd);
  Loop& target = options_.balance == Balance::round_robin ? group_.next() : acceptor_loop;
  auto adopt = [this, &target, fd] {
    try {
      target.connections().adopt(fd, *handler_, options_.connection, {});
    } catch (const std::exception&) {
      live_.fetch_sub(1, std::memory_order_relaxed);  // adopt closed fd; no on_close comes
    }
  };
  if (&target == &acceptor_loop)
    adopt();
  else
    target.post(adopt);
}

void Server::for_each_connection(std::function<void(Connection&)> fn) {
  // One copy shared by the loops (its captures may be large: a message, a list).
  auto shared = std::make_shared<const std::function<void(Connection&)>>(std::move(fn));
  const Handler* mine = handler_.get();
  for (std::size_t i = 0; i < group_.size(); ++i) {
    Loop& loop = group_.loop(i);
    loop.post([&loop, shared, mine] { loop.connections().for_each(*shared, mine); });
  }
}

void Server::broadcast(std::string_view data, ConnectionId except) {
  auto bytes = std::make_shared<const std::string>(data);
  for_each_connection([bytes, except](Connection& c) {
    if (c.id() != except) c.send(*bytes);
  });
}

bool Server::post(ConnectionId id, std::function<void(Connection&)> fn) {
  for (std::size_t i = 0; i < group_.size(); ++i) {
    Loop& loop = group_.loop(i);
    if (loop.id() != id.loop) continue;
    loop.post([&loop, id, fn = std::move(fn)] {
      if (Connection* c = loop.find(id)) fn(*c);
    });
    return true;
  }
  return false;
}

void Server::stop(Duration drain) {
  for (std::size_t i = 0; i < group_.size(); ++i)
    SOKET_THREAD_RULE(!group_.loop(i).in_loop_thread(),
                      "Server::stop called from one of the server's own loop threads (it would "
                      "wait for itself: deadlock); post the stop to another thread");
  if (!started_) return;
  started_ = false;
  auto deadline = soket::detail::deadline_after(drain);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t remaining = group_.size();
  for (std::size_t i = 0; i < group_.size(); ++i) {
    Loop& loop = group_.loop(i);
    loop.post([&, &loop = loop] {
      // Listeners first, so nothing new arrives while we drain (poco #4892).
      for (auto& a : acceptors_)
        if (&a->loop() == &loop) a->close();
      loop.drain(deadline, [&] {
        std::lock_guard lock(mu);
        if (--remaining == 0) cv.notify_all();
      });
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return remaining == 0; });
  }
  group_.stop();
  // A hand-off posted after a loop drained may have adopted a connection: the loops have
  // stopped, so close stragglers here, while the handler is still alive.
  for (std::size_t i = 0; i < group_.size(); ++i)
    group_.loop(i).for_each_connection([](Connection& c) { c.close(); });
}

}  // namespace soket::event
