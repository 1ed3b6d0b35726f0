// SPDX-License-Identifier: MIT
// soket: Python's socket toolkit on the command line. Each subcommand lives in cmd_<name>.cpp.
// Exit statuses as nc and iperf3 use them: 0 success, 1 runtime failure, 2 usage error.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <soket/version.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace {

using soket::tools::exit_failure;
using soket::tools::exit_usage;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

// "soket adrinfo": name the word and suggest the nearest command, as git does.
int unknown_command(const CLI::App& app, const std::string& word) {
  std::string best;
  std::size_t best_distance = 3;  // further than this is no suggestion
  std::string all;
  for (const auto& name : command_names(app)) {
    all += (all.empty() ? "" : ", ") + name;
    std::size_t d = edit_distance(word, name);
    if (d < best_distance) best_distance = d, best = name;
  }
  std::fprintf(stderr, "soket: unknown command '%s'", word.c_str());
  if (!best.empty())
    std::fprintf(stderr, " (did you mean '%s'?)\n", best.c_str());
  else
    std::fprintf(stderr, " (commands: %s)\n", all.c_str());
  return exit_usage;
}

// `soket help [CMD]`, as git and pip have it.
void add_help_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("help", "Show the help of soket or of one command");
  auto topic = std::make_shared<std::string>();
  cmd->add_option("command", *topic, "The command to explain");
  cmd->callback([&app, cmd, topic] {
    // app.help() would show the help of the command being run: this one.
    if (topic->empty()) {
      std::fputs(app.get_formatter()->make_help(&app, "soket", CLI::AppFormatMode::Normal).c_str(),
                 stdout);
      return;
    }
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == *topic && sub != cmd) {
        std::fputs(sub->help("soket").c_str(), stdout);
        return;
      }
    }
    throw CLI::RuntimeError(unknown_command(app, *topic));
  });
}

}  // namespace

static int run(int argc, char** argv) {
  // Named, not argv[0], so --help and the man pages made from it say "soket".
  CLI::App app{"soket: Python's socket network programming as command-line tools", "soket"};
  app.footer("Exit status: 0 success, 1 runtime failure, 2 usage error.");
  app.set_version_flag("--version", std::string("soket ") + soket::version);
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("soket: ") + e.what() + "\nRun 'soket help [COMMAND]' for usage.\n";
  });

  // Register subcommands here (see commands.hpp).
  soket::tools::add_addrinfo_command(app);
  soket::tools::add_serve_command(app);
  soket::tools::add_client_command(app);
  soket::tools::add_perf_command(app);
  soket::tools::add_netstat_command(app);
  soket::tools::add_sniff_command(app);
  soket::tools::add_send_command(app);
  soket::tools::add_receive_command(app);
  soket::tools::add_tls_info_command(app);
  soket::tools::add_tls_cert_command(app);
  soket::tools::add_ping_command(app);
  soket::tools::add_port_command(app);
  soket::tools::add_scan_command(app);
  soket::tools::add_chat_server_command(app);
  soket::tools::add_chat_command(app);
  soket::tools::add_connect_command(app);
  soket::tools::add_listen_command(app);
  soket::tools::add_broadcast_command(app);
  soket::tools::add_http_command(app);
  soket::tools::add_ftp_command(app);
  soket::tools::add_news_command(app);
  soket::tools::add_telnet_command(app);
  soket::tools::add_gopher_command(app);
  soket::tools::add_mail_command(app);
  add_help_command(app);

  try {
    if (argc > 1 && argv[1][0] != '-') {
      auto names = command_names(app);
      if (std::find(names.begin(), names.end(), argv[1]) == names.end())
        return unknown_command(app, argv[1]);
    }
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_name() == "RuntimeError") return e.get_exit_code();  // the command's own status
    int status = app.exit(e);
    return status == 0 ? 0 : exit_usage;  // CLI11's own codes (105, 106...) mean "usage"
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soket: %s\n", e.what());
    return exit_failure;
  } catch (...) {
    std::fprintf(stderr, "soket: unknown exception\n");
    return exit_failure;
  }
  return 0;
}

int main(int argc, char** argv) {
  // Setting up the commands can throw too (std::bad_alloc, a CLI11 definition error): one line
  // and exit 1, never std::terminate.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soket: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "soket: unknown exception\n");
  }
  return exit_failure;
}
