// SPDX-License-Identifier: MIT
// `soket client ADDRESS [MESSAGE...]`: the documents' client.py — connect (TCP, UDP or Unix),
// send the message or stdin, print what the server replies.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <soket/io/selector.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct ClientArgs {
  std::string address;
  std::vector<std::string> message;
  std::string proto;  // "" = from the address: unix for paths, tcp otherwise
  double timeout = 0;
};

void write_out(std::string_view data) {
  std::fwrite(data.data(), 1, data.size(), stdout);
  std::fflush(stdout);
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// Stream: send the message (one line) or relay stdin, half-close, print replies until EOF.
void run_stream(Socket& sock, const ClientArgs& args, const Address& peer) {
  if (!args.message.empty()) {
    // A server that answers without reading (greet, daytime) may have closed, even reset,
    // the connection before our message arrived: its reply is what counts, so neither the
    // send nor the half-close failing ends the run; reading tells what happened.
    std::error_code ec;
    std::string line = joined(args.message) + "\n";
    sock.sendall(std::as_bytes(std::span(line)), 0, ec);
    if (!ec) sock.shutdown(Shut::wr, ec);
    bool got_reply = false;
    for (;;) {
      std::string data = sock.recv(65536, 0, ec);
      if (ec == std::errc::connection_reset && got_reply) return;  // after its reply
      if (ec) throw_error(ec, "recv", &peer);
      if (data.empty()) return;
      got_reply = true;
      write_out(data);
    }
  }
  // stdin may be a file, which epoll refuses: poll(2) takes anything.
  selectors::PollSelector sel;
  sel.register_(STDIN_FILENO, selectors::EVENT_READ);
  sel.register_(sock, selectors::EVENT_READ);
  bool stdin_open = true;
  char buf[65536];
  for (;;) {
    auto ready = sel.select(stdin_open ? std::nullopt : sock.gettimeout());
    if (ready.empty())
      throw_error(timed_out_error(), "recv from " + sock.getpeername().to_string());
    for (auto [key, events] : ready) {
      if (key.fd == STDIN_FILENO) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
          stdin_open = false;
          sel.unregister(STDIN_FILENO);
          std::error_code ec;
          sock.shutdown(Shut::wr, ec);  // the server sees EOF, as with nc -N
        } else {
          sock.sendall(std::string_view(buf, static_cast<std::size_t>(n)));
        }
      } else {
        std::string data = sock.recv(sizeof buf);
        if (data.empty()) return;
        write_out(data);
      }
    }
  }
}

// Datagram: one datagram per MESSAGE (all words) or per stdin line; one reply awaited each.
// Returns false if a datagram got no reply.
bool run_dgram(Socket& sock, const ClientArgs& args, const Address& server) {
  std::vector<std::string> datagrams;
  if (!args.message.empty()) {
    datagrams.push_back(joined(args.message));
  } else {
    for (std::string line; std::getline(std::cin, line);) datagrams.push_back(line);
    if (datagrams.empty()) datagrams.emplace_back();  // greet/daytime need a datagram to answer
  }
  if (!sock.gettimeout()) sock.settimeout(std::chrono::seconds(2));
  bool all_answered = true;
  for (const auto& d : datagrams) {
    sock.sendto(d, server);
    std::error_code ec;
    auto [reply, from] = sock.recvfrom(65536, 0, ec);
    if (ec == std::errc::timed_out) {
      std::fprintf(stderr, "soket client: no reply from %s\n", server.to_string().c_str());
      all_answered = false;
      continue;
    }
    if (ec) throw_error(ec, "recvfrom", &server);
    write_out(reply.empty() || reply.back() != '\n' ? reply + "\n" : reply);
  }
  return all_answered;
}

void client(const ClientArgs& args) {
  Address address = Address::parse(args.address);
  std::string proto = args.proto;
  if (proto.empty()) proto = address.family() == Family::unix ? "unix" : "tcp";
  bool unix_family = proto == "unix" || proto == "unixgram";
  if (unix_family && address.family() != Family::unix) address = Address::unix_path(args.address);
  Family family = unix_family                         ? Family::unix
                  : address.family() == Family::inet6 ? Family::inet6
                                                      : Family::inet;
  bool dgram = proto == "udp" || proto == "unixgram";
  Socket sock(family, dgram ? Type::dgram : Type::stream);
  if (args.timeout > 0) sock.settimeout(args.timeout);
  if (dgram) {
    // A Unix datagram client needs a name for the reply to come back to.
    if (unix_family) sock.bind(Address::abstract("soket-client-" + std::to_string(::getpid())));
    // As nc -u: a datagram nobody answered is a failure the exit status shows.
    if (!run_dgram(sock, args, address)) throw CLI::RuntimeError(exit_failure);
    return;
  }
  sock.connect(address);
  run_stream(sock, args, address);
}

}  // namespace

void add_client_command(CLI::App& app) {
  auto args = std::make_shared<ClientArgs>();
  auto* cmd = app.add_subcommand(
      "client", "Connect like the documents' client.py, send MESSAGE (or stdin), print replies");
  cmd->add_option("address", args->address, "HOST:PORT, [v6]:PORT, unix:/path, /path or @abstract")
      ->required()
      ->check(non_empty());
  cmd->add_option("message", args->message, "Words sent as one line (one datagram with UDP)");
  cmd->add_option("--proto", args->proto, "tcp, udp, unix or unixgram (default: from ADDRESS)")
      ->check(CLI::IsMember({"tcp", "udp", "unix", "unixgram"}));
  cmd->add_option("--timeout,-w", args->timeout,
                  "Seconds to wait for connect and for each reply (0: no limit; UDP waits 2 s)")
      ->transform(seconds_in(0));
  cmd->callback([args] { run_command("client", [&] { client(*args); }); });
}

}  // namespace soket::tools
