// SPDX-License-Identifier: MIT
// `soket addrinfo HOST [SERVICE]`: the documents' detailsocket.py — one block per getaddrinfo
// result (Family / Type / Protocol / Canonical name / Socket address), or --json.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct AddrinfoArgs {
  std::string host;
  std::string service;
  std::string family = "unspec";  // inet, inet6, unix, unspec
  std::string type;               // "" (any), stream, dgram, raw
  std::vector<std::string> flags;
  bool json = false;
};

// Built on first use (not at static initialisation, where a throw could not be caught).
const std::map<std::string, int>& flag_names() {
  static const std::map<std::string, int> names = {
      {"passive", ai::passive},         {"canonname", ai::canonname},
      {"numerichost", ai::numerichost}, {"numericserv", ai::numericserv},
      {"v4mapped", ai::v4mapped},       {"all", ai::all},
      {"addrconfig", ai::addrconfig},
  };
  return names;
}

std::string protocol_label(int proto) {
  std::string_view name = ipproto_name(proto);
  return name.empty() ? std::to_string(proto) : std::string(name);
}

// detailsocket.py's print('Family :', ...) lines, byte for byte as Python 3 prints them
// (print() puts one space between its arguments, so an empty canonname leaves a trailing one).
void print_block(std::ostream& out, const AddrInfo& ai) {
  out << "Family : " << to_string(ai.family) << '\n'
      << "Type : " << to_string(ai.type) << '\n'
      << "Protocol : " << protocol_label(ai.proto) << '\n'
      << "Canonical name: " << ai.canonname << '\n'
      << "Socket address: " << ai.address.repr() << '\n';
}

nlohmann::json to_json(const AddrInfo& ai) {
  nlohmann::json j = {
      {"family", std::string(to_string(ai.family))},
      {"type", std::string(to_string(ai.type))},
      {"proto", ai.proto},
      {"protocol", protocol_label(ai.proto)},
      {"canonname", ai.canonname},
      {"sockaddr", ai.address.repr()},
  };
  if (ai.address.is_inet()) {
    j["host"] = ai.address.host();
    j["port"] = ai.address.port();
    if (ai.family == Family::inet6) {
      j["flowinfo"] = ai.address.flowinfo();
      j["scope_id"] = ai.address.scope_id();
    }
  }
  return j;
}

void run(const AddrinfoArgs& args) {
  int flags = 0;
  for (const auto& f : args.flags) flags |= flag_names().at(f);  // CLI11 checked the names
  Family family = Family::unspec;
  if (args.family == "inet") family = Family::inet;
  if (args.family == "inet6") family = Family::inet6;
  if (args.family == "unix") family = Family::local;
  Type type{};
  if (args.type == "stream") type = Type::stream;
  if (args.type == "dgram") type = Type::dgram;
  if (args.type == "raw") type = Type::raw;
  std::vector<AddrInfo> results;
  try {
    results = getaddrinfo(args.host, args.service, family, type, 0, flags);
  } catch (const gaierror& e) {
    // The library names the host; a bad service is as likely the culprit, so name it too.
    std::string what = "getaddrinfo " + (args.host.empty() ? "''" : args.host);
    if (!args.service.empty()) what += ", service " + args.service;
    throw std::runtime_error(what + ": " + e.code().message());
  }
  if (args.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& ai : results) array.push_back(to_json(ai));
    std::cout << array.dump(2) << '\n';
  } else {
    for (const auto& ai : results) print_block(std::cout, ai);
  }
  std::cout.flush();
}

}  // namespace

void add_addrinfo_command(CLI::App& app) {
  auto args = std::make_shared<AddrinfoArgs>();
  CLI::App* cmd =
      app.add_subcommand("addrinfo",
                         "Resolve HOST [SERVICE] with getaddrinfo and print each result as "
                         "detailsocket.py does (Family / Type / Protocol / Canonical name / Socket "
                         "address)");
  cmd->add_option("host", args->host, "host name or address ('' for none)")->required();
  cmd->add_option("service", args->service, "port number or service name (e.g. http)");
  cmd->add_option("-f,--family", args->family, "address family: inet, inet6, unix, unspec")
      ->check(CLI::IsMember({"inet", "inet6", "unix", "unspec"}));
  cmd->add_option("-t,--type", args->type, "socket type: stream, dgram, raw (default: any)")
      ->check(CLI::IsMember({"stream", "dgram", "raw"}));
  std::vector<std::string> names;
  names.reserve(flag_names().size());
  for (const auto& [name, value] : flag_names()) names.push_back(name);
  cmd->add_option("--flags", args->flags,
                  "AI_* flags, comma-separated: canonname, passive, numerichost, numericserv, "
                  "v4mapped, all, addrconfig")
      ->delimiter(',')
      ->check(CLI::IsMember(names));
  cmd->add_flag("--json", args->json, "print a JSON array of objects");
  cmd->callback([args] { run_command("addrinfo", [&] { run(*args); }); });
}

}  // namespace soket::tools
