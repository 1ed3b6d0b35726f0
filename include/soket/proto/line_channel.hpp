// SPDX-License-Identifier: MIT
// LineChannel: the text-protocol plumbing every line-based client shares (SMTP, POP3, IMAP4,
// FTP's control connection, NNTP, Gopher): connect with a timeout, CRLF lines read under a cap,
// commands written as one line, dot-stuffed blocks both ways, exact-size reads (IMAP
// literals), the upgrade to TLS mid-stream (STARTTLS/STLS/AUTH TLS) and Python's debuglevel.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <soket/address.hpp>
#include <soket/socket.hpp>
#include <soket/tls/context.hpp>
#include <soket/tls/ssl_socket.hpp>

namespace soket::proto {

/// The server broke the protocol's framing (Python's modules raise their own error_proto,
/// IMAP4.abort...; each client here maps these to its own types). what() names the channel
/// and the command whose reply was being read.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Python: EOFError — the server closed the connection where a reply (or the rest of one) was
/// due.
class EOFError : public ProtocolError {
 public:
  using ProtocolError::ProtocolError;
};

/// A reply line longer than the channel's max_line (Python: each module's _MAXLINE).
class LineTooLongError : public ProtocolError {
 public:
  LineTooLongError(const std::string& message, std::size_t limit)
      : ProtocolError(message), limit_(limit) {}
  std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
};

/// A multi-line reply (dot-terminated block, literal) larger than allowed.
class ReplyTooLargeError : public ProtocolError {
 public:
  using ProtocolError::ProtocolError;
};

/// starttls() found bytes already received after the server's go-ahead: they were sent in
/// plain text before the handshake, so an attacker on the path could have injected them
/// (CVE-2011-0411 and its many twins). The channel refuses to go on.
class TLSInjectionError : public ProtocolError {
 public:
  using ProtocolError::ProtocolError;
};

/// How a LineChannel behaves; each protocol client fills it with its Python module's limits.
struct ChannelOptions {
  /// Names the channel in errors and debug output: "smtp", "pop3", "imap"...
  std::string name = "line";
  /// Longest line accepted, terminator included (Python's _MAXLINE; smtplib 8192, poplib
  /// 2048, imaplib 1000000, ftplib 8192, nntplib 2048).
  std::size_t max_line = 8192;
  /// Largest dot-terminated block or literal read_dot_block/read_exact accepts.
  std::size_t max_block = std::size_t{64} << 20;
};

/// Python's `(?m)^\.` → `..` on a message body, each line ended by CRLF, then the ".\r\n" that
/// ends the block (RFC 5321 §4.5.2, RFC 1939 §3, RFC 3977 §3.1.1). With normalize_newlines
/// (Python's str messages) every CRLF, lone LF and lone CR becomes CRLF; without it (bytes
/// messages) the body's line endings are kept and only the final CRLF is added if missing.
std::string dot_stuff(std::string_view body, bool normalize_newlines = true);

/// One received block line with its stuffing dot removed ("..x" → ".x"); the line has no
/// terminator and is not the final ".".
inline std::string_view dot_unstuff(std::string_view line) noexcept {
  return line.starts_with("..") ? line.substr(1) : line;
}

/// A connected line-oriented client channel over a Socket, or over TLS once upgraded. Owns
/// the connection; movable, not copyable. Every read honours the socket's timeout
/// (soket::TimeoutError); socket errors are soket::Error subclasses; framing errors are the
/// ProtocolError family above and name the command being answered:
///   "smtp: reply to MAIL: connection closed by the server"
///
/// Thread safety: one thread at a time.
class LineChannel {
 public:
  /// Python's create_connection(address, timeout, source_address), then the channel.
  /// A zero timeout is std::invalid_argument ("Non-blocking socket (timeout=0) is not
  /// supported", as ftplib/smtplib/poplib say).
  static LineChannel connect(const Address& address, Timeout timeout, ChannelOptions options = {},
                             const std::optional<Address>& source_address = std::nullopt);

  /// Over an already connected socket (taken over).
  explicit LineChannel(Socket sock, ChannelOptions options = {});
  ~LineChannel();
  LineChannel(LineChannel&&) noexcept;
  LineChannel& operator=(LineChannel&&) noexcept;

  /// One line with its terminator ("\r\n" or "\n"), at most max_line bytes
  /// (LineTooLongError otherwise). EOFError when the peer closes before a whole line.
  std::string readline();
  /// readline() without the line terminator.
  std::string getline();
  /// getline(), or std::nullopt if no whole line arrives within `wait` (IMAP IDLE): the
  /// socket's own timeout is restored afterwards and no byte is lost.
  std::optional<std::string> getline_within(std::chrono::nanoseconds wait);
  /// Exactly n bytes (an IMAP literal); n over max_block is ReplyTooLargeError, an early
  /// close EOFError.
  std::string read_exact(std::size_t n);
  /// The lines of a dot-terminated block (after a POP3 "+OK", NNTP 2xx, Gopher menu),
  /// unstuffed, without terminators, the final "." excluded. More than max_block bytes in
  /// all: ReplyTooLargeError.
  std::vector<std::string> read_dot_block();
  /// The same, each line handed to `on_line` instead of kept (large articles, downloads).
  void read_dot_block(const std::function<void(std::string_view)>& on_line);

  /// Sends `line` + CRLF at once. A CR or LF inside is std::invalid_argument (Python:
  /// "command and arguments contain prohibited newline characters"). The first word is kept
  /// as the command named in later errors.
  void write_line(std::string_view line);
  /// write_line for a line carrying a secret (PASS, AUTH answers): debug output and errors
  /// show `label` instead of the line.
  void write_secret_line(std::string_view line, std::string_view label);
  /// Sends raw bytes (a literal, a body already framed).
  void send(std::string_view data);
  /// Sends dot_stuff(body, normalize_newlines).
  void write_dot_block(std::string_view body, bool normalize_newlines = true);

  /// Upgrades the connection to TLS as a client (STARTTLS, STLS, AUTH TLS, or at once for
  /// implicit TLS), verifying against server_hostname as the context says. Call it right
  /// after the server's go-ahead: bytes already received are TLSInjectionError (and the
  /// channel is closed). Handshake failures are tls::SSLError's family.
  void starttls(const tls::SSLContext& context,
                const std::optional<std::string>& server_hostname = std::nullopt,
                const tls::SSLSession* session = nullptr);
  bool is_tls() const noexcept;
  /// The TLS connection after starttls() (std::logic_error before).
  tls::SSLSocket& tls_socket();

  /// Python: set_debuglevel(n): 1 prints each line sent and received, 2 adds a timestamp,
  /// on the debug sink (stderr unless set_debug_sink was called).
  void set_debuglevel(int level) noexcept;
  int debuglevel() const noexcept;
  void set_debug_sink(std::function<void(std::string_view)> sink);

  /// The socket underneath (timeouts, addresses, fileno).
  Socket& socket();
  void settimeout(Timeout timeout);
  const ChannelOptions& options() const noexcept;
  /// Bytes received but not yet read.
  std::size_t buffered() const noexcept;
  /// The command named in errors ("MAIL"), empty before the first write_line.
  const std::string& last_command() const noexcept;
  /// Closes the connection (idempotent); reads and writes after it throw ProtocolError.
  void close() noexcept;
  bool closed() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace soket::proto
