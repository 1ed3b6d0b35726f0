// SPDX-License-Identifier: MIT
// `soket serve`: the documents' server.py on Python's socketserver — greet, echo, discard,
// daytime and chargen over TCP, UDP or Unix sockets, threaded or forking.
#include <pthread.h>
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <soket/socketserver.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "serve_event.hpp"
#include "services.hpp"

namespace soket::tools {
namespace {

using namespace soket::server;

enum class Mode { greet, echo, discard, daytime, chargen };

struct ServeArgs {
  Mode mode = Mode::greet;
  std::string proto = "tcp";
  std::string address = "127.0.0.1:12345";
  std::string unix_path;
  bool forking = false;
  bool threading = false;
  std::size_t max_connections = 0;
  std::size_t max_line = io::SocketFile::default_line_limit;
  double idle_timeout = 0;
};

// What the handlers share: the live connections (so a shutdown can end their reads) and the
// stop flag chargen checks.
struct State {
  std::mutex mutex;
  std::set<Socket*> connections;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> active{0};
};

// One write per line so lines from concurrent handler threads never interleave.
void print_line(std::FILE* f, const std::string& line) {
  std::string s = line + '\n';
  std::fwrite(s.data(), 1, s.size(), f);
  std::fflush(f);
}

class StreamHandler : public StreamRequestHandler {
 public:
  StreamHandler(Mode mode, std::size_t limit, Timeout idle, State* state, bool forked)
      : mode_(mode), state_(state), forked_(forked) {
    max_line = limit;
    timeout = idle;
  }

  void setup() override {
    // A forked child takes the default signal actions back, so the parent can end it.
    if (forked_) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    }
    StreamRequestHandler::setup();
    print_line(stdout, "Got connection from " + client_address().repr());
    std::lock_guard lock(state_->mutex);
    state_->connections.insert(&connection());
    // Started just as the server stopped: the stop pass may have missed us, end reads now.
    if (state_->stopping) {
      std::error_code ec;
      connection().shutdown(Shut::rd, ec);
    }
  }

  void handle() override {
    try {
      serve();
    } catch (const TimeoutError&) {
      print_line(stderr, "Idle timeout, closing " + client_address().repr());
    } catch (const io::LineTooLongError& e) {
      print_line(stderr, "Line too long from " + client_address().repr() + ", closing");
      wfile->write("error: line longer than " + std::to_string(e.limit()) + " bytes\n");
      drain();
    } catch (const ConnectionError&) {
      // The client left mid-reply (chargen's usual ending): nothing to report.
    }
  }

  void finish() override {
    {
      std::lock_guard lock(state_->mutex);
      state_->connections.erase(&connection());
    }
    --state_->active;
    StreamRequestHandler::finish();
  }

 private:
  // Closing with unread input would send a reset that can destroy the error reply in
  // flight: half-close, then read (bounded) what the client still sends.
  void drain() {
    try {
      Socket& c = connection();
      c.shutdown(Shut::wr);
      c.settimeout(std::chrono::seconds(1));
      for (std::size_t total = 0; total < (1u << 20);) {
        std::string got = rfile->read1(65536);
        if (got.empty()) break;
        total += got.size();
      }
    } catch (const Error&) {
      // The client reset or kept its end open past the second: it has had its reply.
    }
  }

  void serve() {
    switch (mode_) {
      case Mode::greet: wfile->write("Thank you for connecting"); break;
      case Mode::echo:  // bytes as they come (RFC 862), as the event engine echoes
        for (std::string data; !(data = rfile->read1(65536)).empty();) wfile->write(data);
        break;
      case Mode::discard:
        while (!rfile->read1(65536).empty()) {
        }
        break;
      case Mode::daytime: wfile->write(daytime()); break;
      case Mode::chargen: {
        std::size_t offset = 0;
        while (!state_->stopping.load()) wfile->write(chargen_line(offset));
        break;
      }
    }
  }

  Mode mode_;
  State* state_;
  bool forked_;
};

class DatagramHandler : public DatagramRequestHandler {
 public:
  explicit DatagramHandler(Mode mode) : mode_(mode) {}

  void handle() override {
    print_line(stdout, "Got datagram from " + client_address().repr());
    std::size_t offset = 0;
    switch (mode_) {
      case Mode::greet: wfile << "Thank you for connecting"; break;
      case Mode::echo: wfile << packet(); break;
      case Mode::discard: break;
      case Mode::daytime: wfile << daytime(); break;
      case Mode::chargen:
        for (int i = 0; i < 6; ++i) wfile << chargen_line(offset);  // RFC 864: at most 512 bytes
        break;
    }
  }

  void finish() override {
    if (mode_ != Mode::discard) DatagramRequestHandler::finish();  // discard never replies
  }

 private:
  Mode mode_;
};

// The tool's server: refuses connections beyond --max-connections (Python's verify_request).
template <class Base>
class ToolServer : public Base {
 public:
  ToolServer(Address address, HandlerFactory factory, State* state, std::size_t max_connections)
      : Base(std::move(address), std::move(factory), false), state_(state), max_(max_connections) {}

  bool verify_request(Request& request, const Address& client_address) override {
    if (request.is_datagram()) return true;
    std::size_t active = state_->active.load();
    if constexpr (requires(Base & b) { b.active_children(); }) {
      this->collect_children();
      active = this->active_children().size();
    }
    if (max_ != 0 && active >= max_) {
      print_line(stderr, "Refused " + client_address.repr() + ": " + std::to_string(max_) +
                             " connections already");
      std::error_code ec;
      constexpr std::string_view msg = "error: too many connections\n";
      request.socket().sendall(std::as_bytes(std::span(msg.data(), msg.size())), 0, ec);
      return false;
    }
    ++state_->active;
    return true;
  }

 private:
  State* state_;
  std::size_t max_;
};

// Blocks SIGINT/SIGTERM in every thread and turns them into server.shutdown() on a thread of
// their own (the library installs no signal handlers; the tool does it this way).
template <class Server>
int run(Server& server, State& state, const std::string& unlink_path) {
  server.allow_reuse_address =
      server.socket.type() == Type::stream && server.socket.family() != Family::unix;
  server.server_bind();
  server.server_activate();
  print_line(stderr, "Listening on " + server.server_address.repr());

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  std::atomic<bool> served{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (!served.load()) server.shutdown();
  });
  try {
    server.serve_forever(std::chrono::milliseconds(500));
  } catch (...) {
    served = true;
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    throw;
  }
  waiter.join();
  // Let replies in flight finish, then end the reads of idle connections so handlers return.
  state.stopping = true;
  {
    std::lock_guard lock(state.mutex);
    for (Socket* s : state.connections) {
      std::error_code ec;
      s->shutdown(Shut::rd, ec);
    }
  }
  if constexpr (requires(Server & s) { s.active_children(); }) {
    for (pid_t pid : server.active_children()) ::kill(pid, SIGTERM);
  }
  server.server_close();
  if (!unlink_path.empty()) std::remove(unlink_path.c_str());
  print_line(stderr, "Server stopped");
  return 0;
}

template <class Base>
int serve_with(const ServeArgs& args, const Address& address, HandlerFactory factory, State& state,
               const std::string& unlink_path) {
  if (args.forking) {
    ToolServer<ForkingServer<Base>> s(address, std::move(factory), &state, args.max_connections);
    return run(s, state, unlink_path);
  }
  ToolServer<ThreadingServer<Base>> s(address, std::move(factory), &state, args.max_connections);
  return run(s, state, unlink_path);
}

// A Unix socket file left by a dead server refuses connections: remove it, as users expect;
// a live one is left alone (bind then reports "Address already in use").
void remove_stale_unix_socket(const std::string& path, Type type) {
  if (type != Type::stream) return;
  Socket probe(Family::unix, Type::stream);
  std::error_code ec;
  probe.connect(Address::unix_path(path), ec);
  if (ec == std::errc::connection_refused) std::remove(path.c_str());
}

int serve(const ServeArgs& args) {
  // Block the stop signals before any thread starts, so only the waiter thread receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  State state;
  Timeout idle;
  if (args.idle_timeout > 0)
    idle = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(args.idle_timeout));
  HandlerFactory stream_factory = [&args, idle,
                                   st = &state]() -> std::unique_ptr<BaseRequestHandler> {
    return std::make_unique<StreamHandler>(args.mode, args.max_line, idle, st, args.forking);
  };
  HandlerFactory dgram_factory = handler<DatagramHandler>(args.mode);

  if (args.proto == "unix" || args.proto == "unixgram") {
    if (args.unix_path.empty()) throw std::invalid_argument("--proto unix needs --unix PATH");
    bool stream = args.proto == "unix";
    remove_stale_unix_socket(args.unix_path, stream ? Type::stream : Type::dgram);
    auto address = Address::unix_path(args.unix_path);
    if (stream)
      return serve_with<UnixStreamServer>(args, address, stream_factory, state, args.unix_path);
    return serve_with<UnixDatagramServer>(args, address, dgram_factory, state, args.unix_path);
  }
  auto address = Address::parse(args.address);
  if (args.proto == "udp") return serve_with<UDPServer>(args, address, dgram_factory, state, "");
  return serve_with<TCPServer>(args, address, stream_factory, state, "");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the documents' server.py on socketserver: greet, echo, discard, daytime, chargen");
  const std::map<std::string, Mode> modes = {{"greet", Mode::greet},
                                             {"echo", Mode::echo},
                                             {"discard", Mode::discard},
                                             {"daytime", Mode::daytime},
                                             {"chargen", Mode::chargen}};
  cmd->add_option("--mode", args->mode, "What to do with each client (default greet)")
      ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))
      ->option_text("{greet,echo,discard,daytime,chargen}");
  cmd->add_option("--proto", args->proto, "tcp, udp, unix (stream) or unixgram (default tcp)")
      ->check(CLI::IsMember({"tcp", "udp", "unix", "unixgram"}));
  auto* addr = cmd->add_option("--address,-a", args->address,
                               "HOST:PORT to listen on (default 127.0.0.1:12345; port 0: any)")
                   ->check(non_empty());
  // `soket serve 8080`, as `python3 -m http.server 8080`: the port on the default host.
  auto port = std::make_shared<std::string>();
  auto* port_opt = cmd->add_option("port", *port, "Port to listen on (as --address 127.0.0.1:PORT)")
                       ->transform(count_in(0, 65535))
                       ->excludes(addr);
  cmd->add_option("--unix", args->unix_path, "Unix socket path (with --proto unix/unixgram)")
      ->check(non_empty())
      ->excludes(addr)
      ->excludes(port_opt);
  auto* forking = cmd->add_flag("--forking", args->forking, "One process per connection");
  cmd->add_flag("--threading", args->threading, "One thread per connection (default)")
      ->excludes(forking);
  cmd->add_option("--max-connections", args->max_connections,
                  "Refuse clients beyond N at once (0: no limit)")
      ->transform(count_in(0, 1e6));
  cmd->add_option("--idle-timeout", args->idle_timeout,
                  "Close a client idle for S seconds (0: never)")
      ->transform(seconds_in(0));
  auto engine = std::make_shared<std::string>("socketserver");
  auto threads = std::make_shared<std::size_t>(0);
  cmd->add_option("--engine", *engine, "socketserver (default) or event (soket's epoll engine)")
      ->check(CLI::IsMember({"socketserver", "event"}));
  cmd->add_option("--threads", *threads, "With --engine event: loops (default: one per core)")
      ->transform(count_in(0, 1024));
  cmd->callback([args, engine, threads, modes, port] {
    if (!port->empty()) args->address = "127.0.0.1:" + *port;
    if (!args->unix_path.empty() && args->proto == "tcp") args->proto = "unix";
    bool unix_proto = args->proto == "unix" || args->proto == "unixgram";
    if (unix_proto != !args->unix_path.empty())
      usage_error(unix_proto ? "--proto " + args->proto + " needs --unix PATH"
                             : "--unix goes with --proto unix or unixgram");
    try {
      if (*engine == "event") {
        std::string mode;
        for (const auto& [name, m] : modes)
          if (m == args->mode) mode = name;
        serve_event({mode, args->proto, args->address, args->unix_path, *threads,
                     args->max_connections, args->idle_timeout});
        return;
      }
      serve(*args);
    } catch (const CLI::Error&) {
      throw;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "soket serve: %s\n", e.what());
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace soket::tools
