// SPDX-License-Identifier: MIT
// ChatRoom: `soket chat-server`'s room on the event engine — nicknames, notices, /nick, /who,
// /msg, /quit — delivered across every loop with Server::for_each_connection.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <soket/event/codec.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/server.hpp>

#include "serve_log.hpp"

namespace soket::tools {

struct ChatOptions {
  std::size_t max_line = 1024;         // bytes per line, '\n' not counted
  std::size_t max_output = 256 << 10;  // bytes queued for one client before it is dropped
  static constexpr std::size_t max_nick = 32;
};

/// The room: one Handler for every connection of a Server. Lines are '\n'-framed (a '\r'
/// before it is dropped, for telnet). A member's own state lives in its connection's context
/// and is touched only on its loop thread; the nickname table is shared under a mutex.
class ChatRoom : public event::Handler {
 public:
  ChatRoom(ChatOptions options, ServeLog& log);
  /// The server whose connections form the room; set before it starts.
  void attach(event::Server& server) { server_ = &server; }

  void on_open(event::Connection& c) override;
  void on_data(event::Connection& c, event::Buffer& input) override;
  void on_close(event::Connection& c, std::error_code reason) override;

  /// Empty if `nick` is acceptable, else why not.
  static std::string invalid_nick(std::string_view nick);

 private:
  struct Member;
  void on_line(event::Connection& c, Member& m, std::string_view line, std::string& said);
  void set_nick(event::Connection& c, Member& m, std::string_view nick);
  void private_message(event::Connection& c, Member& m, std::string_view args);
  /// `lines` (each ending in '\n') to every member with a nickname but `except`, dropping
  /// those that stopped reading.
  void deliver(std::string lines, event::ConnectionId except = {});
  void send_line(event::Connection& c, std::string_view line);
  std::string who();

  ChatOptions options_;
  ServeLog& log_;
  event::Codec codec_;
  event::Server* server_ = nullptr;
  std::mutex mu_;
  std::map<std::string, event::ConnectionId, std::less<>> nicks_;  // guarded by mu_
};

}  // namespace soket::tools
