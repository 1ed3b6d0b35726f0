// SPDX-License-Identifier: MIT
// `soket port PORT|SERVICE`: what a port number means here — its IANA category, its service
// names, whether the kernel may pick it as an ephemeral port, and whether binding it needs
// privilege.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <soket/port.hpp>
#include <soket/resolver.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct PortArgs {
  std::string port;
  bool json = false;
};

std::vector<std::string> services(std::uint16_t port) {
  std::vector<std::string> names;
  for (const char* proto : {"tcp", "udp"}) {
    std::error_code ec;
    std::string name = getservbyport(port, proto, ec);
    if (!ec) names.push_back(name + "/" + proto);
  }
  return names;
}

void run(const PortArgs& args) {
  // One port or one service name: a list or a range ("-1" is 1-1 to parse_ports) is not one.
  std::string bad;
  std::error_code ec;
  bool single = args.port.find_first_of(",-") == std::string::npos ||
                args.port.find_first_not_of("0123456789,-") != std::string::npos;
  auto ports = parse_ports(args.port, "", bad, ec);
  if (ec || !single || ports.size() != 1)
    usage_error("PORT: not a port 1-65535 or a service name: '" + args.port + "'");
  std::uint16_t port = ports.front();
  PortCategory category = port_category(port);
  PortRange ephemeral = ephemeral_port_range();
  std::uint16_t unprivileged = unprivileged_port_start();
  bool privileged = port < unprivileged;
  bool may_bind = !privileged || can_bind_privileged_ports();
  auto names = services(port);
  if (args.json) {
    nlohmann::json out = {
        {"port", port},
        {"category", to_string(category)},
        {"services", names},
        {"ephemeral_range", {ephemeral.low, ephemeral.high}},
        {"ephemeral", ephemeral.contains(port)},
        {"unprivileged_port_start", unprivileged},
        {"needs_privilege", privileged},
        {"can_bind_here", may_bind},
    };
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  const char* range = category == PortCategory::well_known   ? "0-1023"
                      : category == PortCategory::registered ? "1024-49151"
                                                             : "49152-65535";
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ", ") + n;
  std::printf("port:       %u\n", port);
  std::printf("category:   %s (%s)\n", std::string(to_string(category)).c_str(), range);
  std::printf("services:   %s\n", joined.empty() ? "none known" : joined.c_str());
  std::printf("ephemeral:  %s (the kernel picks client ports from %u-%u)\n",
              ephemeral.contains(port) ? "yes" : "no", ephemeral.low, ephemeral.high);
  std::printf("privileged: %s (ports below %u need CAP_NET_BIND_SERVICE; this process %s)\n",
              privileged ? "yes" : "no", unprivileged,
              can_bind_privileged_ports() ? "has it" : "has not");
}

}  // namespace

void add_port_command(CLI::App& app) {
  auto args = std::make_shared<PortArgs>();
  auto* cmd = app.add_subcommand(
      "port", "What PORT (or SERVICE) is here: category, services, ephemeral, privileged");
  cmd->footer("Example: soket port 22   or   soket port https --json");
  cmd->add_option("port", args->port, "a port number 1-65535 or a service name (ssh, http)")
      ->required()
      ->check(non_empty());
  cmd->add_flag("--json", args->json, "print a JSON object");
  cmd->callback([args] { run_command("port", [&] { run(*args); }); });
}

}  // namespace soket::tools
