// SPDX-License-Identifier: MIT
// `soket http SUB`: the dispatcher of the HTTP subcommands (cmd_http_<sub>.cpp).
#include <CLI/CLI.hpp>

#include "cmd_http.hpp"
#include "commands.hpp"

namespace soket::tools {

void add_http_command(CLI::App& app) {
  auto* http =
      app.add_subcommand("http", "HTTP/1.1: serve (the event engine) and get (a client like curl)");
  http->footer(
      "Example:\n  soket http serve -a 127.0.0.1:8000 --text 'hello'\n  soket http get "
      "http://127.0.0.1:8000/\n"
      "Run `soket http SUB --help` for one subcommand.");
  http->require_subcommand(1);
  add_http_serve_command(*http);
  add_http_get_command(*http);
}

}  // namespace soket::tools
