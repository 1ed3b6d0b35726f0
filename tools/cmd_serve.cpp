// SPDX-License-Identifier: MIT
// `soket serve`: the documents' server.py on Python's socketserver — greet, echo, discard,
// daytime and chargen over TCP, UDP or Unix sockets, threaded or forking.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <type_traits>

#include <soket/socketserver.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "serve_event.hpp"
#include "serve_log.hpp"
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

// What the handlers share: the log and the stop flag chargen checks.
struct State {
  ServeLog log;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> active{0};
};

// How long a stop lets requests finish before it ends them.
constexpr auto drain_deadline = std::chrono::seconds(2);

class StreamHandler : public StreamRequestHandler {
 public:
  StreamHandler(Mode mode, std::size_t limit, Timeout idle, State& state)
      : mode_(mode), state_(state) {
    max_line = limit;
    timeout = idle;
  }

  void handle() override {
    try {
      serve();
    } catch (const TimeoutError&) {
      state_.log.err("Idle timeout, closing " + client_address.repr());
    } catch (const io::LineTooLongError& e) {
      state_.log.err("Line too long from " + client_address.repr() + ", closing");
      wfile->write("error: line longer than " + std::to_string(e.limit()) + " bytes\n");
      drain();
    } catch (const ConnectionError&) {
      // The client left mid-reply (chargen's usual ending): nothing to report.
    }
  }

  void finish() override {
    --state_.active;
    StreamRequestHandler::finish();
    state_.log.out("Closed connection from " + client_address.repr());
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
        while (!state_.stopping.load()) wfile->write(chargen_line(offset));
        break;
      }
    }
  }

  Mode mode_;
  State& state_;
};

class DatagramHandler : public DatagramRequestHandler {
 public:
  explicit DatagramHandler(Mode mode) : mode_(mode) {}

  void handle() override {
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

template <class S>
constexpr bool is_forking = requires(S& s) {
  s.stop_children(drain_deadline);
};

// The tool's server. Unlike the library, which keeps Python's defaults, it faces the network:
// a listen backlog fit for a burst of clients, whole 64 KiB datagrams, and a cap on clients
// that refuses the extra ones instead of making the serving loop wait (Python's max_children
// wait lets 40 idle clients stop all service). Logs from the serving thread (the parent, when
// forking).
template <class Base>
class ToolServer : public Base {
 public:
  ToolServer(Address address, HandlerFactory factory, State& state, std::size_t max_connections)
      : Base(std::move(address), std::move(factory), false), state_(state), max_(max_connections) {
    this->request_queue_size = 4096;  // the kernel caps it at net.core.somaxconn
    if constexpr (std::is_base_of_v<UDPServer, Base>) this->max_packet_size = 65536;
    if constexpr (is_forking<Base>) {
      this->max_children = 0;  // never wait for a child in the serving loop
      if (max_ == 0) max_ = default_max_children;
    }
  }

  bool verify_request(Request& request, const Address& client_address) override {
    if (request.is_datagram()) return true;
    std::size_t active = state_.active.load();
    if constexpr (is_forking<Base>) {
      this->collect_children();
      active = this->active_children().size();
    }
    if (max_ != 0 && active >= max_) {
      state_.log.err("Refused " + client_address.repr() + ": " + std::to_string(max_) +
                     " connections already");
      std::error_code ec;
      constexpr std::string_view msg = "error: too many connections\n";
      request.socket().sendall(std::as_bytes(std::span(msg.data(), msg.size())), 0, ec);
      return false;
    }
    ++state_.active;
    return true;
  }

  void process_request(Request& request, const Address& client_address) override {
    if (request.is_datagram())
      state_.log.datagram(client_address);
    else
      state_.log.out("Got connection from " + client_address.repr());
    try {
      Base::process_request(request, client_address);
    } catch (...) {
      if (!request.is_datagram()) --state_.active;  // no handler will count it out
      throw;
    }
  }

  void get_request_failed(const Error& e) override {
    const auto code = e.code();
    if (code == std::errc::too_many_files_open || code == std::errc::too_many_files_open_in_system)
      state_.log.out_of_descriptors(e.what());
  }

 private:
  // Forked request processes when --max-connections does not say: a bound, not a wait.
  static constexpr std::size_t default_max_children = 1024;
  State& state_;
  std::size_t max_;
};

// Binds (replacing a stale Unix socket file, never anything else), serves until a stop
// signal, then ends the requests within drain_deadline and removes the socket file.
template <class Server>
int run(Server& server, State& state, StopSignals& signals) {
  server.allow_reuse_address =
      server.socket.type() == Type::stream && server.socket.family() != Family::unix;
  remove_stale_unix_socket(server.server_address);
  server.server_bind();
  struct RemoveSocketFile {
    const Address address;
    ~RemoveSocketFile() { remove_unix_socket(address); }
  } remove_on_exit{server.server_address};
  server.server_activate();
  state.log.err("Listening on " + server.server_address.repr());

  signals.serve(server);
  state.stopping = true;
  if constexpr (is_forking<Server>)
    server.stop_children(drain_deadline);
  else
    server.stop_requests(drain_deadline);
  server.server_close();
  state.log.err("Server stopped");
  return 0;
}

template <class Base>
int serve_with(const ServeArgs& args, const Address& address, HandlerFactory factory, State& state,
               StopSignals& signals) {
  if (args.forking) {
    ToolServer<ForkingServer<Base>> s(address, std::move(factory), state, args.max_connections);
    return run(s, state, signals);
  }
  ToolServer<ThreadingServer<Base>> s(address, std::move(factory), state, args.max_connections);
  return run(s, state, signals);
}

int serve(const ServeArgs& args) {
  // Before any thread starts, so that only StopSignals receives them.
  StopSignals signals;
  // A log reader that went away is a write error, not a death (sockets use MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  State state;
  Timeout idle;
  if (args.idle_timeout > 0)
    idle = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(args.idle_timeout));
  HandlerFactory stream_factory = [&args, idle, &state]() -> std::unique_ptr<BaseRequestHandler> {
    return std::make_unique<StreamHandler>(args.mode, args.max_line, idle, state);
  };
  HandlerFactory dgram_factory = handler<DatagramHandler>(args.mode);

  if (args.proto == "unix" || args.proto == "unixgram") {
    if (args.unix_path.empty()) throw std::invalid_argument("--proto unix needs --unix PATH");
    auto address = serve_unix_address(args.unix_path);
    if (args.proto == "unix")
      return serve_with<UnixStreamServer>(args, address, stream_factory, state, signals);
    return serve_with<UnixDatagramServer>(args, address, dgram_factory, state, signals);
  }
  auto address = Address::parse(args.address);
  if (args.proto == "udp")
    return serve_with<UDPServer>(args, address, dgram_factory, state, signals);
  return serve_with<TCPServer>(args, address, stream_factory, state, signals);
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
  auto tls = std::make_shared<EventServeOptions>();  // cert and key
  auto tls_on = std::make_shared<bool>(false);
  cmd->add_flag("--tls", *tls_on, "TLS on every connection (the event engine)");
  auto* cert = cmd->add_option("--cert", tls->cert, "With --tls: certificate chain (PEM)")
                   ->check(non_empty());
  auto* key = cmd->add_option("--key", tls->key, "With --tls: private key (PEM; default: --cert)")
                  ->check(non_empty());
  cmd->callback([args, engine, threads, modes, port, tls, tls_on, cert, key] {
    if (!*tls_on && (cert->count() || key->count())) usage_error("--cert and --key go with --tls");
    if (*tls_on) {
      if (tls->cert.empty()) usage_error("--tls needs --cert FILE (soket tls-cert makes one)");
      if (tls->key.empty()) tls->key = tls->cert;
      if (args->proto != "tcp" && args->proto != "unix")
        usage_error("--tls serves stream sockets (--proto tcp or unix)");
      if (args->forking) usage_error("--tls runs on the event engine, not --forking");
      *engine = "event";
    }
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
                     args->max_connections, args->idle_timeout, tls->cert, tls->key});
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
