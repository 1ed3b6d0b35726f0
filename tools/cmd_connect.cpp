// SPDX-License-Identifier: MIT
// `soket connect HOST PORT` (netcat, telnet): stdin to the connection and the connection to
// stdout, both at once; at the end of stdin the peer sees EOF and its reply still arrives.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <string>

#include <soket/io/relay.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "netcat.hpp"

namespace soket::tools {
namespace {

struct ConnectArgs : NetcatArgs {
  bool probe = false;  // -z
};

Socket open_socket(Family family, const ConnectArgs& args) {
  Socket sock(family, type_of(args));
  if (args.wait > 0) sock.settimeout(args.wait);
  return sock;
}

Socket connect_unix(const ConnectArgs& args) {
  Socket sock = open_socket(Family::unix, args);
  // A Unix datagram socket needs a name of its own for replies to come back to.
  if (args.udp) sock.bind(Address::abstract("soket-connect-" + std::to_string(::getpid())));
  sock.connect(Address::unix_path(args.unix_path));
  return sock;
}

// Each address HOST resolves to, in order, as nc and create_connection try them; the last
// failure is the one reported.
Socket connect_inet(const ConnectArgs& args) {
  const std::string& host = args.target[0];
  std::error_code last;
  Address last_address;
  for (const auto& ai : resolve(host, args.target[1], args, false)) {
    Socket sock = open_socket(ai.family, args);
    std::error_code ec;
    sock.connect(ai.address, ec);
    if (!ec) return sock;
    note(args, "connect to " + nc_name(ai.address) + " failed: " + ec.message());
    last = ec;
    last_address = ai.address;
  }
  throw_error(last, "connect to", &last_address);
}

void connect(const ConnectArgs& args) {
  check_netcat_args(args, false);
  if (args.probe && args.udp) usage_error("-z probes TCP or Unix stream sockets, not -u");
  Socket sock = args.unix_path.empty() ? connect_inet(args) : connect_unix(args);
  if (args.unix_path.empty())
    note(args, "Connection to " + nc_name(sock.getpeername()) + " port [" +
                   (args.udp ? "udp" : "tcp") + "] succeeded!");
  else
    note(args, "Connection to " + args.unix_path + " succeeded!");
  if (args.probe) return;
  io::SocketByteStream stream(sock);
  relay_stdio(stream, args, true);
}

}  // namespace

void add_connect_command(CLI::App& app) {
  auto args = std::make_shared<ConnectArgs>();
  auto* cmd = app.add_subcommand(
      "connect", "Connect to HOST PORT (netcat, telnet): stdin to the peer, the peer to stdout");
  cmd->add_option("target", args->target, "HOST PORT (PORT a number or a service name)");
  add_netcat_options(cmd, *args);
  cmd->add_flag("-z,--zero", args->probe, "Only check that the port accepts, send nothing");
  cmd->footer(
      "At the end of stdin the connection is half-closed (as nc -N): the peer reads EOF and "
      "its reply still arrives. The command ends when both sides have ended (at a terminal: when "
      "the peer ends, as telnet).\n"
      "Example: printf 'GET / HTTP/1.0\\r\\n\\r\\n' | soket connect example.org 80\n"
      "         soket connect -C mail.example.org smtp   (type SMTP by hand)");
  cmd->callback([args] { run_command("connect", [&] { connect(*args); }); });
}

}  // namespace soket::tools
