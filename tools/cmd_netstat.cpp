// SPDX-License-Identifier: MIT
// `soket netstat`: the machine's sockets as `ss` lists them (state, queues, addresses, owning
// process), from the kernel's sock_diag interface; --json for data, --watch to monitor.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include <soket/diag/socket_table.hpp>
#include <soket/resolver.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

using diag::Netid;
using diag::SocketInfo;

struct NetstatArgs {
  bool tcp = false, udp = false, unix_sockets = false, raw = false;
  bool listening = false, all = false, processes = false, numeric = false;
  bool ipv4 = false, ipv6 = false, json = false;
  std::vector<std::string> states;
  double watch = 0;
  long count = 0;
};

std::string port_text(const SocketInfo& s, bool local, bool numeric) {
  std::uint64_t port = local ? s.local_port : s.peer_port;
  if (numeric || port == 0 || s.family == 1 || s.netid == Netid::raw)
    return diag::format_endpoint(s, local);
  std::error_code ec;
  std::string name =
      getservbyport(static_cast<long long>(port), s.netid == Netid::tcp ? "tcp" : "udp", ec);
  return diag::format_endpoint(s, local, ec ? std::string_view{} : name);
}

std::string users_text(const SocketInfo& s) {
  if (s.users.empty()) return "";
  std::string text = "users:(";
  for (std::size_t i = 0; i < s.users.size(); ++i) {
    const auto& u = s.users[i];
    text += (i ? "," : "") + std::string("(\"") + u.command + "\",pid=" + std::to_string(u.pid) +
            ",fd=" + std::to_string(u.fd) + ")";
  }
  return text + ")";
}

// ss's table: left-aligned columns as wide as their widest cell; Netid only when more than one
// kind is listed.
void print_table(const std::vector<SocketInfo>& rows, const NetstatArgs& a, bool several_kinds) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = {"State", "Recv-Q", "Send-Q", "Local Address:Port",
                                     "Peer Address:Port"};
  if (several_kinds) header.insert(header.begin(), "Netid");
  if (a.processes) header.emplace_back("Process");
  cells.push_back(header);
  for (const auto& s : rows) {
    std::vector<std::string> row = {std::string(diag::state_name(s.state)),
                                    std::to_string(s.recv_q), std::to_string(s.send_q),
                                    port_text(s, true, a.numeric), port_text(s, false, a.numeric)};
    if (several_kinds) row.insert(row.begin(), std::string(diag::netid_name(s.netid)));
    if (a.processes) row.push_back(users_text(s));
    cells.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : cells)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 1, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  std::fputs(out.c_str(), stdout);
}

nlohmann::json endpoint_json(const SocketInfo& s, bool local) {
  const std::string& host = local ? s.local_host : s.peer_host;
  std::uint64_t port = local ? s.local_port : s.peer_port;
  if (s.family == 1) return {{"path", host == "*" ? "" : host}, {"inode", port}};
  return {{"address", host}, {"port", port}};
}

nlohmann::json to_json(const std::vector<SocketInfo>& rows) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& s : rows) {
    nlohmann::json users = nlohmann::json::array();
    for (const auto& u : s.users)
      users.push_back({{"command", u.command}, {"pid", u.pid}, {"fd", u.fd}});
    nlohmann::json j = {{"netid", diag::netid_name(s.netid)},
                        {"family", s.family == 1   ? "unix"
                                   : s.family == 2 ? "inet"
                                                   : "inet6"},
                        {"state", diag::state_name(s.state)},
                        {"recv_q", s.recv_q},
                        {"send_q", s.send_q},
                        {"local", endpoint_json(s, true)},
                        {"peer", endpoint_json(s, false)},
                        {"inode", s.inode}};
    if (s.family != 1) j["uid"] = s.uid;
    if (!s.users.empty()) j["users"] = users;
    array.push_back(std::move(j));
  }
  return array;
}

diag::Query query_of(const NetstatArgs& a) {
  diag::Query q;
  bool any = a.tcp || a.udp || a.unix_sockets || a.raw;
  q.tcp = a.tcp || !any;
  q.udp = a.udp || !any;
  q.raw = a.raw || !any;
  q.unix_sockets = a.unix_sockets || !any;
  // -4 or -6 alone narrows to that family and leaves out Unix sockets unless -x asks, as ss.
  if (a.ipv4 != a.ipv6) {
    q.ipv4 = a.ipv4;
    q.ipv6 = a.ipv6;
    if (!a.unix_sockets) q.unix_sockets = false;
  }
  q.states = a.all         ? diag::all_states
             : a.listening ? diag::listening_states
                           : diag::connected_states;
  if (!a.states.empty()) {
    q.states = 0;
    for (const auto& word : a.states) q.states |= *diag::parse_states(word);  // checked
  }
  q.processes = a.processes;
  return q;
}

void run(const NetstatArgs& a) {
  diag::Query q = query_of(a);
  int kinds = int{q.tcp} + int{q.udp} + int{q.raw} + int{q.unix_sockets};
  bool terminal = ::isatty(STDOUT_FILENO) != 0;
  for (long shown = 0;; ++shown) {
    auto rows = diag::socket_table(q);
    if (a.json) {
      // One document, or one per line when watching (NDJSON), so a reader can follow along.
      std::puts(to_json(rows).dump(a.watch > 0 ? -1 : 2).c_str());
    } else {
      if (a.watch > 0 && terminal) std::fputs("\033[H\033[2J", stdout);  // clear, as watch(1)
      if (a.watch > 0 && shown > 0 && !terminal) std::fputs("\n", stdout);
      print_table(rows, a, kinds > 1 || q.unix_sockets);  // ss always names Unix kinds
    }
    std::fflush(stdout);
    if (a.watch <= 0 || (a.count > 0 && shown + 1 >= a.count)) break;
    std::this_thread::sleep_for(std::chrono::duration<double>(a.watch));
  }
}

}  // namespace

void add_netstat_command(CLI::App& app) {
  auto args = std::make_shared<NetstatArgs>();
  CLI::App* cmd = app.add_subcommand(
      "netstat",
      "List sockets as ss does (state, queues, addresses, process), from the kernel's "
      "sock_diag netlink interface");
  cmd->footer(
      "Without -t/-u/-w/-x every kind is listed. Without -a/-l only connected sockets.\n"
      "Example: soket netstat -tlnp            # listening TCP sockets and their processes\n"
      "         soket netstat -tan --state established --json\n"
      "         soket netstat -tn --watch 1     # monitor TCP connections every second");
  cmd->add_flag("-t,--tcp", args->tcp, "TCP sockets");
  cmd->add_flag("-u,--udp", args->udp, "UDP sockets");
  cmd->add_flag("-x,--unix", args->unix_sockets, "Unix sockets");
  cmd->add_flag("-w,--raw", args->raw, "raw sockets");
  cmd->add_flag("-l,--listening", args->listening, "only listening (and unconnected) sockets");
  cmd->add_flag("-a,--all", args->all, "sockets in every state");
  cmd->add_flag("-p,--processes", args->processes, "show the processes using each socket");
  cmd->add_flag("-n,--numeric", args->numeric, "numeric ports (no service names)");
  cmd->add_flag("-4,--ipv4", args->ipv4, "IPv4 sockets only");
  cmd->add_flag("-6,--ipv6", args->ipv6, "IPv6 sockets only");
  cmd->add_option("--state", args->states,
                  "only sockets in these states (comma-separated): established, syn-sent, "
                  "syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, "
                  "listening, closing, all, connected, synchronized")
      ->delimiter(',')
      ->check(CLI::Validator(
          [](const std::string& word) {
            return diag::parse_states(word) ? std::string() : "unknown state '" + word + "'";
          },
          "STATE"));
  cmd->add_flag("--json", args->json, "print a JSON array (one per line with --watch)");
  cmd->add_option("--watch", args->watch, "print the table again every SECONDS")
      ->transform(seconds_in(0.01));
  cmd->add_option("--count", args->count, "with --watch: stop after N tables")
      ->transform(count_in(1, 1e9));
  cmd->callback([args] {
    if (args->count > 0 && args->watch <= 0) usage_error("--count needs --watch");
    if (args->all && args->listening) usage_error("-a and -l contradict each other");
    run_command("netstat", [&] { run(*args); });
  });
}

}  // namespace soket::tools
