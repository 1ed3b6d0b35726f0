// SPDX-License-Identifier: MIT
// IMAP4: Python's imaplib.IMAP4 — tagged commands, parsed responses (response.hpp), literals
// both ways, STARTTLS, and IDLE (RFC 2177) with a timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <soket/create.hpp>
#include <soket/proto/imap/response.hpp>
#include <soket/proto/line_channel.hpp>

namespace soket::proto::imap {

inline constexpr std::uint16_t IMAP4_PORT = 143;
inline constexpr std::uint16_t IMAP4_SSL_PORT = 993;
/// Python: imaplib._MAXLINE: a longer line is IMAP4::error("got more than 1000000 bytes").
inline constexpr std::size_t MAXLINE = 1000000;

/// What a command returns: Python's (typ, data), with data parsed. `untagged` holds the
/// untagged responses that arrived while the command ran, in order.
struct Result {
  std::string type;  // "OK" or "NO" (BAD throws)
  std::string code, code_args, text;
  std::vector<Response> untagged;

  /// The untagged responses of one type ("FETCH", "EXISTS", "LIST").
  std::vector<const Response*> responses(std::string_view wanted) const;
};

/// Python: imaplib.IMAP4. Connects, reads the greeting (OK → NONAUTH, PREAUTH → AUTH, else
/// error), asks CAPABILITY and needs IMAP4rev1.
///
/// Errors: a BAD reply, a command in the wrong state or a refused LOGIN/SELECT is
/// IMAP4::error; a broken connection, a BYE, a malformed response or an unexpected tag is
/// IMAP4::abort (reconnect); timeouts are soket::TimeoutError. A NO from other commands comes
/// back as Result::type "NO", as Python's.
///
/// Thread safety: one thread at a time.
class IMAP4 {
 public:
  /// Python: IMAP4.error / IMAP4.abort / IMAP4.readonly.
  class error : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
  };
  class abort : public error {
   public:
    using error::error;
  };
  class readonly : public abort {
   public:
    using abort::abort;
  };

  explicit IMAP4(const std::string& host, std::uint16_t port = IMAP4_PORT,
                 Timeout timeout = global_default_timeout);
  virtual ~IMAP4();
  IMAP4(IMAP4&&) noexcept = default;
  IMAP4& operator=(IMAP4&&) noexcept = default;

  /// Python: state: "NONAUTH", "AUTH", "SELECTED", "LOGOUT".
  const std::string& state() const noexcept { return state_; }
  /// Python: capabilities (upper case).
  const std::vector<std::string>& capabilities() const noexcept { return capabilities_; }
  bool has_capability(std::string_view name) const;
  /// Python: welcome.
  const std::string& welcome() const noexcept { return welcome_; }
  void set_debuglevel(int level) { channel_.set_debuglevel(level); }

  Result capability();
  Result noop();
  /// Python: login(user, password): both sent as astrings (quoted when needed).
  Result login(const std::string& user, const std::string& password);
  /// Python: authenticate("PLAIN", ...) for the PLAIN mechanism (RFC 4616).
  Result authenticate_plain(const std::string& user, const std::string& password);
  /// Python: starttls(context): NONAUTH only, needs STARTTLS; capabilities asked again after.
  Result starttls(const tls::SSLContext& context);
  /// Python: select(mailbox, readonly): EXAMINE when read_only. The EXISTS count is in
  /// exists(); a refusal comes back as type "NO" (state AUTH), as Python's; a mailbox that
  /// turns out read-only when SELECT asked to write is IMAP4::readonly.
  Result select(const std::string& mailbox = "INBOX", bool read_only = false);
  Result examine(const std::string& mailbox = "INBOX") { return select(mailbox, true); }
  /// EXISTS of the selected mailbox (updated by every untagged EXISTS).
  std::uint32_t exists() const noexcept { return exists_; }
  /// Python: search(charset, criteria): the matching numbers (UIDs with uid=true).
  std::vector<std::uint32_t> search(const std::string& criteria,
                                    const std::optional<std::string>& charset = std::nullopt,
                                    bool uid = false);
  /// Python: fetch(message_set, message_parts).
  Result fetch(const std::string& message_set, const std::string& message_parts, bool uid = false);
  /// Python: store(message_set, command, flags).
  Result store(const std::string& message_set, const std::string& command, const std::string& flags,
               bool uid = false);
  Result copy(const std::string& message_set, const std::string& mailbox, bool uid = false);
  Result expunge();
  Result close_mailbox();  // Python: close() (CLOSE)
  /// Python: list(directory, pattern).
  Result list(const std::string& directory = "\"\"", const std::string& pattern = "*");
  Result create(const std::string& mailbox);
  Result delete_(const std::string& mailbox);
  /// Python: append(mailbox, flags, date_time, message): a synchronizing literal (waits for
  /// "+"); line endings are made CRLF as Python does. flags "" for none, date_time "" for
  /// none (else an INTERNALDATE string, quoted here).
  Result append(const std::string& mailbox, const std::string& flags, const std::string& date_time,
                std::string_view message);
  /// RFC 2177 IDLE for at most `duration`: the untagged responses the server pushed (an
  /// empty vector when nothing came). With return_on_first, it ends as soon as one arrives.
  /// Needs the IDLE capability (IMAP4::error otherwise); ends with DONE and the tagged OK.
  std::vector<Response> idle(std::chrono::nanoseconds duration, bool return_on_first = true);
  /// Python: logout(): LOGOUT, expects BYE, closes.
  Result logout();
  /// Python: xatom / _simple_command: any command with its arguments as written.
  Result simple_command(const std::string& name, const std::string& args = "");
  void close() noexcept { channel_.close(); }

  LineChannel& channel() noexcept { return channel_; }

 protected:
  IMAP4(const std::string& host, std::uint16_t port, Timeout timeout,
        const tls::SSLContext* implicit_tls);

 private:
  std::string new_tag();
  Response read_response();
  void absorb(const Response& r);
  void check_state(const std::string& name, std::initializer_list<const char*> states) const;
  std::string send_command(const std::string& name, const std::string& args, bool secret = false);
  Result command_complete(const std::string& tag, const std::string& name);
  Result command(const std::string& name, const std::string& args = "", bool secret = false);
  void read_capabilities();

  std::string host_;
  LineChannel channel_;
  std::string state_ = "LOGOUT";
  std::string welcome_;
  std::vector<std::string> capabilities_;
  std::string tagpre_;
  unsigned tagnum_ = 0;
  std::uint32_t exists_ = 0;
  bool readonly_ = false;
  std::vector<Response> pending_;  // untagged responses not yet handed to a command
};

/// Python: imaplib.IMAP4_SSL: TLS from the first byte (port 993).
class IMAP4_SSL : public IMAP4 {
 public:
  IMAP4_SSL(const std::string& host, const tls::SSLContext& context,
            std::uint16_t port = IMAP4_SSL_PORT, Timeout timeout = global_default_timeout)
      : IMAP4(host, port, timeout, &context) {}
};

}  // namespace soket::proto::imap
