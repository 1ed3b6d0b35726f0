// SPDX-License-Identifier: MIT
// Dovecot for the IMAP, POP3 and mail tool tests: dovecot.sh in a MailServer, its ports by
// protocol, its certificate, and the message its maildir starts with. START_DOVECOT(var[,
// "--apop"]) starts one or skips the test with dovecot.sh's own reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <soket/tls.hpp>

#include "support/servers/mail_server.hpp"

#define START_DOVECOT(var, ...)                                      \
  ::soket::test::Dovecot var(std::vector<std::string>{__VA_ARGS__}); \
  if (!var.skip_reason.empty()) GTEST_SKIP() << var.skip_reason

namespace soket::test {

class Dovecot : public MailServer {
 public:
  explicit Dovecot(std::vector<std::string> options = {})
      : MailServer("dovecot.sh", std::move(options)) {}

  std::uint16_t imap_port() const { return port("IMAP_PORT"); }
  std::uint16_t imaps_port() const { return port("IMAPS_PORT"); }
  std::uint16_t pop3_port() const { return port("POP3_PORT"); }
  std::uint16_t pop3s_port() const { return port("POP3S_PORT"); }
  /// The server's throw-away certificate (CN=localhost, IP 127.0.0.1).
  std::string cert() const { return dir() + "/cert.pem"; }
  /// A client context that trusts only that certificate.
  tls::SSLContext trusting_context() const {
    tls::SSLContext ctx = tls::create_default_context();
    ctx.load_verify_locations(cert());
    return ctx;
  }

  /// The maildir's one message as Dovecot serves it (CRLF lines; one starts with '.').
  static std::string first_message() {
    return "From: alice@example.org\r\nTo: tester@example.org\r\nSubject: first message\r\n"
           "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <first@example.org>\r\n\r\n"
           "Hello tester,\r\n.this line starts with a dot.\r\n";
  }
  /// The same, as lines without their CRLF (POP3's MultiLine::lines).
  static std::vector<std::string> first_message_lines() {
    std::vector<std::string> lines;
    const std::string text = first_message();
    for (std::size_t pos = 0, end; (end = text.find("\r\n", pos)) != std::string::npos;
         pos = end + 2)
      lines.push_back(text.substr(pos, end - pos));
    return lines;
  }
};

}  // namespace soket::test
