// SPDX-License-Identifier: MIT
// Telnet against a real inetutils-telnetd: negotiation with a real server, a failed and a
// good login, a command run in the shell, and the terminal type and window size the server
// learned from our subnegotiations (TERM and `stty size` on its pty).
#include <gtest/gtest.h>

#include <soket/proto/telnet/telnet.hpp>

#include "servers/news_server.hpp"

namespace telnet = soket::proto::telnet;
using soket::test::NewsServer;

namespace {

void login(telnet::Telnet& t, const std::string& password) {
  ASSERT_TRUE(t.read_until("login: ", 20.0).ends_with("login: "));
  t.write("tester\r\n");
  ASSERT_TRUE(t.read_until("Password: ", 20.0).ends_with("Password: "));
  t.write(password + "\r\n");
}

}  // namespace

TEST(Telnetd, LoginRunCommandAndTerminalOptions) {
  NewsServer server(NewsServer::Kind::telnetd);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  telnet::TelnetOptions options;
  options.terminal_type = "vt100";
  options.window_size = std::make_pair(std::uint16_t{123}, std::uint16_t{45});
  telnet::Telnet t(options);
  t.open("127.0.0.1", server.port(), 20.0);

  login(t, "wrong");
  EXPECT_NE(t.read_until("login: ", 20.0).find("Login incorrect"), std::string::npos);
  t.write("tester\r\n");
  ASSERT_TRUE(t.read_until("Password: ", 20.0).ends_with("Password: "));
  t.write("secret\r\n");
  const std::string welcome = t.read_until("$ ", 20.0);
  EXPECT_NE(welcome.find("Welcome, tester."), std::string::npos) << welcome;
  // The server took our options: ECHO and SGA on its side, TTYPE and NAWS on ours.
  EXPECT_TRUE(t.option_enabled(false, telnet::option::sga));
  EXPECT_TRUE(t.option_enabled(true, telnet::option::ttype));
  EXPECT_TRUE(t.option_enabled(true, telnet::option::naws));

  t.write("echo result=$((6*7)) user=$(id -un) term=$TERM size=$(stty size)\r\n");
  const auto r = t.expect({std::regex(R"(result=42 user=(\w+) term=(\S+) size=(\d+ \d+))")}, 20.0);
  ASSERT_EQ(r.index, 0) << r.text;
  EXPECT_EQ((*r.match)[1], "nobody");
  EXPECT_EQ((*r.match)[2], "vt100");
  EXPECT_EQ((*r.match)[3], "45 123");
  t.read_until("$ ", 20.0);
  t.write("exit\r\n");
  // The shell ends, telnetd closes: what is left, then EOF.
  std::string rest;
  try {
    for (;;) rest += t.read_until("never", 20.0);
  } catch (const telnet::EOFError&) {
  }
  EXPECT_TRUE(t.eof());
}

TEST(Telnetd, RefusingEverythingStillLogsIn) {
  NewsServer server(NewsServer::Kind::telnetd);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  telnet::TelnetOptions options;
  options.accept_echo = false;
  options.accept_sga = false;
  telnet::Telnet t(options);
  t.open("127.0.0.1", server.port(), 20.0);
  login(t, "secret");
  EXPECT_NE(t.read_until("$ ", 20.0).find("Welcome"), std::string::npos);
  EXPECT_FALSE(t.option_enabled(false, telnet::option::echo));
  t.write("echo ok-$((1+1))\r\n");
  EXPECT_NE(t.read_until("ok-2", 20.0).find("ok-2"), std::string::npos);
}
