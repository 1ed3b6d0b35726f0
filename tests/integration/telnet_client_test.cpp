// SPDX-License-Identifier: MIT
// Telnet against a scripted server on loopback: the exact negotiation bytes sent back (RFC
// 1143: refuse once, never answer confirmations), TTYPE/NAWS subnegotiation, IAC doubling both
// ways, read_until/expect/read_very_eager, timeouts, EOF, the callback and the buffer cap.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <soket/proto/telnet/telnet.hpp>

#include "support/support.hpp"

namespace telnet = soket::proto::telnet;
using soket::Socket;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

// Exactly n bytes from the server side, or what arrived before the timeout/EOF.
std::string read_n(Socket& s, std::size_t n) {
  std::string out;
  s.settimeout(10.0);
  while (out.size() < n) {
    std::string got;
    try {
      got = s.recv(n - out.size());
    } catch (const soket::TimeoutError&) {
      break;
    }
    if (got.empty()) break;
    out += got;
  }
  return out;
}

// What the server side receives within a short while (for "nothing more was sent").
std::string read_quiet(Socket& s) {
  s.settimeout(0.3);
  std::string out;
  try {
    for (;;) {
      std::string got = s.recv(4096);
      if (got.empty()) break;
      out += got;
    }
  } catch (const soket::TimeoutError&) {
  }
  return out;
}

std::pair<telnet::Telnet, Socket> connected(telnet::TelnetOptions options = {}) {
  auto [a, b] = soket::test::loopback_pair();
  telnet::Telnet t(std::move(options));
  t.adopt(std::move(a));
  return {std::move(t), std::move(b)};
}

}  // namespace

TEST(TelnetClient, RefusesUnknownOptionsOnceAndAcceptsEchoAndSga) {
  auto [t, server] = connected();
  server.sendall(bytes({255, telnet::DO, 24, 255, telnet::WILL, 1, 255, telnet::WILL, 3, 255,
                        telnet::DO, 31, 255, telnet::DO, 99}) +
                 "login: ");
  EXPECT_EQ(t.read_until("login: ", 10.0), "login: ");
  EXPECT_EQ(read_n(server, 15), bytes({255, telnet::WONT, 24, 255, telnet::DO, 1, 255, telnet::DO,
                                       3, 255, telnet::WONT, 31, 255, telnet::WONT, 99}));
  EXPECT_TRUE(t.option_enabled(false, telnet::option::echo));
  EXPECT_FALSE(t.option_enabled(true, telnet::option::ttype));
  // The server acknowledges: DONT TTYPE, WILL ECHO again. No reply may follow (telnetlib
  // would answer both, which RFC 854's loop rule forbids).
  server.sendall(bytes({255, telnet::DONT, 24, 255, telnet::WILL, 1}) + "x");
  EXPECT_EQ(t.read_until("x", 10.0), "x");
  EXPECT_EQ(read_quiet(server), "");
}

TEST(TelnetClient, TerminalTypeAndWindowSizeWhenConfigured) {
  telnet::TelnetOptions options;
  options.terminal_type = "XTERM";
  options.window_size = std::make_pair(std::uint16_t{80}, std::uint16_t{255});
  auto [t, server] = connected(options);
  server.sendall(
      bytes({255, telnet::DO, 24, 255, telnet::SB, 24, 1, 255, telnet::SE, 255, telnet::DO, 31}) +
      "$ ");
  EXPECT_EQ(t.read_until("$ ", 10.0), "$ ");
  // WILL TTYPE, SB TTYPE IS XTERM SE, WILL NAWS, SB NAWS 0 80 0 255(doubled) SE.
  const std::string want = bytes({255, telnet::WILL, 24}) + bytes({255, telnet::SB, 24, 0}) +
                           "XTERM" + bytes({255, telnet::SE}) + bytes({255, telnet::WILL, 31}) +
                           bytes({255, telnet::SB, 31, 0, 80, 0, 255, 255, 255, telnet::SE});
  EXPECT_EQ(read_n(server, want.size()), want);
  EXPECT_EQ(t.read_sb_data(), bytes({24, 1}));
  // A new size is sent at once while NAWS is on.
  t.set_window_size(132, 43);
  EXPECT_EQ(read_n(server, 9), bytes({255, telnet::SB, 31, 0, 132, 0, 43, 255, telnet::SE}));
}

TEST(TelnetClient, IacIsDoubledOnWriteAndUndoubledOnRead) {
  auto [t, server] = connected();
  t.write(bytes({'a', 255, 'b'}));
  EXPECT_EQ(read_n(server, 4), bytes({'a', 255, 255, 'b'}));
  server.sendall(bytes({'c', 255, 255, 'd', '\n'}));
  EXPECT_EQ(t.read_until("\n", 10.0), bytes({'c', 255, 'd', '\n'}));
}

TEST(TelnetClient, ReadUntilTimesOutWithWhatArrived) {
  auto [t, server] = connected();
  server.sendall("partial");
  EXPECT_EQ(t.read_until("never", 0.3), "partial");
  EXPECT_EQ(t.read_very_eager(), "");
}

TEST(TelnetClient, EofRaisesOnlyWhenNothingIsLeft) {
  auto [t, server] = connected();
  server.sendall("last words");
  server.close();
  EXPECT_EQ(t.read_until("never", 10.0), "last words");
  EXPECT_THROW(t.read_until("never", 10.0), telnet::EOFError);
  EXPECT_THROW(t.read_very_eager(), telnet::EOFError);
}

TEST(TelnetClient, ReadAllAndReadSome) {
  auto [t, server] = connected();
  std::thread writer([&s = server] {
    s.sendall("one ");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s.sendall(bytes({255, telnet::NOP}) + "two");
    s.close();
  });
  EXPECT_FALSE(t.read_some().empty());
  const std::string rest = t.read_all();
  writer.join();
  EXPECT_TRUE(std::string("one two").ends_with(rest)) << rest;
}

TEST(TelnetClient, ExpectFindsTheFirstMatchingRegex) {
  auto [t, server] = connected();
  server.sendall("Password: ");
  const auto r = t.expect({std::regex("login: "), std::regex("Pass(word): ")}, 10.0);
  EXPECT_EQ(r.index, 1);
  ASSERT_TRUE(r.match);
  EXPECT_EQ((*r.match)[1], "word");
  EXPECT_EQ(r.text, "Password: ");
  const auto none = t.expect({std::regex("x")}, 0.2);
  EXPECT_EQ(none.index, -1);
  EXPECT_FALSE(none.match);
}

// read_until and expect share one wait step (pump): each keeps waiting through data that
// arrives in pieces, negotiations between them, until its match; at EOF expect says so.
TEST(TelnetClient, ReadUntilAndExpectWaitThroughPiecesUntilTheirMatch) {
  auto [t, server] = connected();
  std::thread writer([&s = server] {
    for (const char* piece : {"lo", "gin", ": ", "Pass", "word", ": "}) {
      s.sendall(std::string(piece) + bytes({255, telnet::NOP}));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    s.close();
  });
  EXPECT_EQ(t.read_until("gin: ", 10.0), "login: ");
  const auto r = t.expect({std::regex("word: ")}, 10.0);
  EXPECT_EQ(r.index, 0);
  EXPECT_EQ(r.text, "Password: ");
  writer.join();
  EXPECT_THROW(t.expect({std::regex("x")}, 10.0), telnet::EOFError);
  EXPECT_THROW(t.read_until("x", 10.0), telnet::EOFError);
}

TEST(TelnetClient, CallbackSeesCommandsAndNothingIsAnswered) {
  auto [t, server] = connected();
  std::vector<std::pair<int, int>> seen;
  t.set_option_negotiation_callback(
      [&](Socket&, std::uint8_t cmd, std::uint8_t opt) { seen.emplace_back(cmd, opt); });
  server.sendall(
      bytes({255, telnet::DO, 24, 255, telnet::AYT, 255, telnet::SB, 31, 7, 255, telnet::SE}) +
      "z");
  EXPECT_EQ(t.read_until("z", 10.0), "z");
  EXPECT_EQ(seen, (std::vector<std::pair<int, int>>{
                      {telnet::DO, 24}, {telnet::AYT, telnet::NOOPT}, {telnet::SE, 31}}));
  EXPECT_EQ(t.read_sb_data(), bytes({31, 7}));
  EXPECT_EQ(read_quiet(server), "");
}

TEST(TelnetClient, ReadUntilStopsAtItsBufferCap) {
  telnet::TelnetOptions options;
  options.max_buffer = 1024;
  auto [t, server] = connected(options);
  server.sendall(std::string(4096, 'x'));
  try {
    t.read_until("never", 10.0);
    FAIL() << "no error";
  } catch (const telnet::Error& e) {
    EXPECT_STREQ(e.what(), "telnet read_until: more than 1024 bytes without a match");
  }
}

TEST(TelnetClient, EndlessSubnegotiationIsAnError) {
  auto [t, server] = connected();
  server.sendall(bytes({255, telnet::SB, 24}) + std::string(8192, 'y'));
  EXPECT_THROW(t.read_until("never", 10.0), telnet::Error);
}

TEST(TelnetClient, OpenConnectsAndRefusedPortIsAnError) {
  auto listener = soket::test::listen_ephemeral();
  const auto port = listener.getsockname().port();
  telnet::Telnet t("127.0.0.1", port, 10.0);
  auto peer = listener.accept().conn;
  peer.sendall("hello\r\n");
  EXPECT_EQ(t.read_until("\r\n", 10.0), "hello\r\n");
  EXPECT_THROW(telnet::Telnet("127.0.0.1", soket::test::closed_port(), 10.0),
               soket::ConnectionRefusedError);
  EXPECT_THROW(telnet::Telnet("127.0.0.1", 23, -1.0), std::invalid_argument);
}

// interact() with stdin and stdout as pipes (no terminal): the keys go out as they are, the
// end of stdin half-closes the connection, the server's last words reach stdout, and the
// server's close ends interact().
TEST(TelnetClient, InteractBridgesStdinAndStdoutUntilTheServerCloses) {
  auto [t, server] = connected();
  std::string server_got;
  std::thread peer([&server, &server_got] {
    server.settimeout(10.0);
    for (std::string got; !(got = server.recv(4096)).empty();) server_got += got;
    server.sendall("got " + std::to_string(server_got.size()) + " bytes\r\n");
    server.close();
  });
  int in[2], out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  const std::string keys = "keys typed\n";
  ASSERT_EQ(::write(in[1], keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  ::close(in[1]);
  std::fflush(stdout);
  const int saved_in = ::dup(0), saved_out = ::dup(1);
  ASSERT_GE(saved_in, 0);
  ASSERT_GE(saved_out, 0);
  ::dup2(in[0], 0);
  ::dup2(out[1], 1);
  ::close(in[0]);
  ::close(out[1]);
  std::string error;
  try {
    t.interact();
  } catch (const std::exception& e) {
    error = e.what();
  }
  ::dup2(saved_in, 0);
  ::dup2(saved_out, 1);
  ::close(saved_in);
  ::close(saved_out);
  peer.join();
  std::string shown;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    shown.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  EXPECT_EQ(error, "");
  EXPECT_EQ(server_got, keys);
  EXPECT_EQ(shown, "got 11 bytes\r\n");
}
