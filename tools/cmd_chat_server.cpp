// SPDX-License-Identifier: MIT
// `soket chat-server [HOST] PORT`: a chat room on the event engine, over every core
// (tools/chat_room.* holds the room).
#include <CLI/CLI.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <soket/event/server.hpp>
#include <soket/server/stop_signals.hpp>

#include "chat_room.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "serve_log.hpp"

namespace soket::tools {
namespace {

struct ChatServerArgs {
  std::vector<std::string> where;  // [HOST] PORT
  std::size_t threads = 0;
  std::size_t max_clients = 0;
  bool no_batch = false;
  ChatOptions room;
};

int chat_server(const ChatServerArgs& args) {
  std::string host = args.where.size() == 2 ? args.where[0] : "127.0.0.1";
  const std::string& port = args.where.back();
  // Before any loop thread starts, so that only StopSignals receives them.
  server::StopSignals signals;
  std::signal(SIGPIPE, SIG_IGN);  // a log reader that left is a write error, not a death
  ServeLog log;
  ChatRoom room(args.room, log);
  event::ServerOptions options;
  options.threads = args.threads;
  options.max_connections = args.max_clients;
  // Fan-out: every line is sent to every member, and several lines often reach a member in
  // one loop turn. Batched, they leave as one send per member per turn (one io_uring_enter
  // for all of them) instead of one send(2) each (bench/README.md: chat fan-out).
  options.connection.batch_writes = !args.no_batch;
  event::Server server(Address::parse(host.find(':') != std::string::npos ? "[" + host + "]:" + port
                                                                          : host + ":" + port),
                       room, options);
  room.attach(server);
  // The first line as `soket serve` writes it, so scripts read the port the same way.
  log.err("Listening on " + server.address().repr());
  log.err("Chat room on " + std::to_string(server.loops().size()) + " loops");
  server.start();
  signals.wait();
  server.stop(std::chrono::seconds(1));
  log.err("Server stopped");
  return 0;
}

}  // namespace

void add_chat_server_command(CLI::App& app) {
  auto args = std::make_shared<ChatServerArgs>();
  auto* cmd = app.add_subcommand("chat-server", "Run a chat room for many clients (all cores)");
  cmd->footer(
      "Example:\n  soket chat-server 7000          # then: soket chat 127.0.0.1 7000 --nick ana\n"
      "Clients send lines; /nick NAME, /who, /msg NICK TEXT, /quit, /help.");
  cmd->add_option("where", args->where, "[HOST] PORT to listen on (HOST default 127.0.0.1)")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--threads,-t", args->threads, "Event loops (default: one per core)")
      ->transform(count_in(0, 1024));
  cmd->add_option("--max-clients", args->max_clients, "Clients at once (default 0: no limit)")
      ->transform(count_in(0, 1e9));
  cmd->add_option("--max-line", args->room.max_line, "Longest line a client may send (1024)")
      ->transform(count_in(16, 1 << 20));
  cmd->add_option("--max-output", args->room.max_output,
                  "Bytes queued for a client that does not read before it is dropped (262144)")
      ->transform(count_in(1024, 1 << 30));
  cmd->add_flag("--no-batch", args->no_batch,
                "Send each delivery at once (fewer bytes held at peaks, more system calls)");
  cmd->callback([args] {
    int status = 0;
    run_command("chat-server", [&] {
      const std::string& port = args->where.back();
      if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
          port.size() > 5 || std::stoul(port) > 65535)
        usage_error("chat-server: PORT must be a number from 0 to 65535, not '" + port + "'");
      status = chat_server(*args);
    });
    if (status) throw CLI::RuntimeError(status);
  });
}

}  // namespace soket::tools
