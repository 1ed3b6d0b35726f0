// SPDX-License-Identifier: MIT
// `soket connect HOST PORT` (netcat, telnet): stdin to the connection and the connection to
// stdout, both at once; at the end of stdin the peer sees EOF and its reply still arrives.
// With --tls it is an `openssl s_client` for people: the same relay over an SSLSocket.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include <soket/io/relay.hpp>
#include <soket/soket.hpp>
#include <soket/tls/context.hpp>
#include <soket/tls/relay_stream.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "netcat.hpp"

namespace soket::tools {
namespace {

struct ConnectArgs : NetcatArgs {
  bool probe = false;  // -z
  bool tls = false;
  bool insecure = false;
  std::string ca;                  // --ca FILE
  std::optional<std::string> sni;  // --sni NAME
  std::string alpn;                // --alpn h2,http/1.1
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

std::vector<std::string> split_alpn(const std::string& list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = list.find(',', start);
    names.push_back(list.substr(start, comma - start));
    if (names.back().empty() || names.back().size() > 255)
      usage_error("--alpn wants names of 1-255 bytes separated by commas, not '" + list + "'");
    if (comma == std::string::npos) return names;
    start = comma + 1;
  }
}

void check_tls_args(const ConnectArgs& args) {
  if (!args.tls) {
    if (args.insecure || !args.ca.empty() || args.sni || !args.alpn.empty())
      usage_error("--insecure, --ca, --sni and --alpn need --tls");
    return;
  }
  if (args.udp) usage_error("--tls runs over TCP or a Unix stream socket, not -u");
  if (args.probe) usage_error("-z sends nothing, so --tls has nothing to do");
  if (args.insecure && !args.ca.empty()) usage_error("--insecure and --ca exclude each other");
  if (!args.alpn.empty()) split_alpn(args.alpn);  // checked before connecting
}

// The name the certificate must carry: --sni, else HOST (an IP literal is checked against
// the certificate's IP addresses and sent as no SNI, as Python does).
std::optional<std::string> server_name(const ConnectArgs& args) {
  if (args.sni) return args.sni;
  if (!args.unix_path.empty()) return std::nullopt;
  return args.target[0];
}

tls::SSLSocket start_tls(Socket sock, const ConnectArgs& args) {
  tls::SSLContext ctx = args.insecure ? tls::create_unverified_context()
                        : args.ca.empty()
                            ? tls::create_default_context()
                            : tls::create_default_context(tls::Purpose::server_auth, args.ca);
  if (!args.alpn.empty()) ctx.set_alpn_protocols(split_alpn(args.alpn));
  std::optional<std::string> name = server_name(args);
  if (!name && !args.insecure) usage_error("--tls over -U needs --sni NAME (or --insecure)");
  tls::SSLSocket ssl = ctx.wrap_socket(std::move(sock), false, name);
  if (args.verbose) {
    auto cipher = ssl.cipher();
    std::string line = "TLS: " + ssl.version().value_or("?") + " " +
                       (cipher ? std::get<0>(*cipher) : std::string("?"));
    if (auto alpn = ssl.selected_alpn_protocol()) line += ", ALPN " + *alpn;
    line += args.insecure ? ", certificate NOT verified" : ", certificate verified for " + *name;
    note(args, line);
  }
  return ssl;
}

void connect(const ConnectArgs& args) {
  check_netcat_args(args, false);
  check_tls_args(args);
  if (args.probe && args.udp) usage_error("-z probes TCP or Unix stream sockets, not -u");
  Socket sock = args.unix_path.empty() ? connect_inet(args) : connect_unix(args);
  if (args.unix_path.empty())
    note(args, "Connection to " + nc_name(sock.getpeername()) + " port [" +
                   (args.udp ? "udp" : "tcp") + "] succeeded!");
  else
    note(args, "Connection to " + args.unix_path + " succeeded!");
  if (args.probe) return;
  if (args.tls) {
    tls::SSLSocket ssl = start_tls(std::move(sock), args);
    tls::SSLRelayStream stream(ssl);
    relay_stdio(stream, args, true);
    return;
  }
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
  cmd->add_flag("--tls", args->tls,
                "TLS over the connection (openssl s_client): the certificate is verified against "
                "the system's CAs and HOST");
  cmd->add_flag("--insecure", args->insecure,
                "With --tls: verify nothing (a self-signed test peer)");
  cmd->add_option("--ca", args->ca, "With --tls: trust the CA certificates in FILE instead")
      ->check(CLI::ExistingFile);
  cmd->add_option("--sni", args->sni, "With --tls: the server name to send and verify (else HOST)")
      ->check(non_empty());
  cmd->add_option("--alpn", args->alpn, "With --tls: application protocols to offer (h2,http/1.1)")
      ->check(non_empty());
  cmd->footer(
      "At the end of stdin the connection is half-closed (as nc -N): the peer reads EOF and "
      "its reply still arrives. The command ends when both sides have ended (at a terminal: when "
      "the peer ends, as telnet).\n"
      "Example: printf 'GET / HTTP/1.0\\r\\n\\r\\n' | soket connect example.org 80\n"
      "         soket connect -C mail.example.org smtp   (type SMTP by hand)\n"
      "         soket connect --tls -v example.org 443   (TLS, like openssl s_client)");
  cmd->callback([args] { run_command("connect", [&] { connect(*args); }); });
}

}  // namespace soket::tools
