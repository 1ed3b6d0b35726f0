// SPDX-License-Identifier: MIT
// The soket subcommands: each cmd_<name>.cpp defines one add_<name>_command, which registers
// the subcommand on the app and its callback. main.cpp calls them all.
#pragma once

namespace CLI {
class App;
}

namespace soket::tools {

// One line per subcommand, in the order --help lists them.
void add_addrinfo_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_client_command(CLI::App& app);
void add_perf_command(CLI::App& app);
void add_netstat_command(CLI::App& app);
void add_sniff_command(CLI::App& app);
void add_send_command(CLI::App& app);
void add_receive_command(CLI::App& app);
void add_tls_info_command(CLI::App& app);
void add_tls_cert_command(CLI::App& app);
void add_ping_command(CLI::App& app);
void add_port_command(CLI::App& app);
void add_scan_command(CLI::App& app);
void add_chat_server_command(CLI::App& app);
void add_chat_command(CLI::App& app);
void add_connect_command(CLI::App& app);
void add_listen_command(CLI::App& app);
void add_broadcast_command(CLI::App& app);
void add_http_command(CLI::App& app);
// The `http` subcommands (registered by add_http_command on the `http` app).
void add_http_get_command(CLI::App& http);
void add_ftp_command(CLI::App& app);
void add_news_command(CLI::App& app);
void add_telnet_command(CLI::App& app);
void add_gopher_command(CLI::App& app);
void add_mail_command(CLI::App& app);

}  // namespace soket::tools
