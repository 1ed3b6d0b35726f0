// SPDX-License-Identifier: MIT
// `soket serve --engine event`: greet, echo, discard, daytime and chargen on soket's event
// engine (one loop per thread), TCP, UDP and Unix.
#include "serve_event.hpp"
#include "tls_setup.hpp"

#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>

#include <soket/event.hpp>
#include <soket/server/stop_signals.hpp>
#include <soket/server/unix_server.hpp>
#include <soket/soket.hpp>

#include "serve_log.hpp"
#include "services.hpp"

namespace soket::tools {
namespace {

using namespace soket::event;

class ModeHandler final : public Handler {
 public:
  ModeHandler(std::string mode, ServeLog& log) : mode_(std::move(mode)), log_(log) {}

  void on_open(Connection& c) override {
    log_.out("Got connection from " + c.peer().repr());
    if (mode_ == "greet") {
      c.send("Thank you for connecting");
      c.close_after_flush();
    } else if (mode_ == "daytime") {
      c.send(daytime());
      c.close_after_flush();
    } else if (mode_ == "chargen") {
      pump(c);
    }
  }
  void on_close(Connection& c, std::error_code reason) override {
    std::error_code ec;
    Address peer = c.peer(ec);  // gone after a reset: say why instead
    log_.out(ec ? "Closed connection from an unknown peer (" + reason.message() + ")"
                : "Closed connection from " + peer.repr());
  }
  // --tls: a client whose handshake failed or timed out never reached on_open; say why.
  void on_handshake_error(const Address& peer, std::error_code ec) override {
    log_.err("TLS handshake with " + (peer.size() ? peer.repr() : "an unknown peer") +
             " failed: " + ec.message());
  }
  // The engine sheds the waiting client; say so as the socketserver engine does.
  void on_accept_error(std::error_code ec) override {
    if (ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system)
      log_.out_of_descriptors("accept: " + ec.message());
  }
  void on_data(Connection& c, Buffer& in) override {
    if (mode_ == "echo") c.send(in.data());
    in.retrieve_all();
  }
  // chargen: produce until the output queue is full, resume when it drains (backpressure).
  void on_drain(Connection& c) override {
    if (mode_ == "chargen") pump(c);
  }

 private:
  void pump(Connection& c) {
    // The rotation offset lives in the connection's context: no per-connection allocation.
    std::size_t* stored = c.context<std::size_t>();
    std::size_t offset = stored ? *stored : 0;
    for (int i = 0; i < 1024 && c.is_open() && !c.congested(); ++i) c.send(chargen_line(offset));
    c.set_context(offset);
  }
  std::string mode_;
  ServeLog& log_;
};

class ModeDatagramHandler final : public DatagramHandler {
 public:
  ModeDatagramHandler(std::string mode, ServeLog& log) : mode_(std::move(mode)), log_(log) {}
  void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                   bool) override {
    log_.datagram(from);
    if (mode_ == "greet") s.send_to("Thank you for connecting", from);
    if (mode_ == "echo") s.send_to(data, from);
    if (mode_ == "daytime") s.send_to(daytime(), from);
    if (mode_ == "chargen") {
      std::size_t offset = 0;
      std::string reply;
      for (int i = 0; i < 7; ++i) reply += chargen_line(offset);
      s.send_to(reply, from);
    }
  }

 private:
  std::string mode_;
  ServeLog& log_;
};

}  // namespace

Address serve_unix_address(const std::string& text) {
  if (!text.empty() && text[0] == '@') return Address::abstract(text.substr(1));
  return Address::unix_path(text);
}

int serve_event(const EventServeOptions& o) {
  // Before any loop thread starts, so that only StopSignals receives them.
  server::StopSignals signals;
  // A log reader that went away is a write error, not a death (sockets use MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  ServeLog log;

  bool unix_family = o.proto == "unix" || o.proto == "unixgram";
  if (unix_family && o.unix_path.empty())
    throw std::invalid_argument("--proto unix needs --unix PATH");
  Address address = unix_family ? serve_unix_address(o.unix_path) : Address::parse(o.address);
  // Replace a stale socket file, never anything else; remove ours on the way out.
  server::remove_stale_unix_socket(address);
  struct RemoveSocketFile {
    const Address& address;
    bool bound = false;
    ~RemoveSocketFile() {
      if (bound) server::remove_unix_socket(address);
    }
  } socket_file{address};
  if (o.proto == "udp" || o.proto == "unixgram") {
    ModeDatagramHandler h(o.mode, log);
    DatagramServer server(address, h);
    socket_file.bound = true;
    log.err("Listening on " + server.address().repr());
    server.start();
    signals.wait();
    server.stop();
  } else {
    ModeHandler h(o.mode, log);
    ServerOptions so;
    so.threads = o.threads;
    so.max_connections = o.max_connections;
    so.connection.idle_timeout =
        std::chrono::milliseconds(static_cast<long long>(o.idle_timeout * 1000));
    std::unique_ptr<tls::EngineContext> tls;
    if (!o.cert.empty()) {
      tls = server_tls(o.cert, o.key);
      so.connection.transport = tls.get();
    }
    Server server(address, h, so);
    socket_file.bound = true;
    // The same first line as socketserver's serve, so scripts read the port the same way.
    log.err("Listening on " + server.address().repr());
    log.err("Event engine: " + std::to_string(server.loops().size()) + " loops");
    server.start();
    signals.wait();
    server.stop(std::chrono::seconds(2));
  }
  log.err("Server stopped");
  return 0;
}

}  // namespace soket::tools
