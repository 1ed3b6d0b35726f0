// SPDX-License-Identifier: MIT
// What the TLS socket tests share: a one-connection server thread over a listener on an
// ephemeral port, and a connected client socket.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <thread>

#include <soket/soket.hpp>
#include <soket/tls.hpp>

#include "support/support.hpp"

namespace soket::test {

/// Accepts one connection and runs `serve` on it in a thread. error() is what it threw ("" if
/// nothing); join() waits. The listener gives up after 30 s so a failed client cannot hang it.
class OneShotServer {
 public:
  explicit OneShotServer(std::function<void(Socket)> serve, Family family = Family::inet,
                         std::string_view host = "127.0.0.1")
      : listener_(listen_ephemeral(family, host)), address_(listener_.getsockname()) {
    listener_.settimeout(std::chrono::seconds(30));
    thread_ = std::thread([this, serve = std::move(serve)] {
      try {
        auto [conn, peer] = listener_.accept();
        serve(std::move(conn));
      } catch (const std::exception& e) {
        error_ = e.what();
        exception_ = std::current_exception();
      }
    });
  }
  ~OneShotServer() { join(); }
  OneShotServer(const OneShotServer&) = delete;
  OneShotServer& operator=(const OneShotServer&) = delete;

  const Address& address() const { return address_; }
  std::uint16_t port() const { return address_.port(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  /// Joins, then returns what the server threw ("" if nothing).
  const std::string& error() {
    join();
    return error_;
  }
  std::exception_ptr exception() {
    join();
    return exception_;
  }

 private:
  Socket listener_;
  Address address_;
  std::thread thread_;
  std::string error_;
  std::exception_ptr exception_;
};

/// A TCP connection to `to` with a generous timeout (tests never wait on time).
inline Socket connect_to(const Address& to, double timeout = 20.0) {
  Socket s(to.family());
  s.settimeout(timeout);
  s.connect(to);
  return s;
}

}  // namespace soket::test
