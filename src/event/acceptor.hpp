// SPDX-License-Identifier: MIT
// Acceptor: a listening socket watched by one Loop; accepts until EAGAIN and survives EMFILE.
// Internal: never installed.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>

#include <soket/event/loop.hpp>
#include <soket/event/server.hpp>
#include <soket/event/watcher.hpp>
#include <soket/socket.hpp>

namespace soket::event::detail {

class Acceptor final : public Watcher {
 public:
  /// Owns `listener`; starts watching it on `loop` (call on the loop thread or before run()).
  Acceptor(Server& server, Loop& loop, Socket listener);
  ~Acceptor() override;
  /// Stops accepting and closes the listener. Loop thread only (or after the loop stopped).
  void close() noexcept;
  Loop& loop() noexcept { return loop_; }
  void handle_events(std::uint32_t ready) override;

 private:
  void pause();
  /// Tells the handler an accept failed for lack of resources.
  void report(std::error_code ec) noexcept;
  Server& server_;
  Loop& loop_;
  Socket listener_;
  int reserve_ = -1;  // /dev/null, given up to accept-and-close under EMFILE
  TimerId resume_;
};

/// Forwards the user's callbacks and keeps the server's connection count.
class CountingHandler final : public Handler {
 public:
  CountingHandler(Server& s, Handler& user) : server_(s), user_(user) {}
  void on_open(Connection& c) override { user_.on_open(c); }
  void on_data(Connection& c, Buffer& in) override { user_.on_data(c, in); }
  void on_drain(Connection& c) override { user_.on_drain(c); }
  void on_accept_error(std::error_code ec) override { user_.on_accept_error(ec); }
  void on_close(Connection& c, std::error_code ec) override {
    // Counted down even when the user's on_close throws (the close completes anyway).
    struct Uncount {
      std::atomic<std::size_t>& live;
      ~Uncount() { live.fetch_sub(1, std::memory_order_relaxed); }
    } uncount{server_.live_};
    user_.on_close(c, ec);
  }
  // The user's override decides (log elsewhere, keep the connection), not Handler's default.
  void handle_error(Connection* c, std::exception_ptr error) override {
    user_.handle_error(c, std::move(error));
  }
  // Counted at accept like the others: a dropped handshake leaves as a close does.
  void on_handshake_error(const Address& peer, std::error_code ec) override {
    server_.live_.fetch_sub(1, std::memory_order_relaxed);
    user_.on_handshake_error(peer, ec);
  }

 private:
  Server& server_;
  Handler& user_;
};

}  // namespace soket::event::detail
