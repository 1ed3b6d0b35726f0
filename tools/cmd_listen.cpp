// SPDX-License-Identifier: MIT
// `soket listen [HOST] PORT` (nc -l): wait for one client (or, with -k, one after another) and
// relay stdin/stdout with it. `-u --join GROUP` receives a multicast group's datagrams.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include <soket/io/relay.hpp>
#include <soket/options.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "netcat.hpp"

namespace soket::tools {
namespace {

struct ListenArgs : NetcatArgs {
  bool keep = false;
  std::string join;                   // --join GROUP
  std::string interface = "0.0.0.0";  // --interface ADDR for the membership
};

// The Unix socket file this command made, removed when it ends (nc -lU leaves it behind, and
// the next run then fails with "Address already in use").
struct RemoveOnExit {
  std::string path;
  ~RemoveOnExit() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

// Stream listener: one client at a time; stdin, once ended, stays ended for the next ones.
void serve_stream(Socket& listener, const ListenArgs& args) {
  bool input_open = true;
  do {
    auto [conn, peer] = listener.accept();
    note(args, "Connection received on " + nc_name(peer));
    if (args.wait > 0) conn.settimeout(args.wait);
    io::SocketByteStream stream(conn);
    input_open = !relay_stdio(stream, args, input_open).input_ended;
  } while (args.keep);
}

// Datagram listener: without -k the first sender becomes the only peer (nc -u -l); with -k or
// --join, every sender's datagrams are printed and input goes to the latest sender.
void serve_datagrams(Socket& sock, const ListenArgs& args) {
  bool any_sender = args.keep || !args.join.empty() || sock.family() == Family::unix;
  if (any_sender) {
    AnySenderStream stream(sock, args);
    relay_stdio(stream, args, true);
    return;
  }
  char first;
  auto [n, peer] = sock.recvfrom_into(std::as_writable_bytes(std::span(&first, 1)), 1, msg::peek);
  (void)n;
  sock.connect(peer);  // the first datagram stays queued; relay reads it first
  note(args, "Connection received on " + nc_name(peer));
  io::SocketByteStream stream(sock);
  relay_stdio(stream, args, true);
}

void listen_unix(const ListenArgs& args) {
  Socket sock(Family::unix, type_of(args));
  sock.bind(Address::unix_path(args.unix_path));
  RemoveOnExit cleanup{args.unix_path};
  if (!args.udp) sock.listen(1);
  note(args, "Bound on " + args.unix_path);
  if (args.udp)
    serve_datagrams(sock, args);
  else
    serve_stream(sock, args);
}

void listen_inet(const ListenArgs& args) {
  std::string host = args.target.size() == 2 ? args.target[0]
                     : !args.join.empty()    ? args.join  // only the group's datagrams
                     : args.ipv6             ? "::1"
                                             : "127.0.0.1";  // servers default to loopback
  AddrInfo ai = resolve(host, args.target.back(), args, true).front();
  Socket sock(ai.family, type_of(args));
  sock.setsockopt(opt::reuse_address, true);  // as nc: a restart need not wait for TIME_WAIT
  if (args.udp) {
    // Bursts (nc piping a file) overflow the default 208 KiB; the kernel caps this at
    // net.core.rmem_max, so failing is no error.
    std::error_code ignored;
    sock.setsockopt(opt::receive_buffer_size, 4 << 20, ignored);
  }
  sock.bind(ai.address);
  if (!args.join.empty()) sock.setsockopt(opt::add_membership, {args.join, args.interface});
  if (!args.udp) sock.listen(1);
  note(args, "Listening on " + nc_name(sock.getsockname()));
  if (args.udp)
    serve_datagrams(sock, args);
  else
    serve_stream(sock, args);
}

void listen(const ListenArgs& args) {
  check_netcat_args(args, true);
  if (!args.join.empty()) {
    if (!args.udp) usage_error("--join needs -u (multicast is UDP)");
    if (!args.unix_path.empty()) usage_error("--join and -U exclude each other");
    if (!is_ipv4_multicast(args.join))
      usage_error("--join: '" + args.join + "' is not an IPv4 multicast group (224.0.0.0/4)");
    if (args.ipv6) usage_error("--join takes an IPv4 group: -6 does not apply");
  }
  if (args.unix_path.empty())
    listen_inet(args);
  else
    listen_unix(args);
}

}  // namespace

void add_listen_command(CLI::App& app) {
  auto args = std::make_shared<ListenArgs>();
  auto* cmd = app.add_subcommand(
      "listen", "Wait for a client on [HOST] PORT (nc -l): stdin to it, what it sends to stdout");
  cmd->add_option("target", args->target,
                  "[HOST] PORT (HOST default 127.0.0.1; 0.0.0.0 for every interface; PORT 0: "
                  "any free port, shown by -v)");
  add_netcat_options(cmd, *args);
  cmd->add_flag("-k,--keep-open", args->keep,
                "Serve the next client after one leaves (with -u: every sender)");
  cmd->add_option("--join", args->join,
                  "With -u: join the IPv4 multicast GROUP and print its "
                  "datagrams (binds GROUP PORT unless HOST is given)");
  cmd->add_option("--interface", args->interface,
                  "The IPv4 address of the interface to join GROUP on (default: the kernel's "
                  "choice)")
      ->check(CLI::ValidIPV4);
  cmd->footer(
      "Example: soket listen -v 5000 > received.bin        (then: soket connect 127.0.0.1 "
      "5000 < file)\n"
      "         soket listen -u -v --join 239.1.2.3 5000   (then: soket broadcast 239.1.2.3 "
      "5000 hello)");
  cmd->callback([args] { run_command("listen", [&] { listen(*args); }); });
}

}  // namespace soket::tools
