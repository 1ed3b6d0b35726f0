// SPDX-License-Identifier: MIT
// `soket mail send SERVER`: sends one message with smtp::SMTP::send_message — a whole message
// from FILE (the envelope from its From/To/Cc/Bcc unless --from/--to say otherwise), or one
// composed from --from/--to/--cc/--bcc/--subject/--text — over STARTTLS or implicit TLS,
// with AUTH when --user is given. Reports refused recipients (exit 1 when the server refused
// the message or every recipient).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <soket/proto/smtp/message.hpp>
#include <soket/proto/smtp/smtp.hpp>

#include "cli.hpp"
#include "cmd_mail.hpp"
#include "mail_options.hpp"

namespace soket::tools {
namespace {

struct SendArgs {
  MailOptions mail;
  std::string from;
  std::vector<std::string> to, cc, bcc;
  std::string subject;
  std::string text;
  bool has_text = false;
  std::string file;
  std::string helo;
};

std::string read_all(const std::string& file) {
  std::ostringstream s;
  if (file == "-") {
    s << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + file);
    s << in.rdbuf();
  }
  return s.str();
}

std::string joined(const std::vector<std::string>& addrs) {
  std::string out;
  for (const auto& a : addrs) out += (out.empty() ? "" : ", ") + a;
  return out;
}

// Python's EmailMessage with set_content(text): the header fields, then the body as UTF-8.
std::string compose(const SendArgs& a, const std::string& body) {
  using namespace proto::smtp;
  std::string m = "From: " + a.from + "\r\n";
  if (!a.to.empty()) m += "To: " + joined(a.to) + "\r\n";
  if (!a.cc.empty()) m += "Cc: " + joined(a.cc) + "\r\n";
  if (!a.bcc.empty()) m += "Bcc: " + joined(a.bcc) + "\r\n";  // send_message strips it
  if (!a.subject.empty()) m += "Subject: " + encode_header_value(a.subject) + "\r\n";
  const std::string domain = [&] {
    const std::string addr = parseaddr(a.from).addr;
    const auto at = addr.rfind('@');
    return at == std::string::npos ? std::string("localhost") : addr.substr(at + 1);
  }();
  m += "Date: " + formatdate() + "\r\nMessage-ID: " + make_msgid(domain) + "\r\n";
  m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n";
  m += std::string("Content-Transfer-Encoding: ") + (is_ascii(body) ? "7bit" : "8bit") + "\r\n";
  m += "\r\n" + body;
  if (!body.empty() && !body.ends_with('\n')) m += "\r\n";
  return m;
}

void run(SendArgs& args) {
  using namespace proto::smtp;
  const bool composing = args.file.empty();
  if (composing) {
    if (args.from.empty()) usage_error("--from is required without a message FILE");
    if (args.to.empty() && args.cc.empty() && args.bcc.empty())
      usage_error("at least one of --to, --cc, --bcc is required without a message FILE");
  } else if (!args.subject.empty() || args.has_text || !args.cc.empty() || !args.bcc.empty()) {
    usage_error("--subject, --text, --cc and --bcc compose a message: not with a message FILE");
  }
  if (const auto scheme = parse_mail_server(args.mail.target).scheme;
      !scheme.empty() && scheme != "smtp" && scheme != "smtps")
    usage_error("unknown scheme " + scheme + "://: smtp or smtps");
  const MailServer server = args.mail.server(SMTP_PORT, SMTP_SSL_PORT);
  const std::string password = args.mail.user.empty() ? "" : args.mail.password();
  std::string body = args.text == "-" ? read_all("-") : args.text;
  const std::string message = composing ? compose(args, body) : read_all(args.file);

  std::unique_ptr<SMTP> smtp;
  if (args.mail.ssl) {
    smtp = std::make_unique<SMTP_SSL>(args.mail.context());
  } else {
    smtp = std::make_unique<SMTP>();
  }
  smtp->set_timeout(args.mail.timeout_value());
  smtp->set_debuglevel(args.mail.debug);
  const Reply greeting = smtp->connect(server.host, server.port);
  if (greeting.code != 220) throw SMTPConnectError(greeting.code, greeting.message, "greeting");
  if (!args.helo.empty()) smtp->ehlo(args.helo);
  if (args.mail.starttls) {
    smtp->starttls(args.mail.context());
    if (!args.helo.empty()) smtp->ehlo(args.helo);
  }
  if (!args.mail.user.empty()) smtp->login(args.mail.user, password);
  smtp->ehlo_or_helo_if_needed();
  std::vector<std::string> options;
  // 8-bit text needs the 8BITMIME extension's BODY parameter (RFC 6152) when offered.
  if (!is_ascii(message) && smtp->has_extn("8bitmime")) options.emplace_back("BODY=8BITMIME");
  Envelope envelope = message_envelope(message);
  if (!composing && !args.from.empty()) envelope.from = parseaddr(args.from).addr;
  if (!composing && !args.to.empty()) envelope.to = args.to;
  const auto refused = smtp->send_message(message, envelope.from, envelope.to, options);
  smtp->quit();
  const std::size_t total = envelope.to.size();
  if (args.mail.json) {
    nlohmann::json r = nlohmann::json::object();
    for (const auto& [who, reply] : refused)
      r[who] = {{"code", reply.code}, {"message", reply.message}};
    std::cout << nlohmann::json{{"accepted", total - refused.size()}, {"refused", r}}.dump()
              << "\n";
  } else {
    std::cout << "sent to " << total - refused.size() << " of " << total << " recipients\n";
    for (const auto& [who, reply] : refused)
      std::cout << "refused " << who << ": " << reply.code << " " << reply.message << "\n";
  }
}

}  // namespace

void add_mail_send_command(CLI::App& mail) {
  auto args = std::make_shared<SendArgs>();
  auto* cmd = mail.add_subcommand("send", "Send one message over SMTP (Python's smtplib)");
  cmd->footer(
      "Examples:\n  soket mail send smtp.example.org --starttls -u me --from me@example.org \\\n"
      "      --to you@example.org --subject 'Hello' --text 'Hi there'\n"
      "  SOKET_PASSWORD=secret soket mail send smtps://me@smtp.example.org message.eml");
  args->mail.add_to(*cmd, "upgrade to TLS with STARTTLS before anything else");
  cmd->add_option("--from", args->from,
                  "the sender (From: when composing; the envelope sender with a FILE)");
  cmd->add_option("--to", args->to, "a recipient, repeatable (with a FILE: the envelope's only)")
      ->allow_extra_args(false);  // one address per --to: FILE stays positional
  cmd->add_option("--cc", args->cc, "a Cc recipient, repeatable")->allow_extra_args(false);
  cmd->add_option("--bcc", args->bcc, "a Bcc recipient (not shown in the message), repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--subject", args->subject, "the Subject (UTF-8 allowed)");
  cmd->add_option("--text", args->text, "the body text; - reads it from stdin")
      ->each([args](const std::string&) { args->has_text = true; });
  cmd->add_option("file", args->file,
                  "a whole message (headers and body) to send; - reads it from stdin");
  cmd->add_option("--helo", args->helo, "the name to greet with (default localhost)");
  cmd->callback([args] { run_command("mail send", [&] { run(*args); }); });
}

}  // namespace soket::tools
