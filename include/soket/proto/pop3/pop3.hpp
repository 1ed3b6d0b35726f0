// SPDX-License-Identifier: MIT
// POP3: Python's poplib.POP3 — status replies, byte-stuffed multi-line replies, CAPA, STLS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <soket/create.hpp>
#include <soket/proto/line_channel.hpp>

namespace soket::proto::pop3 {

inline constexpr std::uint16_t POP3_PORT = 110;
inline constexpr std::uint16_t POP3_SSL_PORT = 995;
/// Python: poplib._MAXLINE: a longer line is error_proto("line too long").
inline constexpr std::size_t MAXLINE = 2048;

/// Python: poplib.error_proto: a "-ERR" reply (response() is the whole line), or a broken
/// exchange (EOF, a line too long, garbage), naming the command.
class error_proto : public std::runtime_error {
 public:
  error_proto(const std::string& message, std::string response = "")
      : std::runtime_error(message), response_(std::move(response)) {}
  /// The server's line ("-ERR no such message"), empty for local errors.
  const std::string& response() const noexcept { return response_; }

 private:
  std::string response_;
};

/// A multi-line reply: Python's (response, [lines], octets).
struct MultiLine {
  std::string response;
  std::vector<std::string> lines;
  std::size_t octets = 0;
};

/// Python: poplib.POP3: connects and reads the greeting (which must start with '+').
/// Replies are returned as the status line; every "-ERR" is error_proto. Timeouts are
/// soket::TimeoutError.
///
/// Thread safety: one thread at a time.
class POP3 {
 public:
  explicit POP3(const std::string& host, std::uint16_t port = POP3_PORT,
                Timeout timeout = global_default_timeout);
  virtual ~POP3();
  POP3(POP3&&) noexcept = default;
  POP3& operator=(POP3&&) noexcept = default;

  /// Python: getwelcome().
  const std::string& getwelcome() const noexcept { return welcome_; }
  void set_debuglevel(int level) { channel_.set_debuglevel(level); }

  std::string user(const std::string& user);
  std::string pass_(const std::string& password);
  /// Python: apop(user, password): "APOP user md5(timestamp + password)" with the
  /// <timestamp> of the greeting (RFC 1939 §7); a greeting without one is
  /// error_proto("-ERR APOP not supported by server"). The password never goes on the wire.
  std::string apop(const std::string& user, const std::string& password);
  /// Python: stat() -> (message count, mailbox size).
  std::pair<std::size_t, std::size_t> stat();
  /// Python: list() / list(which).
  MultiLine list();
  std::string list(std::size_t which);
  MultiLine retr(std::size_t which);
  MultiLine top(std::size_t which, std::size_t howmuch);
  MultiLine uidl();
  std::string uidl(std::size_t which);
  std::string dele(std::size_t which);
  std::string rset();
  std::string noop();
  /// Python: capa() -> {"STLS": [], "SASL": ["PLAIN", "LOGIN"], ...}.
  std::map<std::string, std::vector<std::string>> capa();
  /// Python: stls(context): needs STLS in CAPA, then "+OK", then TLS (server name = host).
  /// Bytes sent before the handshake: proto::TLSInjectionError.
  std::string stls(const tls::SSLContext& context);
  /// Python: quit(): QUIT (the deletions take effect), then close.
  std::string quit();
  void close() noexcept { channel_.close(); }

  LineChannel& channel() noexcept { return channel_; }

 protected:
  POP3(const std::string& host, std::uint16_t port, Timeout timeout,
       const tls::SSLContext* implicit_tls);

 private:
  std::string shortcmd(const std::string& line);
  MultiLine longcmd(const std::string& line);
  std::string getresp();

  std::string host_;
  LineChannel channel_;
  std::string welcome_;
  bool tls_established_ = false;
};

/// Python: poplib.POP3_SSL: TLS from the first byte (port 995).
class POP3_SSL : public POP3 {
 public:
  POP3_SSL(const std::string& host, const tls::SSLContext& context,
           std::uint16_t port = POP3_SSL_PORT, Timeout timeout = global_default_timeout)
      : POP3(host, port, timeout, &context) {}
};

}  // namespace soket::proto::pop3
