// SPDX-License-Identifier: MIT
// The `soket http` subcommands: each lives in its own cmd_http_<sub>.cpp and registers itself
// on the `http` command (cmd_http.cpp, the dispatcher, calls them all).
#pragma once

namespace CLI {
class App;
}

namespace soket::tools {

// One line per `http` subcommand, in the order `soket http --help` lists them.
void add_http_serve_command(CLI::App& http);

}  // namespace soket::tools
