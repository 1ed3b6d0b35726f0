// SPDX-License-Identifier: MIT
// `soket scan HOST PORTS`: a TCP connect scan on the event engine (soket::event::Scanner),
// printing open ports with their service names, as nmap -sT does.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <soket/event/scanner.hpp>
#include <soket/port.hpp>
#include <soket/resolver.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct ScanArgs {
  std::string host;
  std::string ports;
  double timeout = 1;
  long long in_flight = 1024;
  bool all = false, json = false, v4 = false, v6 = false;
};

Address resolve(const ScanArgs& args) {
  Family family = args.v4 ? Family::inet : args.v6 ? Family::inet6 : Family::unspec;
  auto found = getaddrinfo(args.host, "", family, Type::stream);
  if (found.empty()) throw_error(std::make_error_code(std::errc::address_not_available), args.host);
  return found.front().address;
}

std::string service_of(std::uint16_t port) {
  std::error_code ec;
  std::string name = getservbyport(port, "tcp", ec);
  return ec ? std::string("unknown") : name;
}

void run(const ScanArgs& args) {
  std::string bad;
  std::error_code ec;
  auto ports = parse_ports(args.ports, "tcp", bad, ec);
  if (ec) usage_error("PORTS: not a port, range or tcp service: '" + bad + "'");
  Address host = resolve(args);
  event::ScanOptions options;
  options.timeout =
      std::chrono::duration_cast<event::Duration>(std::chrono::duration<double>(args.timeout));
  options.max_in_flight = static_cast<std::size_t>(args.in_flight);
  auto started = std::chrono::steady_clock::now();
  auto results = event::scan(host, std::move(ports), options);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t open = 0, closed = 0, filtered = 0;
  for (const auto& r : results) {
    open += r.state == event::PortState::open;
    closed += r.state == event::PortState::closed;
    filtered += r.state == event::PortState::filtered;
  }
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : results) {
      if (r.state != event::PortState::open && !args.all) continue;
      nlohmann::json j = {
          {"port", r.port}, {"state", to_string(r.state)}, {"service", service_of(r.port)}};
      if (r.error) j["error"] = r.error.message();
      list.push_back(j);
    }
    nlohmann::json out = {{"host", host.host()}, {"scanned", results.size()}, {"open", open},
                          {"closed", closed},    {"filtered", filtered},      {"seconds", seconds},
                          {"ports", list}};
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("Scan of %s: %zu ports\n", host.host().c_str(), results.size());
  std::printf("%-10s %-9s %s\n", "PORT", "STATE", "SERVICE");
  for (const auto& r : results) {
    if (r.state != event::PortState::open && !args.all) continue;
    std::string port = std::to_string(r.port) + "/tcp";
    std::printf("%-10s %-9s %s\n", port.c_str(), to_string(r.state), service_of(r.port).c_str());
  }
  std::printf("%zu open, %zu closed, %zu filtered; %zu ports in %.2f s\n", open, closed, filtered,
              results.size(), seconds);
}

}  // namespace

void add_scan_command(CLI::App& app) {
  auto args = std::make_shared<ScanArgs>();
  auto* cmd = app.add_subcommand(
      "scan", "TCP connect scan of PORTS on HOST, reporting open ports (nmap -sT)");
  cmd->footer("Example: soket scan 127.0.0.1 1-1024,8080   (or '-' for all of 1-65535)");
  cmd->add_option("host", args->host, "host name or IPv4/IPv6 address")
      ->required()
      ->check(non_empty());
  cmd->add_option("ports", args->ports, "ports: 22,80,8000-8100,https or - for 1-65535")
      ->required();
  cmd->add_option("-w,--timeout", args->timeout, "seconds to wait for each connect (default 1)")
      ->transform(seconds_in(0.001));
  cmd->add_option("-n,--in-flight", args->in_flight, "connects at once (default 1024)")
      ->transform(count_in(1, 65535));
  cmd->add_flag("-a,--all", args->all, "list closed and filtered ports too");
  cmd->add_flag("--json", args->json, "print a JSON object");
  auto* v4 = cmd->add_flag("-4", args->v4, "IPv4 only");
  cmd->add_flag("-6", args->v6, "IPv6 only")->excludes(v4);
  cmd->callback([args] { run_command("scan", [&] { run(*args); }); });
}

}  // namespace soket::tools
