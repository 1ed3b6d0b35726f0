// SPDX-License-Identifier: MIT
#include <soket/proto/imap/imap4.hpp>

#include <algorithm>
#include <random>

#include <soket/proto/base64.hpp>

#include "proto/words.hpp"

namespace soket::proto::imap {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

LineChannel open(const std::string& host, std::uint16_t port, Timeout timeout,
                 const tls::SSLContext* implicit_tls) {
  ChannelOptions o;
  o.name = "imap";
  o.max_line = MAXLINE;
  LineChannel ch = LineChannel::connect(Address(host, port), timeout, o);
  if (implicit_tls) ch.starttls(*implicit_tls, host);
  return ch;
}

std::vector<std::string> upper_words(std::string_view s) {
  std::vector<std::string> out = proto::detail::split_words(s);
  for (auto& w : out) w = upper(w);
  return out;
}

// Python's append: every line ending becomes CRLF.
std::string crlf(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32);
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<const Response*> Result::responses(std::string_view wanted) const {
  std::vector<const Response*> out;
  for (const auto& r : untagged)
    if (r.type == wanted) out.push_back(&r);
  return out;
}

IMAP4::IMAP4(const std::string& host, std::uint16_t port, Timeout timeout)
    : IMAP4(host, port, timeout, nullptr) {}

IMAP4::IMAP4(const std::string& host, std::uint16_t port, Timeout timeout,
             const tls::SSLContext* implicit_tls)
    : host_(host), channel_(open(host, port, timeout, implicit_tls)) {
  std::random_device rd;
  tagpre_ = Int2AP(4096 + rd() % (65536 - 4096));
  const Response greeting = read_response();
  welcome_ = "* " + greeting.type;
  if (!greeting.code.empty())
    welcome_ +=
        " [" + greeting.code + (greeting.code_args.empty() ? "" : " ") + greeting.code_args + "]";
  if (!greeting.text.empty()) welcome_ += " " + greeting.text;
  if (greeting.kind == Response::Kind::untagged && greeting.type == "OK") {
    state_ = "NONAUTH";
  } else if (greeting.kind == Response::Kind::untagged && greeting.type == "PREAUTH") {
    state_ = "AUTH";
  } else {
    channel_.close();
    throw error("imap: unexpected greeting: " + welcome_);
  }
  absorb(greeting);
  pending_.clear();
  if (capabilities_.empty()) read_capabilities();
  if (!has_capability("IMAP4REV1") && !has_capability("IMAP4")) {
    channel_.close();
    throw error("imap: server not IMAP4 compliant");
  }
}

IMAP4::~IMAP4() = default;

bool IMAP4::has_capability(std::string_view name) const {
  return std::find(capabilities_.begin(), capabilities_.end(), upper(name)) != capabilities_.end();
}

void IMAP4::read_capabilities() {
  const Result r = command("CAPABILITY");
  if (r.type != "OK") throw error("imap: CAPABILITY refused: " + r.text);
}

std::string IMAP4::new_tag() {
  return tagpre_ + std::to_string(tagnum_++);
}

Response IMAP4::read_response() {
  std::string wire;
  try {
    std::string line = channel_.readline();
    // Python: every line must end with CRLF.
    if (!line.ends_with("\r\n")) throw abort("imap: socket error: unterminated line: " + line);
    line.resize(line.size() - 2);
    wire = line;
    while (const auto n = literal_size(line)) {
      wire += "\r\n";
      wire += channel_.read_exact(*n);
      line = channel_.readline();
      if (!line.ends_with("\r\n")) throw abort("imap: socket error: unterminated line: " + line);
      line.resize(line.size() - 2);
      wire += line;
    }
  } catch (const proto::LineTooLongError& e) {
    channel_.close();
    throw error("imap: got more than " + std::to_string(e.limit()) + " bytes");
  } catch (const proto::ProtocolError& e) {
    channel_.close();
    throw abort(std::string("imap: socket error: ") + e.what());
  } catch (const ResponseError& e) {
    channel_.close();
    throw abort(e.what());
  }
  try {
    return parse_response(wire);
  } catch (const ResponseError& e) {
    channel_.close();
    throw abort(e.what());
  }
}

void IMAP4::absorb(const Response& r) {
  if (r.code == "CAPABILITY") capabilities_ = upper_words(r.code_args);
  if (r.type == "CAPABILITY") {
    capabilities_.clear();
    for (const auto& v : r.data) capabilities_.push_back(upper(v.text));
  }
  if (r.type == "EXISTS" && r.number) exists_ = *r.number;
}

void IMAP4::check_state(const std::string& name, std::initializer_list<const char*> states) const {
  std::string allowed;
  for (const char* s : states) {
    if (state_ == s) return;
    allowed += allowed.empty() ? "" : ", ";
    allowed += s;
  }
  throw error("imap: command " + name + " illegal in state " + state_ +
              ", only allowed in states " + allowed);
}

std::string IMAP4::send_command(const std::string& name, const std::string& args, bool secret) {
  std::string tag = new_tag();
  const std::string line = tag + " " + name + (args.empty() ? "" : " " + args);
  try {
    if (secret)
      channel_.write_secret_line(line, name);
    else
      channel_.write_line(line, name);
  } catch (const proto::ProtocolError& e) {
    throw abort(std::string("imap: socket error: ") + e.what());
  }
  return tag;
}

Result IMAP4::command_complete(const std::string& tag, const std::string& name) {
  Result result;
  result.untagged = std::move(pending_);
  pending_.clear();
  for (;;) {
    Response r = read_response();
    if (r.kind == Response::Kind::continuation)
      throw abort("imap: " + name + ": unexpected continuation: " + r.text);
    absorb(r);
    if (r.kind == Response::Kind::untagged) {
      if (r.type == "BYE" && name != "LOGOUT") {
        channel_.close();
        throw abort("imap: " + name + ": server said BYE: " + r.text);
      }
      result.untagged.push_back(std::move(r));
      continue;
    }
    if (r.tag != tag) throw abort("imap: " + name + ": unexpected tagged response: " + r.tag);
    if (r.type == "BAD") throw error("imap: " + name + " command error: BAD " + r.text);
    result.type = r.type;
    result.code = r.code;
    result.code_args = r.code_args;
    result.text = r.text;
    return result;
  }
}

Result IMAP4::command(const std::string& name, const std::string& args, bool secret) {
  const std::string tag = send_command(name, args, secret);
  return command_complete(tag, name);
}

Result IMAP4::simple_command(const std::string& name, const std::string& args) {
  return command(upper(name), args);
}

Result IMAP4::capability() {
  return command("CAPABILITY");
}
Result IMAP4::noop() {
  return command("NOOP");
}

Result IMAP4::login(const std::string& user, const std::string& password) {
  check_state("LOGIN", {"NONAUTH"});
  Result r = command("LOGIN", quote(user) + " " + quote(password), true);
  if (r.type != "OK") throw error("imap: LOGIN failed: " + r.text);
  state_ = "AUTH";
  return r;
}

Result IMAP4::authenticate_plain(const std::string& user, const std::string& password) {
  check_state("AUTHENTICATE", {"NONAUTH"});
  const std::string tag = send_command("AUTHENTICATE", "PLAIN");
  for (;;) {
    Response r = read_response();
    if (r.kind == Response::Kind::continuation) break;
    if (r.kind == Response::Kind::tagged) {
      if (r.type == "BAD") throw error("imap: AUTHENTICATE command error: BAD " + r.text);
      throw error("imap: AUTHENTICATE refused: " + r.text);
    }
    absorb(r);
    pending_.push_back(std::move(r));
  }
  channel_.write_secret_line(b64encode(std::string(1, '\0') + user + '\0' + password),
                             "AUTHENTICATE");
  Result r = command_complete(tag, "AUTHENTICATE");
  if (r.type != "OK") throw error("imap: AUTHENTICATE failed: " + r.text);
  state_ = "AUTH";
  return r;
}

Result IMAP4::starttls(const tls::SSLContext& context) {
  check_state("STARTTLS", {"NONAUTH"});
  if (channel_.is_tls()) throw abort("imap: TLS session already established");
  if (!has_capability("STARTTLS")) throw abort("imap: TLS not supported by server");
  Result r = command("STARTTLS");
  if (r.type != "OK") throw error("imap: Couldn't establish TLS session: " + r.text);
  channel_.starttls(context, host_);
  capabilities_.clear();  // RFC 3501 §6.2.1: ask again over TLS
  read_capabilities();
  return r;
}

Result IMAP4::select(const std::string& mailbox, bool read_only) {
  const std::string name = read_only ? "EXAMINE" : "SELECT";
  check_state(name, {"AUTH", "SELECTED"});
  exists_ = 0;
  Result r = command(name, quote(mailbox));
  if (r.type != "OK") {
    state_ = "AUTH";
    return r;
  }
  state_ = "SELECTED";
  readonly_ = r.code == "READ-ONLY";
  if (readonly_ && !read_only) throw IMAP4::readonly("imap: " + mailbox + " is not writable");
  return r;
}

std::vector<std::uint32_t> IMAP4::search(const std::string& criteria,
                                         const std::optional<std::string>& charset, bool uid) {
  check_state("SEARCH", {"SELECTED"});
  std::string args = charset ? "CHARSET " + *charset + " " + criteria : criteria;
  const Result r = uid ? command("UID", "SEARCH " + args) : command("SEARCH", args);
  if (r.type != "OK") throw error("imap: SEARCH failed: " + r.text);
  std::vector<std::uint32_t> out;
  for (const Response* each : r.responses("SEARCH"))
    for (const Value& v : each->data)
      if (v.kind == Value::Kind::number && v.number <= 0xffffffffu)
        out.push_back(static_cast<std::uint32_t>(v.number));
  return out;
}

Result IMAP4::fetch(const std::string& message_set, const std::string& message_parts, bool uid) {
  check_state("FETCH", {"SELECTED"});
  const std::string args = message_set + " " + message_parts;
  return uid ? command("UID", "FETCH " + args) : command("FETCH", args);
}

Result IMAP4::store(const std::string& message_set, const std::string& command_name,
                    const std::string& flags, bool uid) {
  check_state("STORE", {"SELECTED"});
  std::string f = flags;
  if (!f.starts_with('(')) f = "(" + f + ")";  // Python wraps the flags in parentheses
  const std::string args = message_set + " " + command_name + " " + f;
  return uid ? command("UID", "STORE " + args) : command("STORE", args);
}

Result IMAP4::copy(const std::string& message_set, const std::string& mailbox, bool uid) {
  check_state("COPY", {"SELECTED"});
  const std::string args = message_set + " " + quote(mailbox);
  return uid ? command("UID", "COPY " + args) : command("COPY", args);
}

Result IMAP4::expunge() {
  check_state("EXPUNGE", {"SELECTED"});
  return command("EXPUNGE");
}

Result IMAP4::close_mailbox() {
  check_state("CLOSE", {"SELECTED"});
  Result r = command("CLOSE");
  state_ = "AUTH";
  return r;
}

Result IMAP4::list(const std::string& directory, const std::string& pattern) {
  check_state("LIST", {"AUTH", "SELECTED"});
  return command("LIST", directory + " " + pattern);
}

Result IMAP4::create(const std::string& mailbox) {
  check_state("CREATE", {"AUTH", "SELECTED"});
  return command("CREATE", quote(mailbox));
}

Result IMAP4::delete_(const std::string& mailbox) {
  check_state("DELETE", {"AUTH", "SELECTED"});
  return command("DELETE", quote(mailbox));
}

Result IMAP4::append(const std::string& mailbox, const std::string& flags,
                     const std::string& date_time, std::string_view message) {
  check_state("APPEND", {"AUTH", "SELECTED"});
  const std::string body = crlf(message);
  std::string args = quote(mailbox);
  if (!flags.empty()) args += flags.starts_with('(') ? " " + flags : " (" + flags + ")";
  if (!date_time.empty())
    args += " " + (date_time.starts_with('"') ? date_time : "\"" + date_time + "\"");
  args += " {" + std::to_string(body.size()) + "}";
  const std::string tag = send_command("APPEND", args);
  // A synchronizing literal: the message goes only after the server's "+".
  for (;;) {
    Response r = read_response();
    if (r.kind == Response::Kind::continuation) break;
    absorb(r);
    if (r.kind == Response::Kind::tagged) {
      if (r.tag != tag) throw abort("imap: APPEND: unexpected tagged response: " + r.tag);
      if (r.type == "BAD") throw error("imap: APPEND command error: BAD " + r.text);
      Result refused;
      refused.type = r.type;
      refused.code = r.code;
      refused.code_args = r.code_args;
      refused.text = r.text;
      refused.untagged = std::move(pending_);
      pending_.clear();
      return refused;
    }
    pending_.push_back(std::move(r));
  }
  channel_.send(body + "\r\n");
  return command_complete(tag, "APPEND");
}

std::vector<Response> IMAP4::idle(std::chrono::nanoseconds duration, bool return_on_first) {
  check_state("IDLE", {"AUTH", "SELECTED"});
  if (!has_capability("IDLE")) throw error("imap: IDLE not supported by server");
  const auto deadline = std::chrono::steady_clock::now() + duration;
  const std::string tag = send_command("IDLE", "");
  std::vector<Response> pushed;
  for (;;) {
    Response r = read_response();
    if (r.kind == Response::Kind::continuation) break;
    absorb(r);
    if (r.kind == Response::Kind::tagged) {
      if (r.type == "BAD") throw error("imap: IDLE command error: BAD " + r.text);
      throw error("imap: IDLE refused: " + r.text);
    }
    pushed.push_back(std::move(r));
  }
  while (pushed.empty() || !return_on_first) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) break;
    std::optional<std::string> line;
    try {
      line = channel_.getline_within(std::chrono::duration_cast<std::chrono::nanoseconds>(left));
    } catch (const proto::ProtocolError& e) {
      channel_.close();
      throw abort(std::string("imap: socket error: ") + e.what());
    }
    if (!line) break;
    std::string wire = *line;
    std::string last = *line;
    while (const auto n = literal_size(last)) {
      wire += "\r\n" + channel_.read_exact(*n);
      last = channel_.getline();
      wire += last;
    }
    Response r;
    try {
      r = parse_response(wire);
    } catch (const ResponseError& e) {
      channel_.close();
      throw abort(e.what());
    }
    absorb(r);
    if (r.kind != Response::Kind::untagged) throw abort("imap: IDLE: unexpected response: " + wire);
    if (r.type == "BYE") {
      channel_.close();
      throw abort("imap: IDLE: server said BYE: " + r.text);
    }
    pushed.push_back(std::move(r));
  }
  channel_.write_line("DONE");
  Result done = command_complete(tag, "IDLE");
  for (auto& r : done.untagged) pushed.push_back(std::move(r));
  return pushed;
}

Result IMAP4::logout() {
  state_ = "LOGOUT";
  Result r;
  try {
    r = command("LOGOUT");
  } catch (const abort&) {
    r.type = "BYE";  // the server hung up after its BYE: Python treats that as done
  }
  channel_.close();
  if (!r.responses("BYE").empty()) r.type = "BYE";
  return r;
}

}  // namespace soket::proto::imap
