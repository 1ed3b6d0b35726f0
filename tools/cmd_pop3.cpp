// SPDX-License-Identifier: MIT
// `soket pop3 HOST[:PORT] -u USER`: lists the mailbox (number, size, unique id) with
// pop3::POP3, or prints message N with --retr N (--delete removes it after).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include <soket/proto/pop3/pop3.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "mail_options.hpp"

namespace soket::tools {
namespace {

struct Pop3Args {
  MailOptions mail;
  std::size_t retr = 0;
  bool remove = false;
};

void run(const Pop3Args& args) {
  using namespace proto::pop3;
  if (args.mail.user.empty()) usage_error("--user is required");
  if (args.remove && args.retr == 0) usage_error("--delete needs --retr N");
  const auto [host, port] = args.mail.host_port(POP3_PORT, POP3_SSL_PORT);
  const std::string password = args.mail.password();
  std::unique_ptr<POP3> pop;
  if (args.mail.ssl) {
    pop = std::make_unique<POP3_SSL>(host, args.mail.context(), port, args.mail.timeout_value());
  } else {
    pop = std::make_unique<POP3>(host, port, args.mail.timeout_value());
  }
  pop->set_debuglevel(args.mail.debug);
  if (args.mail.starttls) pop->stls(args.mail.context());
  pop->user(args.mail.user);
  pop->pass_(password);
  if (args.retr != 0) {
    const MultiLine m = pop->retr(args.retr);
    if (args.remove) pop->dele(args.retr);
    pop->quit();
    if (args.mail.json) {
      nlohmann::json lines = m.lines;
      std::cout << nlohmann::json{{"octets", m.octets}, {"lines", lines}}.dump() << "\n";
    } else {
      for (const auto& line : m.lines) std::cout << line << "\r\n";
    }
    return;
  }
  const MultiLine list = pop->list();
  const MultiLine uidl = pop->uidl();
  pop->quit();
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < list.lines.size(); ++i) {
    const std::string& l = list.lines[i];
    const auto sp = l.find(' ');
    std::string uid;
    if (i < uidl.lines.size()) {
      const auto usp = uidl.lines[i].find(' ');
      if (usp != std::string::npos) uid = uidl.lines[i].substr(usp + 1);
    }
    if (args.mail.json) {
      out.push_back({{"number", l.substr(0, sp)},
                     {"size", sp == std::string::npos ? "" : l.substr(sp + 1)},
                     {"uid", uid}});
    } else {
      std::cout << l << " " << uid << "\n";
    }
  }
  if (args.mail.json) std::cout << out.dump() << "\n";
}

}  // namespace

void add_pop3_command(CLI::App& app) {
  auto args = std::make_shared<Pop3Args>();
  auto* cmd = app.add_subcommand("pop3", "List or fetch mail over POP3 (Python's poplib)");
  cmd->footer(
      "Example:\n  soket pop3 mail.example.org --starttls -u me --password-file ~/.pop3pass "
      "--retr 1");
  args->mail.add_to(*cmd, "upgrade to TLS with STLS before logging in");
  cmd->add_option("--retr", args->retr, "print message N (RFC 5322 text, CRLF lines)")
      ->transform(count_in(1, 4294967295.0));
  cmd->add_flag("--delete", args->remove, "delete the message printed by --retr");
  cmd->callback([args] { run_command("pop3", [&] { run(*args); }); });
}

}  // namespace soket::tools
