// SPDX-License-Identifier: MIT
// ICMP echo messages built and parsed byte by byte, then EchoSocket against the kernel's own
// echo replies on loopback (raw as root, datagram where ping_group_range allows).
#include <soket/icmp.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include <soket/error.hpp>

namespace soket::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

// The reply a host would send to `request`: type 0 (or 129), checksum recomputed for IPv4.
std::vector<std::byte> reply_to(std::vector<std::byte> request, Family family) {
  request[0] =
      static_cast<std::byte>(family == Family::inet6 ? icmp::echo_reply_v6 : icmp::echo_reply_v4);
  request[2] = request[3] = std::byte{0};
  if (family == Family::inet6) return request;
  auto sum = icmp::checksum(request);
  request[2] = static_cast<std::byte>(sum >> 8);
  request[3] = static_cast<std::byte>(sum & 0xff);
  return request;
}

TEST(Icmp, ChecksumMatchesRfc1071Example) {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the checksum is 220d.
  EXPECT_EQ(icmp::checksum(bytes({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7})), 0x220d);
  // An odd length is padded with a zero byte.
  EXPECT_EQ(icmp::checksum(bytes({0xff})), static_cast<std::uint16_t>(~0xff00 & 0xffff));
  EXPECT_EQ(icmp::checksum({}), 0xffff);
}

TEST(Icmp, EchoRequestHasTypeIdSequenceAndAValidChecksum) {
  auto payload = bytes({1, 2, 3, 4, 5});
  auto m = icmp::echo_request(Family::inet, 0x1234, 0xabcd, payload);
  ASSERT_EQ(m.size(), icmp::header_size + payload.size());
  EXPECT_EQ(std::to_integer<int>(m[0]), 8);
  EXPECT_EQ(std::to_integer<int>(m[4]), 0x12);
  EXPECT_EQ(std::to_integer<int>(m[5]), 0x34);
  EXPECT_EQ(std::to_integer<int>(m[6]), 0xab);
  EXPECT_EQ(std::to_integer<int>(m[7]), 0xcd);
  EXPECT_EQ(icmp::checksum(m), 0) << "a message with its checksum sums to zero";
  auto m6 = icmp::echo_request(Family::inet6, 1, 2, payload);
  EXPECT_EQ(std::to_integer<int>(m6[0]), 128);
}

TEST(Icmp, ParsesItsOwnRequestsAnswered) {
  for (Family f : {Family::inet, Family::inet6}) {
    auto payload = bytes({9, 8, 7});
    auto reply = reply_to(icmp::echo_request(f, 77, 5, payload), f);
    auto echo = icmp::parse_echo_reply(f, reply, false);
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->id, 77);
    EXPECT_EQ(echo->sequence, 5);
    EXPECT_EQ(echo->size, reply.size());
    EXPECT_EQ(echo->ttl, -1);
    EXPECT_EQ(std::vector<std::byte>(echo->payload.begin(), echo->payload.end()), payload);
  }
}

TEST(Icmp, ReadsTheTtlFromAnIpv4Header) {
  auto icmp_part = reply_to(icmp::echo_request(Family::inet, 1, 1, {}), Family::inet);
  auto packet = bytes({0x45, 0, 0, 28, 0, 0, 0, 0, 61, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1});
  packet.insert(packet.end(), icmp_part.begin(), icmp_part.end());
  auto echo = icmp::parse_echo_reply(Family::inet, packet, true);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->ttl, 61);
  EXPECT_EQ(echo->size, 8u);
  // IHL 6: a 24-byte header with options.
  auto with_options =
      bytes({0x46, 0, 0, 32, 0, 0, 0, 0, 7, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, 1, 1, 1, 1});
  with_options.insert(with_options.end(), icmp_part.begin(), icmp_part.end());
  echo = icmp::parse_echo_reply(Family::inet, with_options, true);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->ttl, 7);
}

TEST(Icmp, RefusesWhatIsNotAnEchoReply) {
  auto good = reply_to(icmp::echo_request(Family::inet, 1, 1, bytes({1, 2})), Family::inet);
  // Every truncation.
  for (std::size_t n = 0; n < icmp::header_size; ++n)
    EXPECT_FALSE(icmp::parse_echo_reply(Family::inet, std::span(good).first(n), false)) << n;
  // Our own request (a raw socket sees it on loopback).
  auto request = icmp::echo_request(Family::inet, 1, 1, {});
  EXPECT_FALSE(icmp::parse_echo_reply(Family::inet, request, false));
  // A flipped bit: the checksum catches it.
  auto bad = good;
  bad[9] ^= std::byte{0x10};
  EXPECT_FALSE(icmp::parse_echo_reply(Family::inet, bad, false));
  // A nonzero code.
  auto code = good;
  code[1] = std::byte{1};
  EXPECT_FALSE(icmp::parse_echo_reply(Family::inet, code, false));
  // An IPv6 reply type is not an IPv4 one, and the other way round.
  auto v6 = reply_to(icmp::echo_request(Family::inet6, 1, 1, {}), Family::inet6);
  EXPECT_FALSE(icmp::parse_echo_reply(Family::inet, v6, false));
  EXPECT_FALSE(icmp::parse_echo_reply(Family::inet6, good, false));
  // IPv4 headers: short, wrong version, IHL below 5, IHL past the end, not ICMP.
  auto header = bytes({0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1});
  auto with = [&](std::vector<std::byte> h) {
    h.insert(h.end(), good.begin(), good.end());
    return icmp::parse_echo_reply(Family::inet, h, true);
  };
  EXPECT_TRUE(with(header));
  EXPECT_FALSE(icmp::parse_echo_reply(Family::inet, std::span(header).first(19), true));
  auto h = header;
  h[0] = std::byte{0x65};
  EXPECT_FALSE(with(h));
  h = header;
  h[0] = std::byte{0x44};
  EXPECT_FALSE(with(h));
  h = header;
  h[0] = std::byte{0x4f};  // 60 bytes of header: more than the packet holds
  EXPECT_FALSE(with(h));
  h = header;
  h[9] = std::byte{6};
  EXPECT_FALSE(with(h));
}

TEST(EchoSocket, RefusesANonIpFamily) {
  EXPECT_THROW(icmp::EchoSocket(Family::unix), Error);
}

// Pings `to` once through `sock` and checks the reply the kernel sends back.
void round_trip(icmp::EchoSocket& sock, const Address& to) {
  auto payload = bytes({0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58});
  sock.send(to, 42, payload);
  auto reply = sock.receive(10s);
  ASSERT_TRUE(reply) << "no echo reply from " << to.to_string();
  EXPECT_EQ(reply->sequence, 42);
  EXPECT_EQ(reply->size, icmp::header_size + payload.size());
  EXPECT_EQ(reply->payload, payload);
  EXPECT_EQ(reply->from.host(), to.host());
  EXPECT_GT(reply->ttl, 0) << "the kernel reports the reply's TTL / hop limit";
  // Nothing more is due: a short wait ends empty.
  EXPECT_FALSE(sock.receive(50ms));
}

void each_kind(Family family, const char* host) {
  for (icmp::Kind kind : {icmp::Kind::raw, icmp::Kind::dgram}) {
    SCOPED_TRACE(kind == icmp::Kind::raw ? "raw" : "dgram");
    std::optional<icmp::EchoSocket> sock;
    try {
      sock.emplace(family, kind);
    } catch (const PermissionError& e) {
      // Not a failure: the message must say what is needed.
      EXPECT_NE(
          std::string(e.what()).find(kind == icmp::Kind::raw ? "CAP_NET_RAW" : "ping_group_range"),
          std::string::npos)
          << e.what();
      continue;
    }
    EXPECT_EQ(sock->kind(), kind);
    round_trip(*sock, Address(host, 0));
  }
}

TEST(EchoSocket, PingsLoopbackV4WithEachKindAllowedHere) {
  each_kind(Family::inet, "127.0.0.1");
}

TEST(EchoSocket, PingsLoopbackV6WithEachKindAllowedHere) {
  each_kind(Family::inet6, "::1");
}

TEST(EchoSocket, SetsTtlAndRefusesOutOfRange) {
  std::optional<icmp::EchoSocket> sock;
  try {
    sock.emplace(Family::inet);
  } catch (const PermissionError& e) {
    GTEST_SKIP() << "no ICMP socket allowed here: " << e.what();
  }
  sock->set_ttl(1);  // loopback is one hop: the echo still comes back
  round_trip(*sock, Address("127.0.0.1", 0));
  EXPECT_THROW(sock->set_ttl(0), Error);
  EXPECT_THROW(sock->set_ttl(256), Error);
}

}  // namespace
}  // namespace soket::test
