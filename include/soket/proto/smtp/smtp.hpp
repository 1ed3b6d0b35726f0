// SPDX-License-Identifier: MIT
// SMTP: Python's smtplib.SMTP — EHLO with parsed extensions, STARTTLS, AUTH CRAM-MD5/PLAIN/
// LOGIN, sendmail with dot-stuffing and per-recipient refusals, send_message.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <soket/create.hpp>
#include <soket/proto/line_channel.hpp>
#include <soket/proto/smtp/errors.hpp>

namespace soket::proto::smtp {

inline constexpr std::uint16_t SMTP_PORT = 25;
inline constexpr std::uint16_t SMTP_SSL_PORT = 465;
/// Python: smtplib._MAXLINE: a longer reply line is SMTPResponseException(500, "Line too long.").
inline constexpr std::size_t MAXLINE = 8192;
/// Python: smtplib._MAXCHALLENGE: AUTH rounds before giving up.
inline constexpr int MAXCHALLENGE = 5;

/// Python: smtplib.SMTP. Not connected until connect() (or the constructor with a host).
/// Replies are Reply{code, message}; failures are the errors.hpp classes; timeouts are
/// soket::TimeoutError; framing errors (EOF, too long) become SMTPServerDisconnected /
/// SMTPResponseException(500) naming the command.
///
/// Thread safety: one thread at a time.
class SMTP {
 public:
  SMTP() = default;
  /// Python: SMTP(host, port, local_hostname, timeout, source_address): connects and
  /// requires 220 (else SMTPConnectError). local_hostname "" means "localhost" (Python asks
  /// the resolver for getfqdn(); soket does not, to stay hermetic and predictable).
  explicit SMTP(const std::string& host, std::uint16_t port = 0, std::string local_hostname = "",
                Timeout timeout = global_default_timeout,
                const std::optional<Address>& source_address = std::nullopt);
  virtual ~SMTP();
  SMTP(SMTP&&) noexcept = default;
  SMTP& operator=(SMTP&&) noexcept = default;

  /// Python: connect(host, port): the greeting. "host:port" in host is accepted.
  Reply connect(const std::string& host = "localhost", std::uint16_t port = 0,
                const std::optional<Address>& source_address = std::nullopt);

  Reply helo(const std::string& name = "");
  Reply ehlo(const std::string& name = "");
  /// EHLO, then HELO if EHLO is refused; SMTPHeloError if neither is 2xx.
  void ehlo_or_helo_if_needed();
  /// Python: has_extn(name), case-insensitive.
  bool has_extn(std::string_view name) const;
  /// Python: esmtp_features (lower-case keys), does_esmtp, ehlo_resp/helo_resp.
  const std::map<std::string, std::string>& esmtp_features() const noexcept { return features_; }
  bool does_esmtp() const noexcept { return does_esmtp_; }
  const std::optional<std::string>& ehlo_resp() const noexcept { return ehlo_resp_; }
  const std::optional<std::string>& helo_resp() const noexcept { return helo_resp_; }

  /// Python: starttls(context): needs the feature (SMTPNotSupportedError), then 220 (else
  /// SMTPResponseException), then TLS with the host name checked; forgets the EHLO state.
  /// Bytes sent by the server before the handshake: proto::TLSInjectionError.
  Reply starttls(const tls::SSLContext& context);

  /// Python: login(user, password): CRAM-MD5, then PLAIN, then LOGIN, among those advertised
  /// (each refusal tries the next). None advertised: SMTPException("No suitable
  /// authentication method found."); all refused: the last SMTPAuthenticationError.
  Reply login(const std::string& user, const std::string& password,
              bool initial_response_ok = true);
  /// Python: auth(mechanism, authobject): authobject gets each decoded challenge (nullopt for
  /// the initial response) and returns the answer to encode; nullopt for the initial response
  /// means the mechanism has none (CRAM-MD5). 235 or 503 is success.
  using AuthObject =
      std::function<std::optional<std::string>(const std::optional<std::string>& challenge)>;
  Reply auth(const std::string& mechanism, const AuthObject& authobject,
             bool initial_response_ok = true);

  Reply mail(const std::string& sender, const std::vector<std::string>& options = {});
  Reply rcpt(const std::string& recip, const std::vector<std::string>& options = {});
  /// Python: data(msg): 354, the dot-stuffed body, the final reply (SMTPDataError on a
  /// refusal). normalize_newlines: Python's str message (CRLF everywhere, ASCII only);
  /// false: its bytes message, sent as given.
  Reply data(std::string_view msg, bool normalize_newlines = true);
  /// Python: sendmail(from, to, msg, mail_options, rcpt_options): the refused recipients
  /// (empty when all were accepted). SMTPSenderRefused, SMTPRecipientsRefused (all refused),
  /// SMTPDataError as Python.
  std::map<std::string, Reply> sendmail(const std::string& from_addr,
                                        const std::vector<std::string>& to_addrs,
                                        std::string_view msg,
                                        const std::vector<std::string>& mail_options = {},
                                        const std::vector<std::string>& rcpt_options = {},
                                        bool normalize_newlines = true);

  /// Python: send_message(msg, from_addr, to_addrs, mail_options, rcpt_options) on the
  /// message's RFC 5322 text. Without from_addr: the first address of Sender, else From;
  /// without to_addrs: every address of To, Bcc and Cc — the Resent-* fields instead when the
  /// message has one Resent-Date (two: std::invalid_argument). Bcc and Resent-Bcc are removed
  /// from what is sent, lines end in CRLF. Non-ASCII addresses need the SMTPUTF8 extension
  /// (else SMTPNotSupportedError) and add SMTPUTF8 and BODY=8BITMIME, as Python. No sender
  /// found: std::invalid_argument.
  std::map<std::string, Reply> send_message(
      std::string_view msg, const std::optional<std::string>& from_addr = std::nullopt,
      const std::optional<std::vector<std::string>>& to_addrs = std::nullopt,
      const std::vector<std::string>& mail_options = {},
      const std::vector<std::string>& rcpt_options = {});

  Reply rset();
  Reply noop();
  Reply verify(const std::string& address);
  /// Python: docmd(cmd, args), putcmd, getreply.
  Reply docmd(const std::string& cmd, const std::string& args = "");
  void putcmd(const std::string& cmd, const std::string& args = "");
  Reply getreply();
  /// Python: quit(): QUIT, then close.
  Reply quit();
  void close() noexcept;
  bool connected() const noexcept { return channel_.has_value() && !channel_->closed(); }

  void set_debuglevel(int level);
  void set_timeout(Timeout timeout) { timeout_ = timeout; }
  /// The channel (for its socket, TLS state); std::logic_error when not connected.
  LineChannel& channel();

 protected:
  // SMTP_SSL wraps the new connection before the greeting.
  virtual void on_connected() {}
  std::string host_;

 private:
  LineChannel& live();
  void forget_ehlo() noexcept;
  std::optional<LineChannel> channel_;
  std::string local_hostname_ = "localhost";
  Timeout timeout_ = global_default_timeout;
  int debuglevel_ = 0;
  std::map<std::string, std::string> features_;
  bool does_esmtp_ = false;
  std::optional<std::string> ehlo_resp_, helo_resp_;
};

/// Python: smtplib.SMTP_SSL: TLS from the first byte (port 465).
class SMTP_SSL : public SMTP {
 public:
  explicit SMTP_SSL(tls::SSLContext context);
  SMTP_SSL(const std::string& host, std::uint16_t port, tls::SSLContext context,
           Timeout timeout = global_default_timeout);

 protected:
  void on_connected() override;

 private:
  tls::SSLContext context_;
};

/// Python: smtplib.quoteaddr: "<addr>" (an address already in <> is kept; "" is "<>").
std::string quoteaddr(std::string_view addr);

}  // namespace soket::proto::smtp
