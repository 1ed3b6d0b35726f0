// SPDX-License-Identifier: MIT
// smtp::SMTP against Python's aiosmtpd (what arrived is checked byte for byte in the file the
// server saved), and against hostile fake servers the test writes: replies too long, closes
// mid-reply, garbage codes, silence, plaintext injected after STARTTLS.
#include <soket/proto/smtp/message.hpp>
#include <soket/proto/smtp/smtp.hpp>

#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <soket/io/socket_file.hpp>
#include <soket/tls.hpp>

#include "support/servers/mail_server.hpp"
#include "support/support.hpp"
#include "tls/pki.hpp"

using namespace soket;
using namespace soket::proto::smtp;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The n-th message aiosmtpd saved (it renames a finished file into place).
std::string saved(const test::MailServer& server, int n) {
  char name[16];
  std::snprintf(name, sizeof name, "%04d.eml", n);
  const std::string path = server.dir() + "/mail/" + name;
  for (int i = 0; i < 200 && !std::filesystem::exists(path); ++i) std::this_thread::sleep_for(25ms);
  return slurp(path);
}

tls::SSLContext trusting(const test::MailServer& server) {
  tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(server.dir() + "/cert.pem");
  return ctx;
}

#define START_SERVER(var, ...)                        \
  test::MailServer var("aiosmtpd.sh", {__VA_ARGS__}); \
  if (!var.skip_reason.empty()) GTEST_SKIP() << var.skip_reason

}  // namespace

TEST(SMTP, SendmailDeliversDotStuffedBodyByteForByte) {
  START_SERVER(server);
  SMTP smtp("127.0.0.1", server.port(), "client.test", Timeout(20s));
  const std::string body =
      "From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\n\r\n"
      ".leading dot\r\n..two dots\r\n.\r\nlast line";
  const auto refused = smtp.sendmail("a@example.org", {"b@example.org"}, body);
  EXPECT_TRUE(refused.empty());
  EXPECT_TRUE(smtp.does_esmtp());
  EXPECT_TRUE(smtp.has_extn("8BITMIME"));
  EXPECT_TRUE(smtp.esmtp_features().contains("size"));
  EXPECT_EQ(smtp.quit().code, 221);
  EXPECT_EQ(saved(server, 1),
            "X-Envelope-From: a@example.org\r\nX-Envelope-To: b@example.org\r\n" + body + "\r\n");
}

TEST(SMTP, OneRefusedRecipientIsReturnedAllRefusedThrows) {
  START_SERVER(server);
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  auto refused = smtp.sendmail("a@example.org", {"b@example.org", "nobody@example.org"},
                               "Subject: x\r\n\r\nhi\r\n");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused["nobody@example.org"].code, 550);
  EXPECT_EQ(refused["nobody@example.org"].message, "no such user");
  EXPECT_NE(saved(server, 1).find("X-Envelope-To: b@example.org\r\n"), std::string::npos);
  try {
    smtp.sendmail("a@example.org", {"nobody@example.org"}, "x");
    FAIL() << "no SMTPRecipientsRefused";
  } catch (const SMTPRecipientsRefused& e) {
    EXPECT_EQ(e.recipients().size(), 1u);
  }
  EXPECT_EQ(smtp.noop().code, 250);  // RSET left the session usable
}

TEST(SMTP, StarttlsThenLoginThenSend) {
  START_SERVER(server, "--starttls", "--auth");
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  smtp.ehlo();
  EXPECT_TRUE(smtp.has_extn("starttls"));
  // AUTH is required before MAIL.
  EXPECT_THROW(smtp.sendmail("a@example.org", {"b@example.org"}, "x"), SMTPSenderRefused);
  tls::SSLContext ctx = trusting(server);
  SMTP tls_smtp("localhost", server.port(), "", Timeout(20s));
  EXPECT_EQ(tls_smtp.starttls(ctx).code, 220);
  EXPECT_TRUE(tls_smtp.channel().is_tls());
  EXPECT_FALSE(tls_smtp.ehlo_resp().has_value());  // forgotten, as RFC 3207 asks
  try {
    tls_smtp.login("tester", "wrong");
    FAIL() << "no SMTPAuthenticationError";
  } catch (const SMTPAuthenticationError& e) {
    EXPECT_EQ(e.smtp_code(), 535);
  }
  EXPECT_EQ(tls_smtp.login("tester", "secret").code, 235);
  EXPECT_TRUE(
      tls_smtp.sendmail("a@example.org", {"b@example.org"}, "Subject: s\r\n\r\nsecure").empty());
  tls_smtp.quit();
  EXPECT_NE(saved(server, 1).find("secure"), std::string::npos);
}

TEST(SMTP, LoginMechanismLoginWorks) {
  START_SERVER(server, "--auth");
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  smtp.ehlo();
  int rounds = 0;
  const SMTP::AuthObject answers = [&](const std::optional<std::string>& challenge) {
    ++rounds;
    if (!challenge) return std::string("tester");
    return std::string(challenge->starts_with("Password") ? "secret" : "tester");
  };
  const Reply r = smtp.auth("LOGIN", answers, false);
  EXPECT_EQ(r.code, 235);
  EXPECT_EQ(rounds, 2);
}

// login() tries CRAM-MD5, PLAIN, LOGIN in Python's order; aiosmtpd logs each attempt.
TEST(SMTP, LoginPrefersCramMd5ThenPlainThenLogin) {
  START_SERVER(server, "--auth");
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  EXPECT_EQ(smtp.login("tester", "secret").code, 235);
  EXPECT_EQ(slurp(server.dir() + "/auth.log"), "CRAM-MD5 tester ok\n");
  EXPECT_TRUE(smtp.sendmail("a@example.org", {"b@example.org"}, "Subject: c\r\n\r\nx").empty());
  smtp.quit();
  SMTP wrong("127.0.0.1", server.port(), "", Timeout(20s));
  EXPECT_THROW(wrong.login("tester", "wrong"), SMTPAuthenticationError);
  EXPECT_EQ(
      slurp(server.dir() + "/auth.log"),
      "CRAM-MD5 tester ok\nCRAM-MD5 tester failed\nPLAIN tester failed\nLOGIN tester failed\n");
}

// send_message: the envelope from the header fields, Bcc kept off the wire, CRLF lines.
TEST(SMTP, SendMessageTakesTheEnvelopeFromTheHeaders) {
  START_SERVER(server);
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  const std::string msg =
      "From: Alice <a@example.org>\nTo: b@example.org, \"Smith, C\" <c@example.org>\n"
      "Cc: d@example.org\nBcc: hidden@example.org,\n nobody@example.org\nSubject: hi\n\n"
      "Bcc: this is the body\n.dot line\n";
  const auto refused = smtp.send_message(msg);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_TRUE(refused.contains("nobody@example.org"));
  EXPECT_EQ(saved(server, 1),
            "X-Envelope-From: a@example.org\r\nX-Envelope-To: b@example.org, c@example.org, "
            "hidden@example.org, d@example.org\r\n"
            "From: Alice <a@example.org>\r\nTo: b@example.org, \"Smith, C\" <c@example.org>\r\n"
            "Cc: d@example.org\r\nSubject: hi\r\n\r\nBcc: this is the body\r\n.dot line\r\n");
  // Explicit from/to win; with one Resent-Date the Resent-* fields are the envelope.
  smtp.send_message(msg, "x@example.org", std::vector<std::string>{"y@example.org"});
  EXPECT_TRUE(saved(server, 2).starts_with(
      "X-Envelope-From: x@example.org\r\nX-Envelope-To: y@example.org\r\n"));
  smtp.send_message(
      "From: a@example.org\r\nTo: b@example.org\r\nResent-Date: Mon, 1 Jan 2024 00:00:00 "
      "+0000\r\nResent-From: r@example.org\r\nResent-Bcc: rb@example.org\r\n\r\nbody\r\n");
  const std::string third = saved(server, 3);
  EXPECT_TRUE(
      third.starts_with("X-Envelope-From: r@example.org\r\nX-Envelope-To: rb@example.org\r\n"))
      << third;
  EXPECT_EQ(third.find("Resent-Bcc"), std::string::npos);
  EXPECT_THROW(smtp.send_message("Subject: no sender\r\nTo: b@example.org\r\n\r\n"),
               std::invalid_argument);
  EXPECT_THROW(smtp.send_message("From: a@x\r\nResent-Date: 1\r\nResent-Date: 2\r\n\r\n"),
               std::invalid_argument);
  EXPECT_EQ(smtp.noop().code, 250);  // nothing was half-sent
}

// A non-ASCII address needs SMTPUTF8: offered, MAIL FROM carries SMTPUTF8 BODY=8BITMIME.
TEST(SMTP, SendMessageInternationalAddressesNeedSmtputf8) {
  const std::string msg =
      "From: José <josé@example.org>\r\nTo: b@example.org\r\n"
      "Subject: olá\r\n\r\nçà\r\n";
  {
    START_SERVER(plain);
    SMTP smtp("127.0.0.1", plain.port(), "", Timeout(20s));
    EXPECT_THROW(smtp.send_message(msg), SMTPNotSupportedError);
    EXPECT_EQ(smtp.noop().code, 250);
  }
  START_SERVER(server, "--utf8");
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  EXPECT_TRUE(smtp.send_message(msg).empty());
  EXPECT_TRUE(saved(server, 1).starts_with("X-Envelope-From: josé@example.org\r\n"));
  // SIZE first (sendmail's), then what send_message added, as Python orders them.
  EXPECT_EQ(slurp(server.dir() + "/mail/0001.options"),
            "SIZE=" + std::to_string(msg.size()) + "\nSMTPUTF8\nBODY=8BITMIME\n");
}

TEST(SMTP, ImplicitTlsSmtpSsl) {
  START_SERVER(server, "--smtps");
  SMTP_SSL smtp("localhost", server.port(), trusting(server), Timeout(20s));
  EXPECT_TRUE(smtp.channel().is_tls());
  EXPECT_EQ(smtp.ehlo().code, 250);
  smtp.quit();
}

TEST(SMTP, StarttlsNotOfferedIsNotSupportedError) {
  START_SERVER(server);
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  EXPECT_THROW(smtp.starttls(tls::SSLContext(tls::PROTOCOL_TLS_CLIENT)), SMTPNotSupportedError);
  EXPECT_THROW(smtp.login("a", "b"), SMTPNotSupportedError);
}

TEST(SMTP, ReplyLineTooLongIs500AndCloses) {
  test::ScriptedPeer fake({"220 hi\r\n", "250 " + std::string(MAXLINE * 2, '.') + "\r\n"});
  SMTP smtp("127.0.0.1", fake.port(), "", Timeout(10s));
  try {
    smtp.noop();
    FAIL() << "no SMTPResponseException";
  } catch (const SMTPResponseException& e) {
    EXPECT_EQ(e.smtp_code(), 500);
    EXPECT_EQ(e.smtp_error(), "Line too long.");
    EXPECT_STREQ(e.what(), "smtp: reply to NOOP: 500 Line too long.");
  }
  EXPECT_FALSE(smtp.connected());
}

TEST(SMTP, CloseMidReplyIsServerDisconnected) {
  test::ScriptedPeer fake({"220 hi\r\n", "250-first line\r\n250-sec"});
  SMTP smtp("127.0.0.1", fake.port(), "", Timeout(10s));
  EXPECT_EQ(test::error_of([&] { smtp.ehlo(); }),
            "smtp: Connection unexpectedly closed (smtp: reply to EHLO: connection closed "
            "mid-line)");
  EXPECT_THROW(smtp.noop(), SMTPServerDisconnected);
}

TEST(SMTP, BadGreetingIsConnectError) {
  test::ScriptedPeer fake({"554 go away\r\n"});
  try {
    SMTP smtp("127.0.0.1", fake.port(), "", Timeout(10s));
    FAIL() << "no SMTPConnectError";
  } catch (const SMTPConnectError& e) {
    EXPECT_EQ(e.smtp_code(), 554);
    EXPECT_EQ(e.smtp_error(), "go away");
  }
}

TEST(SMTP, GarbageCodeIsMinusOne) {
  test::ScriptedPeer fake({"220 hi\r\n", "hello there\r\n"});
  SMTP smtp("127.0.0.1", fake.port(), "", Timeout(10s));
  const Reply r = smtp.noop();
  EXPECT_EQ(r.code, -1);
}

TEST(SMTP, SilentServerTimesOut) {
  test::ScriptedPeer fake({"220 hi\r\n"}, true);
  SMTP smtp("127.0.0.1", fake.port(), "", Timeout(300ms));
  EXPECT_THROW(smtp.noop(), TimeoutError);
}

TEST(SMTP, PlaintextInjectedAfterStarttlsIsRefused) {
  test::ScriptedPeer fake({"220 hi\r\n", "250-x\r\n250 STARTTLS\r\n",
                           "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n"});
  SMTP smtp("127.0.0.1", fake.port(), "", Timeout(10s));
  EXPECT_THROW(smtp.starttls(tls::SSLContext(tls::PROTOCOL_TLS_CLIENT)), proto::TLSInjectionError);
  EXPECT_FALSE(smtp.connected());
}

TEST(SMTP, ConnectParsesHostPortAndRejectsBadPort) {
  START_SERVER(server);
  SMTP smtp;
  EXPECT_EQ(smtp.connect("127.0.0.1:" + std::to_string(server.port())).code, 220);
  EXPECT_THROW(smtp.putcmd("noop\r\nquit"), std::invalid_argument);
  smtp.quit();
  EXPECT_THROW(smtp.connect("127.0.0.1:99999"), std::invalid_argument);
  EXPECT_THROW(smtp.connect("127.0.0.1:x"), std::invalid_argument);
  EXPECT_THROW(smtp.noop(), SMTPServerDisconnected);
}

TEST(SMTP, NonAsciiTextMessageIsRefusedBeforeSending) {
  START_SERVER(server);
  SMTP smtp("127.0.0.1", server.port(), "", Timeout(20s));
  EXPECT_THROW(smtp.sendmail("a@example.org", {"b@example.org"}, "caf\xc3\xa9"),
               std::invalid_argument);
  smtp.rset();
  // As bytes with 8BITMIME it goes through unchanged.
  const bool normalize_newlines = false;  // Python: a bytes message
  smtp.sendmail("a@example.org", {"b@example.org"}, "Subject: 8\r\n\r\ncaf\xc3\xa9\r\n",
                {"BODY=8BITMIME"}, {}, normalize_newlines);
  EXPECT_NE(saved(server, 1).find("caf\xc3\xa9\r\n"), std::string::npos);
}

TEST(SMTP, QuoteaddrAsPython) {
  EXPECT_EQ(quoteaddr("a@example.org"), "<a@example.org>");
  EXPECT_EQ(quoteaddr("<a@example.org>"), "<a@example.org>");
  EXPECT_EQ(quoteaddr(""), "<>");
}

TEST(SMTP, EhloNamesTheLocalHostname) {
  for (const std::string local_hostname : {"client.test", ""}) {
    Socket listener = test::listen_ephemeral();
    std::string ehlo_line;
    std::thread peer([&] {
      try {
        auto conn = listener.accept().conn;
        conn.settimeout(10.0);
        io::SocketFile file(conn);
        conn.sendall("220 hi\r\n");
        ehlo_line = file.readline();
        conn.sendall("250 ok\r\n");
        file.readline();
        conn.sendall("221 bye\r\n");
      } catch (const std::exception&) {
      }
    });
    {
      SMTP smtp("127.0.0.1", listener.getsockname().port(), local_hostname, Timeout(10s));
      EXPECT_EQ(smtp.ehlo().code, 250);
      EXPECT_EQ(smtp.quit().code, 221);
    }
    peer.join();
    EXPECT_EQ(ehlo_line,
              "ehlo " + (local_hostname.empty() ? "localhost" : local_hostname) + "\r\n");
  }
}
