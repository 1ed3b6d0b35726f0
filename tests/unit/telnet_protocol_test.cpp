// SPDX-License-Identifier: MIT
// The Telnet parser (IAC commands split anywhere, IAC IAC, CR NUL, subnegotiation cap) and
// RFC 1143's Q method (no reply to confirmations, no request loops).
#include <gtest/gtest.h>

#include <soket/proto/telnet/negotiation.hpp>
#include <soket/proto/telnet/parser.hpp>
#include <soket/proto/telnet/protocol.hpp>

namespace telnet = soket::proto::telnet;
using telnet::Command;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

// Feeds `wire` split at every position; the result must not depend on the split.
void expect_any_split(const std::string& wire, const std::string& data,
                      const std::vector<Command>& commands) {
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    telnet::Parser p;
    std::string got;
    std::vector<Command> cmds;
    p.feed(std::string_view(wire).substr(0, cut), got, cmds);
    p.feed(std::string_view(wire).substr(cut), got, cmds);
    EXPECT_EQ(got, data) << "cut at " << cut;
    ASSERT_EQ(cmds.size(), commands.size()) << "cut at " << cut;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      EXPECT_EQ(cmds[i].cmd, commands[i].cmd) << "cut at " << cut;
      EXPECT_EQ(cmds[i].option, commands[i].option) << "cut at " << cut;
      EXPECT_EQ(cmds[i].payload, commands[i].payload) << "cut at " << cut;
    }
    EXPECT_FALSE(p.mid_command());
  }
}

}  // namespace

TEST(TelnetParser, NegotiationsAndDataInOrderWhateverTheSplit) {
  const std::string wire =
      "ab" + bytes({255, 253, 24}) + "cd" + bytes({255, 251, 1}) + "e" + bytes({255, 246});
  expect_any_split(wire, "abcde",
                   {{telnet::DO, 24, {}, 0}, {telnet::WILL, 1, {}, 0}, {telnet::AYT, 0, {}, 0}});
}

TEST(TelnetParser, DoubledIacIsOneDataByte) {
  expect_any_split(bytes({'x', 255, 255, 'y'}), bytes({'x', 255, 'y'}), {});
}

TEST(TelnetParser, SubnegotiationPayloadWithDoubledIac) {
  const std::string wire = bytes({255, 250, 24, 1, 255, 255, 7, 255, 240}) + "z";
  expect_any_split(wire, "z", {{telnet::SE, 24, bytes({1, 255, 7}), 0}});
}

TEST(TelnetParser, CrNulIsACrAndCrLfStays) {
  expect_any_split(bytes({'a', '\r', 0, 'b', '\r', '\n'}), "a\rb\r\n", {});
}

TEST(TelnetParser, BinaryModeKeepsNul) {
  telnet::Parser p;
  p.set_binary(true);
  std::string got;
  std::vector<Command> cmds;
  p.feed(bytes({'a', '\r', 0}), got, cmds);
  EXPECT_EQ(got, bytes({'a', '\r', 0}));
}

TEST(TelnetParser, EndlessSubnegotiationIsRefused) {
  telnet::Parser p(16);
  std::string got;
  std::vector<Command> cmds;
  const std::string wire = bytes({255, 250, 24}) + std::string(17, 'x');
  EXPECT_THROW(p.feed(wire, got, cmds), telnet::Error);
  telnet::Parser p2(16);
  try {
    p2.feed(wire, got, cmds);
  } catch (const telnet::Error& e) {
    EXPECT_STREQ(e.what(), "telnet subnegotiation of option ttype longer than 16 bytes");
  }
}

TEST(TelnetParser, IacCommandInsideSubnegotiationEndsIt) {
  // A broken peer: IAC WILL inside SB. The SB ends, the WILL is seen.
  expect_any_split(bytes({255, 250, 31, 1, 255, 251, 3}), "",
                   {{telnet::SE, 31, bytes({1}), 0}, {telnet::WILL, 3, {}, 0}});
}

TEST(TelnetProtocol, EscapeDoublesIacOnly) {
  EXPECT_EQ(telnet::escape_iac(bytes({1, 255, 2, 255, 255})),
            bytes({1, 255, 255, 2, 255, 255, 255, 255}));
  EXPECT_EQ(telnet::escape_iac("plain\r\n"), "plain\r\n");
  EXPECT_EQ(telnet::subnegotiation(31, bytes({0, 80, 0, 255})),
            bytes({255, 250, 31, 0, 80, 0, 255, 255, 255, 240}));
}

TEST(TelnetNegotiation, RefusesOnceAndNeverAnswersConfirmations) {
  telnet::Negotiation n;  // refuses everything
  EXPECT_EQ(n.receive(telnet::DO, 24), bytes({255, telnet::WONT, 24}));
  EXPECT_EQ(n.receive(telnet::WILL, 1), bytes({255, telnet::DONT, 1}));
  // The peer's acknowledgements of our refusals get no reply (telnetlib would answer).
  EXPECT_EQ(n.receive(telnet::DONT, 24), "");
  EXPECT_EQ(n.receive(telnet::WONT, 1), "");
  EXPECT_FALSE(n.enabled(true, 24));
  EXPECT_FALSE(n.enabled(false, 1));
}

TEST(TelnetNegotiation, AcceptsWhatThePolicyAllows) {
  telnet::Negotiation n;
  EXPECT_EQ(n.receive(telnet::WILL, telnet::option::echo, true), bytes({255, telnet::DO, 1}));
  EXPECT_TRUE(n.enabled(false, telnet::option::echo));
  EXPECT_EQ(n.receive(telnet::WILL, telnet::option::echo, true), "");  // on: no reply
  EXPECT_EQ(n.receive(telnet::DO, telnet::option::naws, true), bytes({255, telnet::WILL, 31}));
  EXPECT_TRUE(n.enabled(true, telnet::option::naws));
  // The peer turns echo off: we agree once.
  EXPECT_EQ(n.receive(telnet::WONT, telnet::option::echo), bytes({255, telnet::DONT, 1}));
  EXPECT_FALSE(n.enabled(false, telnet::option::echo));
}

TEST(TelnetNegotiation, RequestsFollowTheQMethod) {
  telnet::Negotiation n;
  EXPECT_EQ(n.request(false, telnet::option::sga, true), bytes({255, telnet::DO, 3}));
  // Outstanding: a second request sends nothing.
  EXPECT_EQ(n.request(false, telnet::option::sga, true), "");
  // The answer WILL completes it without a reply.
  EXPECT_EQ(n.receive(telnet::WILL, telnet::option::sga), "");
  EXPECT_TRUE(n.enabled(false, telnet::option::sga));
  // Asked to disable, then re-enable before the answer: the reversal is queued and sent once
  // the WONT arrives.
  EXPECT_EQ(n.request(false, telnet::option::sga, false), bytes({255, telnet::DONT, 3}));
  EXPECT_EQ(n.request(false, telnet::option::sga, true), "");
  EXPECT_EQ(n.receive(telnet::WONT, telnet::option::sga), bytes({255, telnet::DO, 3}));
  EXPECT_EQ(n.receive(telnet::WILL, telnet::option::sga), "");
  EXPECT_TRUE(n.enabled(false, telnet::option::sga));
}

TEST(TelnetNegotiation, RefusedRequestEndsInNo) {
  telnet::Negotiation n;
  EXPECT_EQ(n.request(true, telnet::option::naws, true), bytes({255, telnet::WILL, 31}));
  EXPECT_EQ(n.receive(telnet::DONT, telnet::option::naws), "");
  EXPECT_FALSE(n.enabled(true, telnet::option::naws));
}
