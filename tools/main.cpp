// SPDX-License-Identifier: MIT
// soket: Python's socket toolkit on the command line. Each subcommand lives in cmd_<name>.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include <soket/version.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"soket: Python's socket network programming as command-line tools"};
  app.set_version_flag("--version", std::string("soket ") + soket::version);
  app.require_subcommand(1);

  // Register subcommands here (see commands.hpp).
  soket::tools::add_addrinfo_command(app);
  soket::tools::add_serve_command(app);
  soket::tools::add_client_command(app);
  soket::tools::add_perf_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soket: %s\n", e.what());
    return 1;
  }
  return 0;
}
