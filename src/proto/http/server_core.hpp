// SPDX-License-Identifier: MIT
// ServerCore: the engine handler behind http::Server — one Session per connection, the
// Exchange behind each Response, and the per-loop sweep that enforces the timeouts.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/event/server.hpp>
#include <soket/owned_fd.hpp>
#include <soket/proto/http/parser.hpp>
#include <soket/proto/http/request.hpp>
#include <soket/proto/http/response.hpp>
#include <soket/proto/http/server.hpp>

namespace soket::proto::http::detail {

/// Lets other threads reach the engine while the server lives (Response calls off the loop).
/// Outlives the server (Responses hold it), so a late Response never touches the server.
struct Link {
  std::mutex mutex;
  event::Server* engine = nullptr;
  std::string server_name;  // read-only
};

/// One piece of a response on its way to the connection: up to four byte ranges (head,
/// chunk size, data, chunk end), a file, and whether the response ends with it.
struct Op {
  std::string_view parts[4];
  std::size_t count = 0;
  OwnedFd file;
  std::uint64_t offset = 0, length = 0;
  int status = 0;                // nonzero when the op carries the head
  std::uint64_t body_bytes = 0;  // for the access log
  bool end = false, close = false;
  std::string storage;  // owns the parts when the op is posted to the loop

  void add(std::string_view part) {
    if (!part.empty()) parts[count++] = part;
  }
};

class ServerCore;

/// What a Response handle points to. The front fields are the handler's (touched by one
/// thread at a time); the loop side lives in the Session and is reached through `conn`.
struct Exchange : std::enable_shared_from_this<Exchange> {
  ServerCore* core = nullptr;
  std::shared_ptr<Link> link;
  event::Loop* loop = nullptr;
  std::thread::id loop_thread;
  event::ConnectionId conn;
  std::uint64_t seq = 0;
  bool head_request = false, http10 = false, keep_alive = true;

  int status = 200;
  std::string reason;
  std::string fields;  // "Name: value\r\n" lines
  bool own_date = false, own_server = false;
  std::optional<std::uint64_t> length;
  std::uint64_t written = 0;
  bool head_sent = false, finished = false, chunked = false, until_close = false;

  /// Runs `op` on the loop thread (now, or posted with its bytes copied).
  void submit(Op& op);
};

/// One connection's state.
struct Session {
  explicit Session(Parser p) : parser(std::move(p)) {}
  enum class Phase : std::uint8_t { idle, head, body, busy };

  Parser parser;
  Request request;
  std::string stash;  // input kept while a response is in progress
  std::uint64_t seq = 0;
  Phase phase = Phase::idle;
  event::Clock::time_point since;
  bool busy = false, head_written = false, pumping = false, file_pending = false;
  bool poll_armed = false;
  int status = 0;
  std::uint64_t bytes = 0;
  std::string log_request;  // the request line, when logging
  OwnedFd file;             // a file body in flight
  // Over a transport without sendfile (TLS) the file is read and sent piece by piece, as
  // the client takes it: what is left of it, and whether the connection closes after it.
  std::uint64_t file_offset = 0, file_left = 0;
  bool file_by_read = false, close_after_file = false;
  std::function<void()> drain;
  std::size_t index = 0;  // in its LoopState
  event::ConnectionId id;
  struct LoopState* home = nullptr;
};

struct LoopState {
  event::Loop* loop = nullptr;
  std::vector<Session*> sessions;
  bool sweeping = false;
};

class ServerCore final : public event::Handler {
 public:
  ServerCore(const Address& address, http::Handler handler, ServerOptions options);
  ~ServerCore() override;

  void on_open(event::Connection& c) override;
  void on_data(event::Connection& c, event::Buffer& input) override;
  void on_drain(event::Connection& c) override;
  void on_close(event::Connection& c, std::error_code reason) override;

  /// Loop side of an Op (Exchange::submit lands here).
  void apply(event::Connection& c, const Exchange& ex, Op& op);
  void apply(const Exchange& ex, Op& op);
  bool congested(const Exchange& ex);
  void set_drain(const Exchange& ex, std::function<void()> fn);

  void start();
  void stop(event::Duration drain);

  ServerOptions options_;
  http::Handler handler_;
  std::shared_ptr<Link> link_ = std::make_shared<Link>();
  std::atomic<std::uint64_t> requests_{0};

 private:
  std::size_t pump(event::Connection& c, Session& s, std::string_view input);
  void resume(event::Connection& c, Session& s);
  void take_head(Session& s);
  void dispatch(event::Connection& c, Session& s);
  void finish(event::Connection& c, Session& s, bool close);
  void fail(event::Connection& c, Session& s, int status);
  void log(Session& s);
  void send_file(event::Connection& c, Session& s, Op& op);
  void poll_file(event::Connection& c, Session& s);
  void read_file(event::Connection& c, Session& s);
  void file_done(event::Connection& c, Session& s);
  void sweep(LoopState& ls);
  LoopState& loop_state(event::Loop& loop);

  std::mutex states_mutex_;
  std::unordered_map<std::uint32_t, std::unique_ptr<LoopState>> states_;
  event::Duration sweep_period_;

 public:
  event::Server engine_;  // last: its loops go before the state above
};

/// The server whose loop runs on this thread (set by its first callback there): a late
/// Response on a thread that reuses a dead loop thread's id is not mistaken for one.
extern thread_local const ServerCore* loop_core;

/// The head a Response sends (status line, server's and handler's fields, framing).
void build_head(std::string& out, const Exchange& ex, bool close, std::string_view server_name);

/// "Date: Mon, 30 Nov 2026 03:50:01 GMT\r\n" for now (cached per thread per second).
std::string_view date_field();
/// "[30/Nov/2026:03:50:01 +0000]" for now.
std::string log_time();

}  // namespace soket::proto::http::detail
