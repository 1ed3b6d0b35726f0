// SPDX-License-Identifier: MIT
// `soket chat HOST PORT`: a client for `soket chat-server` (or any '\n' line protocol): lines
// typed go to the room, lines from the room are printed; end of input leaves politely.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include <soket/io/framing.hpp>
#include <soket/io/selector.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct ChatArgs {
  std::string host, port, nick;
  std::size_t max_line = 1024;
  double timeout = 10;
};

void write_out(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Sends each whole line of `pending` (framed), keeping a partial one for later.
void send_lines(Socket& sock, const io::Framing& lines, std::string& pending) {
  std::string_view rest = pending;
  std::string out;
  for (;;) {
    auto d = lines.decode(rest);
    if (d.status == io::Framing::Decoded::Status::too_long)
      throw std::runtime_error("a line typed is longer than " + std::to_string(lines.max_size()) +
                               " bytes (--max-line)");
    if (d.status != io::Framing::Decoded::Status::message) break;
    out += lines.encode(d.payload);
    rest.remove_prefix(d.consumed);
  }
  if (!out.empty()) sock.sendall(out);
  pending.erase(0, pending.size() - rest.size());
}

void chat(const ChatArgs& args) {
  const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(args.timeout));
  const Address server(args.host, static_cast<std::uint16_t>(std::stoul(args.port)));
  Socket sock = create_connection(server, wait);
  sock.settimeout(std::nullopt);
  // The room's lines are as long as a line plus a nickname; allow for notices and lists.
  const io::Framing incoming = io::Framing::delimited("\n", 1 << 20);
  const io::Framing outgoing = io::Framing::delimited("\n", args.max_line);
  if (!args.nick.empty()) sock.sendall(outgoing.encode("/nick " + args.nick));

  selectors::PollSelector sel;  // poll(2): stdin may be a file, which epoll refuses
  sel.register_(STDIN_FILENO, selectors::EVENT_READ);
  sel.register_(sock, selectors::EVENT_READ);
  std::string typed, received;
  char buf[65536];
  for (;;) {
    for (auto [key, events] : sel.select()) {
      if (key.fd == STDIN_FILENO) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0) {
          typed.append(buf, static_cast<std::size_t>(n));
          send_lines(sock, outgoing, typed);
          continue;
        }
        // End of input: the last line without '\n' still goes, then the server sees EOF,
        // says goodbye to the room and closes; its last lines are printed below.
        if (!typed.empty()) {
          typed += '\n';
          send_lines(sock, outgoing, typed);
        }
        sel.unregister(STDIN_FILENO);
        sock.shutdown(Shut::wr);
        continue;
      }
      std::string data = sock.recv(sizeof buf);
      if (data.empty()) {
        if (!received.empty()) write_out(received);
        return;
      }
      received += data;
      std::string_view rest = received;
      for (auto d = incoming.decode(rest); d.status == io::Framing::Decoded::Status::message;
           d = incoming.decode(rest)) {
        write_out(d.payload.ends_with('\r') ? d.payload.substr(0, d.payload.size() - 1)
                                            : d.payload);
        rest.remove_prefix(d.consumed);
      }
      if (incoming.decode(rest).status == io::Framing::Decoded::Status::too_long)
        throw std::runtime_error("the server sent a line longer than 1 MiB");
      received.erase(0, received.size() - rest.size());
    }
  }
}

}  // namespace

void add_chat_command(CLI::App& app) {
  auto args = std::make_shared<ChatArgs>();
  auto* cmd = app.add_subcommand("chat", "Join a chat room (soket chat-server) from the terminal");
  cmd->footer(
      "Example:\n  soket chat 127.0.0.1 7000 --nick ana\n"
      "Type lines to talk; /who, /msg NICK TEXT, /nick NAME, /quit. End of input (Ctrl-D) "
      "leaves.");
  cmd->add_option("host", args->host, "Server host")->required()->check(non_empty());
  cmd->add_option("port", args->port, "Server port")->required()->transform(count_in(1, 65535));
  cmd->add_option("--nick,-n", args->nick, "Nickname to take on joining (sends /nick NAME)")
      ->check(non_empty());
  cmd->add_option("--max-line", args->max_line, "Longest line to send (default 1024)")
      ->transform(count_in(1, 1 << 20));
  cmd->add_option("--timeout,-w", args->timeout, "Seconds to wait for the connection (10)")
      ->transform(seconds_in(0.001));
  cmd->callback([args] { run_command("chat", [&] { chat(*args); }); });
}

}  // namespace soket::tools
