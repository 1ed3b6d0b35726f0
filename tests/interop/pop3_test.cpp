// SPDX-License-Identifier: MIT
// pop3::POP3 against Dovecot (a maildir the fixture writes, whose message has a line starting
// with '.') and against hostile fake servers.
#include <soket/proto/pop3/pop3.hpp>

#include <gtest/gtest.h>
#include <chrono>

#include <soket/tls.hpp>

#include "support/servers/dovecot.hpp"
#include "support/support.hpp"

using namespace soket;
using namespace soket::proto::pop3;
using namespace std::chrono_literals;

namespace {

POP3 logged_in(const test::Dovecot& server) {
  POP3 pop("127.0.0.1", server.pop3_port(), Timeout(20s));
  pop.user("tester");
  pop.pass_("secret");
  return pop;
}

}  // namespace

TEST(POP3, StatListRetrTopUidlAgainstDovecot) {
  START_DOVECOT(server);
  POP3 pop = logged_in(server);
  EXPECT_EQ(pop.getwelcome(), "+OK Dovecot test server ready.");
  const auto [count, size] = pop.stat();
  EXPECT_EQ(count, 1u);
  const MultiLine list = pop.list();
  ASSERT_EQ(list.lines.size(), 1u);
  EXPECT_EQ(list.lines[0], "1 " + std::to_string(size));
  EXPECT_EQ(pop.list(1), "+OK 1 " + std::to_string(size));
  const MultiLine retr = pop.retr(1);
  EXPECT_EQ(retr.lines, test::Dovecot::first_message_lines());  // the stuffed ".." came back as "."
  EXPECT_EQ(retr.octets, size);
  const MultiLine top = pop.top(1, 0);
  const auto first = test::Dovecot::first_message_lines();
  EXPECT_EQ(top.lines, std::vector<std::string>(first.begin(), first.begin() + 6));
  const MultiLine uidl = pop.uidl();
  ASSERT_EQ(uidl.lines.size(), 1u);
  EXPECT_TRUE(pop.uidl(1).starts_with("+OK 1 " + uidl.lines[0].substr(2)));
  EXPECT_TRUE(pop.capa().contains("UIDL"));
  // Before login Dovecot also offers STLS and SASL.
  const auto caps = POP3("127.0.0.1", server.pop3_port(), Timeout(20s)).capa();
  EXPECT_TRUE(caps.contains("STLS"));
  ASSERT_TRUE(caps.contains("SASL"));
  EXPECT_EQ(caps.at("SASL"), (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_TRUE(pop.noop().starts_with("+OK"));
  EXPECT_TRUE(pop.quit().starts_with("+OK"));
}

TEST(POP3, ErrRepliesAreErrorProtoNamingTheCommand) {
  START_DOVECOT(server);
  POP3 pop("127.0.0.1", server.pop3_port(), Timeout(20s));
  pop.user("tester");
  try {
    pop.pass_("wrong");
    FAIL() << "no error_proto";
  } catch (const error_proto& e) {
    EXPECT_TRUE(e.response().starts_with("-ERR")) << e.response();
    EXPECT_EQ(std::string(e.what()), "pop3: PASS: " + e.response());
  }
  POP3 good = logged_in(server);
  EXPECT_THROW(good.retr(7), error_proto);
  EXPECT_TRUE(good.noop().starts_with("+OK"));  // still usable after a -ERR
}

TEST(POP3, DeleIsUndoneByRsetAndCommittedByQuit) {
  START_DOVECOT(server);
  {
    POP3 pop = logged_in(server);
    pop.dele(1);
    EXPECT_THROW(pop.retr(1), error_proto);
    pop.rset();
    EXPECT_EQ(pop.retr(1).lines, test::Dovecot::first_message_lines());
    pop.dele(1);
    pop.quit();
  }
  POP3 again = logged_in(server);
  EXPECT_EQ(again.stat().first, 0u);
}

// Dovecot offers APOP (with a plaintext passdb) and then puts a <timestamp> in its greeting.
TEST(POP3, ApopAgainstDovecot) {
  START_DOVECOT(server, "--apop");
  POP3 pop("127.0.0.1", server.pop3_port(), Timeout(20s));
  EXPECT_TRUE(pop.getwelcome().ends_with(">")) << pop.getwelcome();
  EXPECT_TRUE(pop.apop("tester", "secret").starts_with("+OK"));
  EXPECT_EQ(pop.stat().first, 1u);
  pop.quit();
  POP3 wrong("127.0.0.1", server.pop3_port(), Timeout(20s));
  try {
    wrong.apop("tester", "wrong");
    ADD_FAILURE() << "a wrong APOP digest was accepted";
  } catch (const error_proto& e) {
    EXPECT_TRUE(e.response().starts_with("-ERR")) << e.what();
    EXPECT_TRUE(std::string(e.what()).starts_with("pop3: APOP: -ERR")) << e.what();
  }
}

// Without the mechanism the greeting has no timestamp: APOP is refused before anything is sent.
TEST(POP3, ApopNeedsATimestampInTheGreeting) {
  START_DOVECOT(server);
  POP3 pop("127.0.0.1", server.pop3_port(), Timeout(20s));
  EXPECT_EQ(test::error_of([&] { pop.apop("tester", "secret"); }),
            "pop3: -ERR APOP not supported by server");
  pop.user("tester");  // the connection is still usable
  pop.pass_("secret");
  EXPECT_EQ(pop.stat().first, 1u);
}

TEST(POP3, StlsUpgradesThenLogsIn) {
  START_DOVECOT(server);
  POP3 pop("127.0.0.1", server.pop3_port(), Timeout(20s));
  tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(server.cert());
  EXPECT_TRUE(pop.stls(ctx).starts_with("+OK"));
  EXPECT_TRUE(pop.channel().is_tls());
  EXPECT_EQ(test::error_of([&] { pop.stls(ctx); }), "pop3: -ERR TLS session already established");
  pop.user("tester");
  pop.pass_("secret");
  EXPECT_EQ(pop.stat().first, 1u);
}

TEST(POP3, Pop3SslIsTlsFromTheFirstByte) {
  START_DOVECOT(server);
  tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(server.cert());
  POP3_SSL pop("127.0.0.1", ctx, server.pop3s_port(), Timeout(20s));
  EXPECT_TRUE(pop.channel().is_tls());
  EXPECT_EQ(pop.getwelcome(), "+OK Dovecot test server ready.");
  pop.user("tester");
  pop.pass_("secret");
  EXPECT_EQ(pop.stat().first, 1u);
  EXPECT_TRUE(pop.quit().starts_with("+OK"));
  // A context that does not trust the throw-away certificate is refused.
  tls::SSLContext strict(tls::PROTOCOL_TLS_CLIENT);
  EXPECT_ANY_THROW(POP3_SSL("127.0.0.1", strict, server.pop3s_port(), Timeout(20s)));
}

TEST(POP3, HostileServers) {
  {
    test::ScriptedPeer fake({"-ERR go away\r\n"});
    EXPECT_EQ(test::error_of([&] { POP3("127.0.0.1", fake.port(), Timeout(10s)); }),
              "pop3: greeting: -ERR go away");
  }
  {
    test::ScriptedPeer fake({"+OK hi\r\n", std::string(MAXLINE + 10, 'a') + "\r\n"});
    POP3 pop("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(test::error_of([&] { pop.noop(); }),
              "pop3: line too long (pop3: reply to NOOP: line longer than 2048 bytes)");
  }
  {
    test::ScriptedPeer fake({"+OK hi\r\n", "+OK\r\nline1\r\nli"});
    POP3 pop("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(test::error_of([&] { pop.retr(1); }),
              "pop3: -ERR EOF (pop3: reply to RETR: connection closed mid-line)");
  }
  {
    test::ScriptedPeer fake({"+OK hi\r\n", "+OK 1\r\n"});
    POP3 pop("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(test::error_of([&] { pop.stat(); }), "pop3: STAT: malformed reply: +OK 1");
  }
  {
    test::ScriptedPeer fake({"+OK hi\r\n"}, true);
    POP3 pop("127.0.0.1", fake.port(), Timeout(300ms));
    EXPECT_THROW(pop.stat(), TimeoutError);
  }
  {
    // STLS's +OK followed at once by plaintext the attacker wants read as the TLS reply.
    test::ScriptedPeer fake(
        {"+OK hi\r\n", "+OK\r\nSTLS\r\n.\r\n", "+OK Begin TLS\r\n+OK injected\r\n"});
    POP3 pop("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_THROW(pop.stls(tls::SSLContext(tls::PROTOCOL_TLS_CLIENT)), proto::TLSInjectionError);
  }
  {
    test::ScriptedPeer fake({"+OK hi\r\n", "+OK\r\nUSER\r\n.\r\n"});
    POP3 pop("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(test::error_of([&] { pop.stls(tls::SSLContext(tls::PROTOCOL_TLS_CLIENT)); }),
              "pop3: -ERR STLS not supported by server");
  }
}
