// SPDX-License-Identifier: MIT
// ServerCore: reading requests off a connection (parser → Request → handler), one at a time
// so that pipelined responses go out in order, and the loop side of each response.
#include "server_core.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

namespace soket::proto::http::detail {

namespace {

Session& session_of(event::Connection& c) {
  return **c.context<Session*>();
}

std::string_view path_of(std::string_view target, TargetForm form) {
  if (form == TargetForm::asterisk) return "*";
  if (form == TargetForm::authority) return {};
  if (form == TargetForm::absolute) {
    auto scheme = target.find("://");
    auto slash = target.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target.substr(0, target.find('?'));
}

void assign(std::vector<Header>& out, std::span<const Field> fields) {
  out.resize(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    out[i].name.assign(fields[i].name);
    out[i].value.assign(fields[i].value);
  }
}

}  // namespace

ServerCore::ServerCore(const Address& address, http::Handler handler, ServerOptions options)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      sweep_period_(std::clamp(
          std::min({options_.header_timeout, options_.body_timeout, options_.keep_alive_timeout}) /
              4,
          event::Duration(std::chrono::milliseconds(10)),
          event::Duration(std::chrono::seconds(1)))),
      engine_(address, *this, [&] {
        event::ServerOptions o = options_.engine;
        o.connection.idle_timeout = event::Duration::zero();  // the sweep below does it
        o.connection.transport = options_.transport;
        return o;
      }()) {
  link_->engine = &engine_;
  link_->server_name = options_.server_name;
}

ServerCore::~ServerCore() = default;

void ServerCore::start() {
  engine_.start();
}

void ServerCore::stop(event::Duration drain) {
  engine_.stop(drain);
  std::lock_guard lock(link_->mutex);
  link_->engine = nullptr;
}

LoopState& ServerCore::loop_state(event::Loop& loop) {
  std::lock_guard lock(states_mutex_);
  auto& slot = states_[loop.id()];
  if (!slot) {
    slot = std::make_unique<LoopState>();
    slot->loop = &loop;
  }
  return *slot;
}

thread_local const ServerCore* loop_core = nullptr;

void ServerCore::on_open(event::Connection& c) {
  loop_core = this;
  LoopState& ls = loop_state(c.loop());
  auto s = std::make_unique<Session>(Parser(Parser::Kind::request, options_.limits));
  s->parser.allow_unknown_methods(options_.allow_unknown_methods);
  std::error_code ec;
  s->request.peer = c.peer(ec);
  s->since = c.loop().now();
  s->home = &ls;
  s->id = c.id();
  s->index = ls.sessions.size();
  ls.sessions.push_back(s.get());
  c.set_context(s.release());
  if (!ls.sweeping) {
    ls.sweeping = true;
    c.loop().call_every(sweep_period_, [this, &ls] { sweep(ls); });
  }
}

void ServerCore::on_close(event::Connection& c, std::error_code) {
  Session** p = c.context<Session*>();
  if (!p || !*p) return;
  std::unique_ptr<Session> s(*p);
  c.set_context(static_cast<Session*>(nullptr));
  LoopState& ls = *s->home;
  ls.sessions[s->index] = ls.sessions.back();
  ls.sessions[s->index]->index = s->index;
  ls.sessions.pop_back();
}

void ServerCore::on_data(event::Connection& c, event::Buffer& input) {
  Session& s = session_of(c);
  if (s.busy || s.file_pending || !s.stash.empty()) {
    // A response is in progress (or waits for its file to go out): keep the bytes for later
    // and stop reading, so a pipelining client cannot make us hold more than one read.
    s.stash.append(input.view());
    input.retrieve_all();
    if (s.file_pending) poll_file(c, s);
    if (c.is_open() && (s.busy || s.file_pending))
      c.pause_reading();
    else if (c.is_open())
      resume(c, s);
    return;
  }
  const event::ConnectionId id = c.id();
  std::size_t used = pump(c, s, input.view());
  if (!c.is_open() || c.id() != id) return;
  input.retrieve(used);
  if (!input.empty() && (s.busy || s.file_pending || c.congested())) {
    s.stash.assign(input.view());
    input.retrieve_all();
    c.pause_reading();
  } else if (s.busy) {
    c.pause_reading();
  }
}

void ServerCore::on_drain(event::Connection& c) {
  Session& s = session_of(c);
  if (s.drain) {
    auto fn = std::move(s.drain);
    s.drain = nullptr;
    fn();
    if (!c.is_open()) return;
  }
  if (s.file_pending) poll_file(c, s);
  if (c.is_open() && !s.busy && !s.file_pending) resume(c, s);
}

// Parses and answers requests from `input` until it runs out, a response is left in progress,
// or the client stops reading. Returns the bytes used.
std::size_t ServerCore::pump(event::Connection& c, Session& s, std::string_view input) {
  const event::ConnectionId id = c.id();
  std::size_t off = 0;
  s.pumping = true;
  while (!s.busy && !s.file_pending && !c.congested()) {
    Result r = s.parser.parse(input.substr(off));
    off += r.consumed;
    switch (r.event) {
      case Event::need_more:
        if (s.parser.in_message() && s.phase == Session::Phase::idle) {
          s.phase = Session::Phase::head;  // the head timeout counts from its first byte
          s.since = c.loop().now();
        }
        s.pumping = false;
        return off;
      case Event::head:
        take_head(s);
        s.phase = Session::Phase::body;
        s.since = c.loop().now();
        if (s.parser.request().expect_continue) c.send("HTTP/1.1 100 Continue\r\n\r\n");
        break;
      case Event::body: s.request.body.append(r.data); break;
      case Event::end:
        assign(s.request.trailers, s.parser.trailers());
        dispatch(c, s);
        if (!c.is_open() || c.id() != id) return off;
        break;
      case Event::error: fail(c, s, status_of(s.parser.error())); return off;
    }
  }
  s.pumping = false;
  return off;
}

// Goes on with the stashed input after a response completed off the pump.
void ServerCore::resume(event::Connection& c, Session& s) {
  const event::ConnectionId id = c.id();
  if (!s.stash.empty()) {
    std::string input = std::move(s.stash);
    s.stash.clear();
    std::size_t used = pump(c, s, input);
    if (!c.is_open() || c.id() != id) return;
    s.stash.assign(input, used);
  }
  if (!s.busy && !s.file_pending && s.stash.empty()) c.resume_reading();
}

void ServerCore::take_head(Session& s) {
  const RequestHead& h = s.parser.request();
  Request& r = s.request;
  r.method.assign(h.method);
  r.target.assign(h.target);
  r.path.assign(path_of(h.target, h.form));
  auto q = h.target.find('?');
  r.query.assign(q == std::string_view::npos ? std::string_view() : h.target.substr(q + 1));
  r.host.assign(h.host);
  r.version = h.version;
  assign(r.headers, h.fields);
  r.body.clear();
  r.trailers.clear();
  // An upgrade is not offered: answer, then close (the bytes after it are not HTTP).
  r.keep_alive = h.keep_alive && !h.upgrade;
  if (options_.access_log) {
    s.log_request.assign(h.method).append(" ").append(h.target);
    s.log_request.append(h.version.minor == 0 ? " HTTP/1.0" : " HTTP/1.1");
  }
}

void ServerCore::dispatch(event::Connection& c, Session& s) {
  const event::ConnectionId id = c.id();
  ++s.seq;
  s.busy = true;
  s.head_written = false;
  s.status = 0;
  s.bytes = 0;
  s.phase = Session::Phase::busy;
  auto ex = std::make_shared<Exchange>();
  ex->core = this;
  ex->link = link_;
  ex->loop = &c.loop();
  ex->loop_thread = std::this_thread::get_id();
  ex->conn = id;
  ex->seq = s.seq;
  ex->head_request = s.request.method == "HEAD";
  ex->http10 = s.request.version.major == 1 && s.request.version.minor == 0;
  ex->keep_alive = s.request.keep_alive;
  Response res(ex);
  try {
    handler_(s.request, res);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soket http: handler for %s %s: %s\n", s.request.method.c_str(),
                 s.request.target.c_str(), e.what());
    if (!c.is_open() || c.id() != id || !s.busy || s.seq != ex->seq) return;
    if (s.head_written) return c.close();  // half a response: only closing tells the client
    fail(c, s, 500);
  }
}

void ServerCore::apply(const Exchange& ex, Op& op) {
  if (event::Connection* c = ex.loop->find(ex.conn)) apply(*c, ex, op);
}

void ServerCore::apply(event::Connection& c, const Exchange& ex, Op& op) {
  Session** p = c.context<Session*>();
  if (!p || !*p) return;
  Session& s = **p;
  if (!s.busy || s.seq != ex.seq) return;  // an answer to a request that is over
  if (op.status != 0) {
    s.head_written = true;
    s.status = op.status;
  }
  s.bytes += op.body_bytes;
  auto b = [&](std::size_t i) {
    return std::span(reinterpret_cast<const std::byte*>(op.parts[i].data()), op.parts[i].size());
  };
  switch (op.count) {
    case 0: break;
    case 1: c.send(b(0)); break;
    case 2: c.send({b(0), b(1)}); break;
    case 3: c.send({b(0), b(1), b(2)}); break;
    default: c.send({b(0), b(1), b(2), b(3)}); break;
  }
  if (!c.is_open()) return;
  if (op.file) {
    send_file(c, s, op);
    if (!c.is_open()) return;
  }
  if (op.end) finish(c, s, op.close);
}

bool ServerCore::congested(const Exchange& ex) {
  event::Connection* c = ex.loop->find(ex.conn);
  return c && c->congested();
}

void ServerCore::set_drain(const Exchange& ex, std::function<void()> fn) {
  if (event::Connection* c = ex.loop->find(ex.conn)) {
    Session& s = session_of(*c);
    if (s.seq == ex.seq) s.drain = std::move(fn);
  }
}

void ServerCore::finish(event::Connection& c, Session& s, bool close) {
  s.busy = false;
  s.drain = nullptr;
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (options_.access_log) log(s);
  if (close && s.file_pending && s.file_by_read) {
    s.close_after_file = true;  // the rest of the file is still to be read and queued
    return;
  }
  if (close) return c.close_after_flush();
  s.phase = Session::Phase::idle;
  s.since = c.loop().now();
  if (!s.pumping && !s.file_pending) resume(c, s);  // completed later: go on by ourselves
}

// A request that cannot be answered by the handler: a one-line body, then close (after a
// parse error nothing more on the connection can be trusted, RFC 9112 §6.3).
void ServerCore::fail(event::Connection& c, Session& s, int status) {
  auto reason = reason_phrase(status);
  std::string body = std::to_string(status) + " " + std::string(reason) + "\n";
  Exchange ex;
  ex.status = status;
  ex.keep_alive = status == 500 && s.request.keep_alive;
  ex.length = body.size();
  ex.fields = "Content-Type: text/plain; charset=utf-8\r\n";
  std::string head;
  build_head(head, ex, !ex.keep_alive, options_.server_name);
  head += body;
  c.send(head);
  if (!s.busy) {  // a parse error or a timeout: log what there is
    ++s.seq;
    s.busy = true;
  }
  s.status = status;
  s.bytes = body.size();
  finish(c, s, !ex.keep_alive);
}

void build_head(std::string& out, const Exchange& ex, bool close, std::string_view server_name) {
  out.reserve(256 + ex.fields.size());
  out.append("HTTP/1.1 ").append(std::to_string(ex.status)).append(" ");
  out.append(ex.reason.empty() ? reason_phrase(ex.status) : std::string_view(ex.reason));
  out.append("\r\n");
  if (!ex.own_date) out.append(date_field());
  if (!ex.own_server && !server_name.empty())
    out.append("Server: ").append(server_name).append("\r\n");
  out.append(ex.fields);
  const bool bodiless = ex.status < 200 || ex.status == 204 || ex.status == 304;
  if (ex.chunked)
    out.append("Transfer-Encoding: chunked\r\n");
  else if (ex.length && !bodiless)
    out.append("Content-Length: ").append(std::to_string(*ex.length)).append("\r\n");
  if (close)
    out.append("Connection: close\r\n");
  else if (ex.http10)
    out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
}

void ServerCore::log(Session& s) {
  std::string host = s.request.peer.is_inet() ? s.request.peer.host() : std::string("-");
  std::string line = host + " - - " + log_time() + " \"" +
                     (s.log_request.empty() ? std::string("-") : s.log_request) + "\" " +
                     std::to_string(s.status) + " " +
                     (s.bytes ? std::to_string(s.bytes) : std::string("-"));
  s.log_request.clear();
  options_.access_log(line);
}

// Closes the connections whose phase has lasted too long: idle ones quietly (keep-alive),
// those in a head or body with 408.
void ServerCore::sweep(LoopState& ls) {
  const auto now = ls.loop->now();
  std::vector<event::ConnectionId> due;
  for (Session* s : ls.sessions) {
    event::Duration limit = s->phase == Session::Phase::idle   ? options_.keep_alive_timeout
                            : s->phase == Session::Phase::head ? options_.header_timeout
                            : s->phase == Session::Phase::body ? options_.body_timeout
                                                               : event::Duration::zero();
    if (limit > event::Duration::zero() && now - s->since >= limit) due.push_back(s->id);
  }
  for (event::ConnectionId id : due) {
    event::Connection* c = ls.loop->find(id);
    if (!c) continue;
    Session& s = session_of(*c);
    if (s.phase == Session::Phase::idle) {
      if (s.stash.empty() && !s.file_pending) c->close_after_flush();
    } else if (!s.busy) {
      fail(*c, s, 408);
    }
  }
}

}  // namespace soket::proto::http::detail
