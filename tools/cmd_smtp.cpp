// SPDX-License-Identifier: MIT
// `soket smtp HOST[:PORT] --from A --to B [FILE]`: sends one message (from FILE or stdin) with
// smtp::SMTP — STARTTLS or implicit TLS, AUTH when --user is given — and reports refused
// recipients (exit 1 when the server refused the message or every recipient).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <soket/proto/smtp/smtp.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "mail_options.hpp"

namespace soket::tools {
namespace {

struct SmtpArgs {
  MailOptions mail;
  std::string from;
  std::vector<std::string> to;
  std::string file;
  std::string helo;
};

std::string read_message(const std::string& file) {
  std::ostringstream s;
  if (file.empty() || file == "-") {
    s << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + file);
    s << in.rdbuf();
  }
  return s.str();
}

void run(const SmtpArgs& args) {
  using namespace proto::smtp;
  const auto [host, port] = args.mail.host_port(SMTP_PORT, SMTP_SSL_PORT);
  const std::string password = args.mail.user.empty() ? "" : args.mail.password();
  const std::string message = read_message(args.file);
  std::unique_ptr<SMTP> smtp;
  if (args.mail.ssl) {
    smtp = std::make_unique<SMTP_SSL>(args.mail.context());
  } else {
    smtp = std::make_unique<SMTP>();
  }
  smtp->set_timeout(args.mail.timeout_value());
  smtp->set_debuglevel(args.mail.debug);
  const Reply greeting = smtp->connect(host, port);
  if (greeting.code != 220) throw SMTPConnectError(greeting.code, greeting.message, "greeting");
  if (!args.helo.empty()) smtp->ehlo(args.helo);
  if (args.mail.starttls) {
    smtp->starttls(args.mail.context());
    if (!args.helo.empty()) smtp->ehlo(args.helo);
  }
  if (!args.mail.user.empty()) smtp->login(args.mail.user, password);
  // The file's bytes go as they are (Python's bytes message): CRLF is the sender's business.
  const auto refused = smtp->sendmail(args.from, args.to, message, {}, {}, false);
  smtp->quit();
  if (args.mail.json) {
    nlohmann::json r = nlohmann::json::object();
    for (const auto& [who, reply] : refused)
      r[who] = {{"code", reply.code}, {"message", reply.message}};
    std::cout
        << nlohmann::json{{"accepted", args.to.size() - refused.size()}, {"refused", r}}.dump()
        << "\n";
  } else {
    std::cout << "sent to " << args.to.size() - refused.size() << " of " << args.to.size()
              << " recipients\n";
    for (const auto& [who, reply] : refused)
      std::cout << "refused " << who << ": " << reply.code << " " << reply.message << "\n";
  }
}

}  // namespace

void add_smtp_command(CLI::App& app) {
  auto args = std::make_shared<SmtpArgs>();
  auto* cmd = app.add_subcommand("smtp", "Send one message over SMTP (Python's smtplib)");
  cmd->footer(
      "Example:\n  SOKET_PASSWORD=secret soket smtp mail.example.org:587 --starttls -u me \\\n"
      "      --from me@example.org --to you@example.org message.eml");
  args->mail.add_to(*cmd, "upgrade to TLS with STARTTLS before anything else");
  cmd->add_option("--from", args->from, "envelope sender (MAIL FROM)")->required();
  cmd->add_option("--to", args->to, "envelope recipient (RCPT TO), repeatable")
      ->required()
      ->allow_extra_args(false);  // one address per --to: FILE stays positional
  cmd->add_option("file", args->file, "the message (headers and body); default stdin");
  cmd->add_option("--helo", args->helo, "the name to greet with (default localhost)");
  cmd->callback([args] { run_command("smtp", [&] { run(*args); }); });
}

}  // namespace soket::tools
