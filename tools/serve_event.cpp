// SPDX-License-Identifier: MIT
// `soket serve --engine event`: greet, echo, discard, daytime and chargen on soket's event
// engine (one loop per thread), TCP, UDP and Unix.
#include "serve_event.hpp"

#include <pthread.h>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string>
#include <thread>

#include <soket/event.hpp>
#include <soket/soket.hpp>

#include "services.hpp"

namespace soket::tools {
namespace {

using namespace soket::event;

void print_line(std::FILE* f, const std::string& line) {
  std::string s = line + '\n';
  std::fwrite(s.data(), 1, s.size(), f);  // one write: lines from loop threads never interleave
  std::fflush(f);
}

class ModeHandler final : public Handler {
 public:
  explicit ModeHandler(std::string mode) : mode_(std::move(mode)) {}

  void on_open(Connection& c) override {
    print_line(stdout, "Got connection from " + c.peer().repr());
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
};

class ModeDatagramHandler final : public DatagramHandler {
 public:
  explicit ModeDatagramHandler(std::string mode) : mode_(std::move(mode)) {}
  void on_datagram(DatagramServer& s, std::span<const std::byte> data, const Address& from,
                   bool) override {
    print_line(stdout, "Got datagram from " + from.repr());
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
};

int wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int serve_event(const EventServeOptions& o) {
  // Block the stop signals before any loop thread starts, so only sigwait receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  bool unix_family = o.proto == "unix" || o.proto == "unixgram";
  if (unix_family && o.unix_path.empty())
    throw std::invalid_argument("--proto unix needs --unix PATH");
  Address address = unix_family ? Address::unix_path(o.unix_path) : Address::parse(o.address);
  if (o.proto == "udp" || o.proto == "unixgram") {
    ModeDatagramHandler h(o.mode);
    DatagramServer server(address, h);
    print_line(stderr, "Listening on " + server.address().repr());
    server.start();
    wait_for_signal();
    server.stop();
  } else {
    ModeHandler h(o.mode);
    ServerOptions so;
    so.threads = o.threads;
    so.max_connections = o.max_connections;
    so.connection.idle_timeout =
        std::chrono::milliseconds(static_cast<long long>(o.idle_timeout * 1000));
    Server server(address, h, so);
    // The same first line as socketserver's serve, so scripts read the port the same way.
    print_line(stderr, "Listening on " + server.address().repr());
    print_line(stderr, "Event engine: " + std::to_string(server.loops().size()) + " loops");
    server.start();
    wait_for_signal();
    server.stop(std::chrono::seconds(2));
  }
  if (unix_family) std::remove(o.unix_path.c_str());
  print_line(stderr, "Server stopped");
  return 0;
}

}  // namespace soket::tools
