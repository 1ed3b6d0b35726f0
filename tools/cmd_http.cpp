// SPDX-License-Identifier: MIT
// `soket http SUBCOMMAND`: the HTTP tools, each subcommand in its own cmd_http_<sub>.cpp.
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace soket::tools {

void add_http_command(CLI::App& app) {
  CLI::App* http = app.add_subcommand("http",
                                      "HTTP tools: get (a client like curl)\n"
                                      "Example: soket http get http://127.0.0.1:8000/");
  http->require_subcommand(1);
  add_http_get_command(*http);
}

}  // namespace soket::tools
