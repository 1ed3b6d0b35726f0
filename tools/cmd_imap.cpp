// SPDX-License-Identifier: MIT
// `soket imap HOST[:PORT] -u USER`: with imap::IMAP4, lists mailboxes (--list), searches a
// mailbox (--search CRITERIA), prints a message (--fetch N), or waits for new mail with IDLE
// (--idle SECONDS). Without any of them it prints the mailbox's message count.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include <soket/proto/imap/imap4.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "mail_options.hpp"

namespace soket::tools {
namespace {

struct ImapArgs {
  MailOptions mail;
  std::string mailbox = "INBOX";
  std::string search;
  std::uint32_t fetch = 0;
  double idle = 0;
  bool list = false;
};

void run(const ImapArgs& args) {
  using namespace proto::imap;
  if (args.mail.user.empty()) usage_error("--user is required");
  const auto [host, port] = args.mail.host_port(IMAP4_PORT, IMAP4_SSL_PORT);
  const std::string password = args.mail.password();
  std::unique_ptr<IMAP4> imap;
  if (args.mail.ssl) {
    imap = std::make_unique<IMAP4_SSL>(host, args.mail.context(), port, args.mail.timeout_value());
  } else {
    imap = std::make_unique<IMAP4>(host, port, args.mail.timeout_value());
  }
  imap->set_debuglevel(args.mail.debug);
  if (args.mail.starttls) imap->starttls(args.mail.context());
  imap->login(args.mail.user, password);
  nlohmann::json out;
  if (args.list) {
    out = nlohmann::json::array();
    for (const Response* r : imap->list().responses("LIST"))
      if (r->data.size() >= 3) out.push_back(r->data[2].text);
  } else {
    const Result selected = imap->select(args.mailbox, true);
    if (selected.type != "OK")
      throw std::runtime_error("EXAMINE " + args.mailbox + ": " + selected.text);
    if (!args.search.empty()) {
      out = imap->search(args.search);
    } else if (args.fetch != 0) {
      const Result f = imap->fetch(std::to_string(args.fetch), "(BODY.PEEK[])");
      const auto fetched = f.responses("FETCH");
      if (fetched.empty())
        throw std::runtime_error("FETCH " + std::to_string(args.fetch) + ": no such message");
      out = fetched.front()->fetch_items()["BODY[]"].text;
    } else if (args.idle > 0) {
      out = nlohmann::json::array();
      const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(args.idle));
      for (const Response& r : imap->idle(wait))
        out.push_back((r.number ? std::to_string(*r.number) + " " : "") + r.type);
    } else {
      out = imap->exists();
    }
  }
  imap->logout();
  if (args.mail.json) {
    std::cout << out.dump() << "\n";
  } else if (out.is_array()) {
    for (const auto& each : out)
      std::cout << (each.is_string() ? each.get<std::string>() : each.dump()) << "\n";
  } else if (out.is_string()) {
    std::cout << out.get<std::string>();
  } else {
    std::cout << out.dump() << " messages in " << args.mailbox << "\n";
  }
}

}  // namespace

void add_imap_command(CLI::App& app) {
  auto args = std::make_shared<ImapArgs>();
  auto* cmd = app.add_subcommand("imap", "Read a mailbox over IMAP4 (Python's imaplib)");
  cmd->footer(
      "Example:\n  SOKET_PASSWORD=secret soket imap mail.example.org --starttls -u me "
      "--search UNSEEN");
  args->mail.add_to(*cmd, "upgrade to TLS with STARTTLS before logging in");
  cmd->add_option("-m,--mailbox", args->mailbox, "the mailbox (default INBOX)");
  auto* list = cmd->add_flag("--list", args->list, "list the mailboxes");
  auto* search = cmd->add_option("--search", args->search, "print the numbers matching CRITERIA");
  auto* fetch = cmd->add_option("--fetch", args->fetch, "print message N")
                    ->transform(count_in(1, 4294967295.0));
  auto* idle = cmd->add_option("--idle", args->idle, "wait up to SECONDS for new mail (IDLE)")
                   ->transform(seconds_in(0.001));
  list->excludes(search, fetch, idle);
  search->excludes(fetch, idle);
  fetch->excludes(idle);
  cmd->callback([args] { run_command("imap", [&] { run(*args); }); });
}

}  // namespace soket::tools
