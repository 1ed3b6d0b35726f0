// SPDX-License-Identifier: MIT
#include <soket/proto/pop3/pop3.hpp>

#include <charconv>
#include <stdexcept>

#include "proto/digest.hpp"
#include "proto/words.hpp"

namespace soket::proto::pop3 {

namespace {

ChannelOptions pop3_options() {
  ChannelOptions o;
  o.name = "pop3";
  o.max_line = MAXLINE;
  return o;
}

LineChannel open(const std::string& host, std::uint16_t port, Timeout timeout,
                 const tls::SSLContext* implicit_tls) {
  LineChannel ch = LineChannel::connect(Address(host, port), timeout, pop3_options());
  if (implicit_tls) ch.starttls(*implicit_tls, host);
  return ch;
}

std::size_t number(std::string_view text, const std::string& line) {
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size())
    throw error_proto("pop3: not a number in the reply: " + line, line);
  return value;
}

}  // namespace

POP3::POP3(const std::string& host, std::uint16_t port, Timeout timeout)
    : POP3(host, port, timeout, nullptr) {}

POP3::POP3(const std::string& host, std::uint16_t port, Timeout timeout,
           const tls::SSLContext* implicit_tls)
    : host_(host),
      channel_(open(host, port, timeout, implicit_tls)),
      tls_established_(implicit_tls != nullptr) {
  welcome_ = getresp();
}

POP3::~POP3() = default;

// Python's _getresp: the status line; anything not starting with '+' is error_proto(line).
std::string POP3::getresp() {
  std::string line;
  try {
    line = channel_.getline();
  } catch (const proto::LineTooLongError& e) {
    throw error_proto(std::string("pop3: line too long (") + e.what() + ")");
  } catch (const proto::EOFError& e) {
    throw error_proto(std::string("pop3: -ERR EOF (") + e.what() + ")");
  }
  if (!line.starts_with('+')) {
    const std::string cmd = channel_.last_command();
    throw error_proto("pop3: " + (cmd.empty() ? std::string("greeting") : cmd) + ": " + line, line);
  }
  return line;
}

std::string POP3::shortcmd(const std::string& line) {
  channel_.write_line(line);
  return getresp();
}

MultiLine POP3::longcmd(const std::string& line) {
  channel_.write_line(line);
  MultiLine out;
  out.response = getresp();
  try {
    channel_.read_dot_block([&](std::string_view each) {
      // Python counts each line with its CRLF, the stuffing dot excluded.
      out.octets += each.size() + 2;
      out.lines.emplace_back(each);
    });
  } catch (const proto::LineTooLongError& e) {
    throw error_proto(std::string("pop3: line too long (") + e.what() + ")");
  } catch (const proto::EOFError& e) {
    throw error_proto(std::string("pop3: -ERR EOF (") + e.what() + ")");
  } catch (const proto::ReplyTooLargeError& e) {
    throw error_proto(e.what());
  }
  return out;
}

std::string POP3::user(const std::string& user) {
  return shortcmd("USER " + user);
}

std::string POP3::pass_(const std::string& password) {
  channel_.write_secret_line("PASS " + password, "PASS");
  return getresp();
}

std::string POP3::apop(const std::string& user, const std::string& password) {
  // Python's r'\+OK.[^<]*(<.*>)': from the first '<' after "+OK " to the last '>'.
  const auto lt = welcome_.size() > 4 ? welcome_.find('<', 4) : std::string::npos;
  const auto gt = welcome_.rfind('>');
  if (!welcome_.starts_with("+OK") || lt == std::string::npos || gt == std::string::npos || gt < lt)
    throw error_proto("pop3: -ERR APOP not supported by server");
  const std::string digest = proto::detail::md5_hex(welcome_.substr(lt, gt - lt + 1) + password);
  channel_.write_secret_line("APOP " + user + " " + digest, "APOP");
  return getresp();
}

std::pair<std::size_t, std::size_t> POP3::stat() {
  const std::string r = shortcmd("STAT");
  const auto w = proto::detail::split_words(r);
  if (w.size() < 3) throw error_proto("pop3: STAT: malformed reply: " + r, r);
  return {number(w[1], r), number(w[2], r)};
}

MultiLine POP3::list() {
  return longcmd("LIST");
}
std::string POP3::list(std::size_t which) {
  return shortcmd("LIST " + std::to_string(which));
}
MultiLine POP3::retr(std::size_t which) {
  return longcmd("RETR " + std::to_string(which));
}
MultiLine POP3::top(std::size_t which, std::size_t howmuch) {
  return longcmd("TOP " + std::to_string(which) + " " + std::to_string(howmuch));
}
MultiLine POP3::uidl() {
  return longcmd("UIDL");
}
std::string POP3::uidl(std::size_t which) {
  return shortcmd("UIDL " + std::to_string(which));
}
std::string POP3::dele(std::size_t which) {
  return shortcmd("DELE " + std::to_string(which));
}
std::string POP3::rset() {
  return shortcmd("RSET");
}
std::string POP3::noop() {
  return shortcmd("NOOP");
}

std::map<std::string, std::vector<std::string>> POP3::capa() {
  MultiLine r;
  try {
    r = longcmd("CAPA");
  } catch (const error_proto& e) {
    if (e.response().empty()) throw;
    throw error_proto("pop3: -ERR CAPA not supported by server", e.response());
  }
  std::map<std::string, std::vector<std::string>> caps;
  for (const auto& line : r.lines) {
    auto w = proto::detail::split_words(line);
    if (w.empty()) continue;
    std::string name = w.front();
    w.erase(w.begin());
    caps[name] = std::move(w);
  }
  return caps;
}

std::string POP3::stls(const tls::SSLContext& context) {
  if (tls_established_) throw error_proto("pop3: -ERR TLS session already established");
  if (!capa().contains("STLS")) throw error_proto("pop3: -ERR STLS not supported by server");
  std::string r = shortcmd("STLS");
  channel_.starttls(context, host_);
  tls_established_ = true;
  return r;
}

std::string POP3::quit() {
  std::string r = shortcmd("QUIT");
  close();
  return r;
}

}  // namespace soket::proto::pop3
