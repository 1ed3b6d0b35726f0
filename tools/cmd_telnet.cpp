// SPDX-License-Identifier: MIT
// `soket telnet HOST [PORT]`: a telnet client — option negotiation (terminal type, window
// size, echo), the terminal in raw mode while connected, restored when the session ends.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include <soket/proto/telnet/telnet.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

namespace telnet = proto::telnet;

struct TelnetArgs {
  std::string host;
  double port = telnet::TELNET_PORT;
  double timeout = 30;
  std::string term;
  bool debug = false;
};

void run(const TelnetArgs& args) {
  telnet::TelnetOptions options;
  options.terminal_type = args.term;
  if (options.terminal_type.empty()) {
    const char* env = std::getenv("TERM");
    options.terminal_type = env && *env ? env : "dumb";
  }
  telnet::Telnet t(options);
  if (args.debug) t.set_debuglevel(1);
  t.open(args.host, static_cast<std::uint16_t>(args.port), args.timeout);
  t.get_socket().settimeout(std::nullopt);  // the timeout was for connecting; a session waits
  t.interact();
}

}  // namespace

void add_telnet_command(CLI::App& app) {
  auto args = std::make_shared<TelnetArgs>();
  auto* cmd = app.add_subcommand(
      "telnet", "Telnet client (RFC 854): negotiates options, then bridges the terminal");
  cmd->add_option("host", args->host, "host name or address")->required();
  cmd->add_option("port", args->port, "port (default 23)")->transform(count_in(1, 65535));
  cmd->add_option("-t,--timeout", args->timeout, "seconds to connect (default 30)")
      ->transform(seconds_in(0.001));
  cmd->add_option("--term", args->term, "terminal type sent to the server (default $TERM)");
  cmd->add_flag("-d,--debug", args->debug, "show every option negotiated, on stderr");
  cmd->footer(
      "At a terminal, keys go to the server as typed (raw mode; the server echoes) and the "
      "window size follows the terminal. With stdin a pipe, its lines are sent and the session "
      "ends when the server closes.\n"
      "Example: soket telnet 127.0.0.1 2323\n"
      "         printf 'GET / HTTP/1.0\\r\\n\\r\\n' | soket telnet example.org 80");
  cmd->callback([args] { run_command("telnet", [&] { run(*args); }); });
}

}  // namespace soket::tools
