// SPDX-License-Identifier: MIT
// `soket broadcast ADDRESS PORT [MESSAGE...]`: UDP to a broadcast or multicast address — the
// documents' "broadcast over UDP" — and, with -w, the replies that come back.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <soket/options.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "netcat.hpp"

namespace soket::tools {
namespace {

struct BroadcastArgs {
  std::string address, port;
  std::vector<std::string> message;
  int ttl = 1;
  bool no_loop = false;
  std::string interface;
  double wait = 0;
  bool json = false;
  bool verbose = false;
};

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// What each reply prints as: "10.0.0.2 5000: text", or one JSON object per line.
void print_reply(const BroadcastArgs& args, const std::string& data, const Address& from) {
  if (args.json) {
    nlohmann::json j = {{"from", from.host()}, {"port", from.port()}, {"data", data}};
    // Bytes that are not UTF-8 become U+FFFD rather than an exception.
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s %u: %s%s", from.host().c_str(), from.port(), data.c_str(),
                !data.empty() && data.back() == '\n' ? "" : "\n");
  }
  std::fflush(stdout);
}

void broadcast(const BroadcastArgs& args) {
  NetcatArgs nc;
  nc.udp = true;
  nc.ipv4 = true;
  nc.target = {args.address, args.port};
  nc.verbose = args.verbose;
  check_netcat_args(nc, false);
  bool multicast = is_ipv4_multicast(args.address);
  if (!multicast && (!args.interface.empty() || args.no_loop))
    usage_error("--interface and --no-loop are for multicast groups (224.0.0.0/4)");

  AddrInfo ai = resolve(args.address, args.port, nc, false).front();
  Socket sock(Family::inet, Type::dgram);
  if (multicast) {
    sock.setsockopt(opt::multicast_ttl, args.ttl);
    sock.setsockopt(opt::multicast_loop, !args.no_loop);
    if (!args.interface.empty()) sock.setsockopt(opt::multicast_if, args.interface);
  } else {
    sock.setsockopt(opt::broadcast, true);  // else the kernel refuses a broadcast address
    sock.setsockopt(opt::ttl, args.ttl);
  }

  std::vector<std::string> datagrams;
  if (!args.message.empty()) {
    datagrams.push_back(joined(args.message));
  } else {
    for (std::string line; std::getline(std::cin, line);) datagrams.push_back(line + "\n");
  }
  for (const auto& d : datagrams) sock.sendto(d, ai.address);
  note(nc, "Sent " + std::to_string(datagrams.size()) + " datagram(s) to " + nc_name(ai.address));
  if (args.wait <= 0) return;

  // Replies until nothing has come for the -w time.
  sock.settimeout(args.wait);
  for (;;) {
    std::error_code ec;
    auto [data, from] = sock.recvfrom(65536, 0, ec);
    if (ec == std::errc::timed_out) return;
    if (ec) throw_error(ec, "recvfrom");
    print_reply(args, data, from);
  }
}

}  // namespace

void add_broadcast_command(CLI::App& app) {
  auto args = std::make_shared<BroadcastArgs>();
  auto* cmd = app.add_subcommand(
      "broadcast", "Send UDP to a broadcast or multicast ADDRESS PORT; with -w, print who answers");
  cmd->add_option("address", args->address,
                  "A broadcast address (192.168.1.255, 255.255.255.255) or an IPv4 multicast "
                  "group (239.1.2.3)")
      ->required();
  cmd->add_option("port", args->port, "The port, a number or a udp service name")->required();
  cmd->add_option("message", args->message,
                  "Words sent as one datagram (default: one datagram per stdin line)");
  cmd->add_option("--ttl,-t", args->ttl, "Hops the datagrams may take (default 1: this link)")
      ->transform(count_in(0, 255));
  cmd->add_flag("--no-loop", args->no_loop,
                "Multicast: do not deliver to listeners on this host too");
  cmd->add_option("--interface,-i", args->interface,
                  "Multicast: the IPv4 address of the interface to send by")
      ->check(CLI::ValidIPV4);
  cmd->add_option("-w,--wait", args->wait,
                  "Print the replies that arrive until none has for SECONDS (0: do not wait)")
      ->transform(seconds_in(0));
  cmd->add_flag("--json", args->json, "Replies as JSON lines: {\"from\", \"port\", \"data\"}");
  cmd->add_flag("-v,--verbose", args->verbose, "Say on stderr what was sent");
  cmd->footer(
      "Example: soket broadcast -w 1 192.168.1.255 5000 'who is there?'\n"
      "         soket broadcast --ttl 4 239.1.2.3 5000 hello   (soket listen -u --join "
      "239.1.2.3 5000 receives it)");
  cmd->callback([args] { run_command("broadcast", [&] { broadcast(*args); }); });
}

}  // namespace soket::tools
