// SPDX-License-Identifier: MIT
// The `soket mail` subcommands: each lives in its own cmd_mail_<sub>.cpp and registers itself
// on the `mail` command (cmd_mail.cpp, the dispatcher, calls them all).
#pragma once

namespace CLI {
class App;
}

namespace soket::tools {

void add_mail_send_command(CLI::App& mail);
void add_mail_fetch_command(CLI::App& mail);

}  // namespace soket::tools
