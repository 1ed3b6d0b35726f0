// SPDX-License-Identifier: MIT
// The documents' "many clients at once" server on the event engine: echo (RFC 862) on every
// core, with the Delphi-style events on_open / on_data / on_close.
// Usage: event_echo_server [host:port]   (default 127.0.0.1:12345; Ctrl-C stops it cleanly)
#include <iostream>

#include <soket/event.hpp>
#include <soket/server/stop_signals.hpp>

class EchoHandler : public soket::event::Handler {
 public:
  void on_open(soket::event::Connection& conn) override {
    std::cout << "Got connection from " << conn.peer() << std::endl;
  }
  void on_data(soket::event::Connection& conn, soket::event::Buffer& input) override {
    conn.send(input.data());  // echo what arrived
    input.retrieve_all();
  }
  void on_close(soket::event::Connection& conn, std::error_code reason) override {
    std::error_code gone;  // after a reset the kernel no longer knows the peer: peer() throws
    soket::Address peer = conn.peer(gone);
    std::cout << "Closed " << (gone ? std::string("a reset connection") : peer.repr())
              << (reason ? " (" + reason.message() + ")" : "") << std::endl;
  }
};

int main(int argc, char** argv) {
  // Ctrl-C, SIGTERM and SIGHUP wait for stop.wait(), never interrupting a loop thread:
  // construct it before the loops start.
  soket::server::StopSignals stop;

  EchoHandler handler;
  soket::event::Server server(soket::Address::parse(argc > 1 ? argv[1] : "127.0.0.1:12345"),
                              handler);
  std::cout << "Listening on " << server.address() << " with " << server.loops().size() << " loops"
            << std::endl;
  server.start();
  stop.wait();
  server.stop();  // stop accepting, let replies in flight finish, close
}
