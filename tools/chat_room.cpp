// SPDX-License-Identifier: MIT
#include "chat_room.hpp"

#include <memory>
#include <utility>

#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>

namespace soket::tools {

using event::Connection;
using event::ConnectionId;

/// One client's state, owned by its connection (context) and used on its loop thread only.
struct ChatRoom::Member {
  std::string nick;  // empty until /nick
  std::string peer;  // for the log: the kernel forgets it after a reset
  bool dropped = false;
};

namespace {

std::span<const std::byte> bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// "cmd rest" -> {"cmd", "rest"}, spaces around rest trimmed.
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
  std::size_t sp = s.find(' ');
  std::string_view word = s.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return {word, rest};
}

}  // namespace

ChatRoom::ChatRoom(ChatOptions options, ServeLog& log)
    : options_(options), log_(log), codec_(io::Framing::delimited("\n", options.max_line)) {}

std::string ChatRoom::invalid_nick(std::string_view nick) {
  if (nick.empty()) return "it is empty";
  if (nick.size() > ChatOptions::max_nick)
    return "it is longer than " + std::to_string(ChatOptions::max_nick) + " bytes";
  for (char ch : nick) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.';
    if (!ok) return "only letters, digits, '_', '-' and '.' are allowed";
  }
  return {};
}

void ChatRoom::send_line(Connection& c, std::string_view line) {
  c.send({bytes(line), bytes("\n")});
}

void ChatRoom::on_open(Connection& c) {
  auto m = std::make_unique<Member>();
  std::error_code ec;
  m->peer = c.peer(ec).repr();
  c.set_context(m.release());
  send_line(c, "* welcome to soket chat: choose a nickname with /nick NAME (/help: commands)");
}

void ChatRoom::on_data(Connection& c, event::Buffer& input) {
  Member& m = **c.context<Member*>();
  // What this read said to the room goes out as one delivery (one send per member, not one
  // per line); a command flushes it first, so the order is kept.
  std::string said;
  std::error_code ec = codec_.decode(c, input, [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // telnet, nc -C
    on_line(c, m, line, said);
  });
  if (!said.empty()) deliver(std::move(said), c.id());
  if (ec) {
    send_line(c, "! line longer than " + std::to_string(options_.max_line) + " bytes: goodbye");
    c.close_after_flush();
  }
}

void ChatRoom::on_line(Connection& c, Member& m, std::string_view line, std::string& said) {
  if (line.starts_with('/')) {
    if (!said.empty()) deliver(std::exchange(said, {}), c.id());
    auto [command, args] = split_word(line);
    if (command == "/nick") {
      set_nick(c, m, args);
    } else if (command == "/who") {
      send_line(c, who());
    } else if (command == "/msg") {
      private_message(c, m, args);
    } else if (command == "/quit") {
      send_line(c, "* bye");
      c.close_after_flush();
    } else if (command == "/help") {
      send_line(c, "* commands: /nick NAME, /who, /msg NICK TEXT, /quit, /help");
    } else {
      send_line(c, "! unknown command " + std::string(command) + " (/help: commands)");
    }
    return;
  }
  if (m.nick.empty()) return send_line(c, "! choose a nickname first: /nick NAME");
  if (line.empty()) return;
  said.append("<").append(m.nick).append("> ").append(line).append("\n");
}

void ChatRoom::set_nick(Connection& c, Member& m, std::string_view nick) {
  if (std::string why = invalid_nick(nick); !why.empty())
    return send_line(c, "! invalid nickname: " + why);
  if (nick == m.nick) return send_line(c, "* you are " + m.nick);
  {
    std::lock_guard lock(mu_);
    if (!nicks_.emplace(std::string(nick), c.id()).second)
      return send_line(c, "! nickname " + std::string(nick) + " is taken");
    if (!m.nick.empty()) nicks_.erase(m.nick);
  }
  std::string old = std::exchange(m.nick, std::string(nick));
  if (old.empty()) {
    send_line(c, "* you are " + m.nick + "; " + who().substr(2));
    deliver("* " + m.nick + " joined\n", c.id());
    log_.out(m.nick + " joined from " + m.peer);
  } else {
    send_line(c, "* you are now " + m.nick);
    deliver("* " + old + " is now known as " + m.nick + "\n", c.id());
    log_.out(old + " is now known as " + m.nick);
  }
}

void ChatRoom::private_message(Connection& c, Member& m, std::string_view args) {
  auto [target, text] = split_word(args);
  if (target.empty() || text.empty()) return send_line(c, "! usage: /msg NICK TEXT");
  if (m.nick.empty()) return send_line(c, "! choose a nickname first: /nick NAME");
  ConnectionId to;
  {
    std::lock_guard lock(mu_);
    auto it = nicks_.find(target);
    if (it == nicks_.end()) return send_line(c, "! no such nickname: " + std::string(target));
    to = it->second;
  }
  std::string line = "*" + m.nick + "* " + std::string(text);
  server_->post(to, [this, line = std::move(line)](Connection& t) {
    send_line(t, line);
    if (Member* tm = *t.context<Member*>(); t.output_size() > options_.max_output) {
      tm->dropped = true;
      t.close();
    }
  });
  send_line(c, "-> *" + std::string(target) + "* " + std::string(text));
}

void ChatRoom::deliver(std::string lines, ConnectionId except) {
  auto shared = std::make_shared<const std::string>(std::move(lines));
  // Runs on every loop at once: it touches only the connection it is given (its own loop's).
  server_->for_each_connection([this, shared, except](Connection& t) {
    Member* tm = *t.context<Member*>();
    if (t.id() == except || tm->nick.empty()) return;
    t.send(*shared);
    // A client that does not read: drop it rather than queue without bound (its output is
    // discarded; the room hears why).
    if (t.output_size() > options_.max_output) {
      tm->dropped = true;
      t.close();
    }
  });
}

std::string ChatRoom::who() {
  std::lock_guard lock(mu_);
  std::string out = "* " + std::to_string(nicks_.size()) + " here:";
  const char* sep = " ";
  for (const auto& [nick, id] : nicks_) {
    out += sep + nick;
    sep = ", ";
  }
  return out;
}

void ChatRoom::on_close(Connection& c, std::error_code) {
  std::unique_ptr<Member> m(*c.context<Member*>());
  if (m->nick.empty()) return;
  {
    std::lock_guard lock(mu_);
    nicks_.erase(m->nick);
  }
  if (m->dropped) {
    deliver("* " + m->nick + " dropped (not reading)\n", c.id());
    log_.out(m->nick + " dropped: not reading");
  } else {
    deliver("* " + m->nick + " left\n", c.id());
    log_.out(m->nick + " left");
  }
}

}  // namespace soket::tools
