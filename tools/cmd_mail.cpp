// SPDX-License-Identifier: MIT
// `soket mail SUB`: the dispatcher of the mail subcommands (cmd_mail_<sub>.cpp).
#include <CLI/CLI.hpp>

#include "cmd_mail.hpp"
#include "commands.hpp"

namespace soket::tools {

void add_mail_command(CLI::App& app) {
  auto* mail = app.add_subcommand(
      "mail", "Mail: send (SMTP, Python's smtplib) and fetch (POP3 or IMAP4 to mbox/maildir)");
  mail->footer(
      "Example:\n  soket mail send smtp.example.org --starttls -u me --from me@example.org "
      "--to you@example.org --subject hi --text 'hello'\n"
      "  soket mail fetch imaps://me@imap.example.org/INBOX --maildir ~/Mail\n"
      "Run `soket mail SUB --help` for one subcommand.");
  mail->require_subcommand(1);
  add_mail_send_command(*mail);
  add_mail_fetch_command(*mail);
}

}  // namespace soket::tools
