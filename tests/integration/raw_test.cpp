// SPDX-License-Identifier: MIT
// Raw and packet sockets: a raw ICMP echo to 127.0.0.1 with a parsed reply, an AF_PACKET
// socket on "lo" seeing a UDP datagram we send, packet addresses as Python prints them, and
// the privilege error an unprivileged process gets (CPython test_socket's raw/packet tests).
#include <soket/socket.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <soket/error.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::Child;
using soket::test::python_argv;

namespace {

constexpr int ipproto_icmp = 1;
constexpr std::uint16_t eth_p_all = 0x0003, eth_p_ip = 0x0800;
constexpr int arphrd_loopback = 772;

std::span<const std::byte> bytes(const std::vector<std::uint8_t>& v) {
  return std::as_bytes(std::span<const std::uint8_t>(v));
}

// The Internet checksum (RFC 1071) over `data`.
std::uint16_t inet_checksum(const std::uint8_t* data, std::size_t len) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2)
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (len % 2) sum += static_cast<std::uint32_t>(data[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> echo_request(std::uint16_t id, std::uint16_t seq,
                                       const std::string& payload) {
  std::vector<std::uint8_t> p{8,
                              0,
                              0,
                              0,
                              static_cast<std::uint8_t>(id >> 8),
                              static_cast<std::uint8_t>(id),
                              static_cast<std::uint8_t>(seq >> 8),
                              static_cast<std::uint8_t>(seq)};
  p.insert(p.end(), payload.begin(), payload.end());
  std::uint16_t sum = inet_checksum(p.data(), p.size());
  p[2] = static_cast<std::uint8_t>(sum >> 8);
  p[3] = static_cast<std::uint8_t>(sum);
  return p;
}

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

bool is_root() {
  return ::geteuid() == 0;
}

// Runs `body` in a forked child that has given up root (uid/gid 65534, "nobody"), and returns
// what it wrote to the pipe (the exception message it saw).
std::string as_nobody(void (*body)(int out)) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
      (void)!::write(p[1], "setuid failed", 13);
      ::_exit(1);
    }
    body(p[1]);
    ::_exit(0);
  }
  ::close(p[1]);
  std::string out;
  char buf[512];
  for (int i = 0; i < 100; ++i) {
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

void report(int out, const std::string& s) {
  (void)!::write(out, s.data(), s.size());
}

}  // namespace

TEST(RawSocket, IcmpEchoToLoopbackGetsAMatchingReplyWithAValidChecksum) {
  if (!is_root()) GTEST_SKIP() << "raw sockets need root";
  Socket s(Family::inet, Type::raw, ipproto_icmp);
  EXPECT_EQ(s.type(), Type::raw);
  EXPECT_EQ(s.proto(), ipproto_icmp);
  s.settimeout(5.0);
  const auto id = static_cast<std::uint16_t>(::getpid() ^ 0x5a5a);
  const std::uint16_t seq = 7;
  const std::string payload = "soket-raw-echo-" + std::to_string(::getpid());
  auto request = echo_request(id, seq, payload);
  EXPECT_EQ(s.sendto(bytes(request), Address("127.0.0.1", 0)), request.size());

  bool found = false;
  // Our own request comes back to a raw socket too; skip it and anything else (bounded).
  for (int i = 0; i < 50 && !found; ++i) {
    auto [data, from] = s.recvfrom(65536);
    auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
    ASSERT_GE(data.size(), 20u);
    std::size_t ihl = (p[0] & 0x0f) * 4u;  // a raw IPv4 socket receives the IP header
    ASSERT_GE(data.size(), ihl + 8);
    const std::uint8_t* icmp = p + ihl;
    std::size_t icmp_len = data.size() - ihl;
    if (icmp[0] != 0 || be16(icmp + 4) != id) continue;  // not our echo reply
    found = true;
    EXPECT_EQ(from.host(), "127.0.0.1");
    EXPECT_EQ(p[9], ipproto_icmp);
    EXPECT_EQ(be16(icmp + 6), seq);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(icmp + 8), icmp_len - 8), payload);
    EXPECT_EQ(inet_checksum(icmp, icmp_len), 0) << "reply checksum does not verify";
  }
  EXPECT_TRUE(found) << "no echo reply with id " << id;
}

TEST(PacketSocket, SeesALoopbackUdpDatagramAndReportsItsLinkAddress) {
  if (!is_root()) GTEST_SKIP() << "packet sockets need root";
  Socket sniffer(Family::packet, Type::raw, ::htons(eth_p_all));
  sniffer.bind(Address::packet("lo", eth_p_all));
  sniffer.settimeout(5.0);

  Socket rx(Family::inet, Type::dgram), tx(Family::inet, Type::dgram);
  rx.bind({"127.0.0.1", 0});
  const std::string payload = "soket-packet-" + std::to_string(::getpid()) + "-unique";
  tx.sendto(payload, rx.getsockname());

  bool found = false;
  for (int i = 0; i < 500 && !found; ++i) {  // other loopback traffic may come first
    auto [frame, from] = sniffer.recvfrom(65536);
    if (frame.find(payload) == std::string::npos) continue;
    found = true;
    EXPECT_EQ(from.family(), Family::packet);
    EXPECT_EQ(from.ifname(), "lo");
    EXPECT_EQ(from.ifindex(), static_cast<int>(Address::packet("lo", 0).ifindex()));
    EXPECT_EQ(from.protocol(), eth_p_ip);
    EXPECT_EQ(from.hatype(), arphrd_loopback);
    EXPECT_TRUE(from.pkttype() == 0 || from.pkttype() == 4) << from.pkttype();  // host / outgoing
    EXPECT_EQ(from.hwaddr(), std::string(6, '\0'));
    EXPECT_EQ(from.repr(), "('lo', 2048, " + std::to_string(from.pkttype()) +
                               ", 772, b'\\x00\\x00\\x00\\x00\\x00\\x00')");
    // The frame is Ethernet (14 zero-address bytes on lo) + IPv4 + UDP + payload.
    ASSERT_GE(frame.size(), 14u + 20u + 8u + payload.size());
    EXPECT_EQ(be16(reinterpret_cast<const std::uint8_t*>(frame.data()) + 12), eth_p_ip);
  }
  EXPECT_TRUE(found);
}

TEST(PacketSocket, GetsocknameMatchesPythonsTuple) {
  if (!is_root()) GTEST_SKIP() << "packet sockets need root";
  Socket s(Family::packet, Type::raw, ::htons(eth_p_all));
  s.bind(Address::packet("lo", eth_p_ip));
  Child py(python_argv(R"(
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(('lo', 0x0800))
print(repr(s.getsockname()))
)"));
  EXPECT_EQ(py.read_line(), s.getsockname().repr());
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
}

TEST(PacketAddress, BuildsAndRejectsLikePython) {
  Address a = Address::packet("lo", eth_p_ip, 4, arphrd_loopback, std::string("\x01\x02\x7f", 3));
  EXPECT_EQ(a.family(), Family::packet);
  EXPECT_EQ(a.ifname(), "lo");
  EXPECT_GT(a.ifindex(), 0);
  EXPECT_EQ(a.protocol(), eth_p_ip);
  EXPECT_EQ(a.pkttype(), 4);
  EXPECT_EQ(a.hatype(), arphrd_loopback);
  EXPECT_EQ(a.hwaddr(), std::string("\x01\x02\x7f", 3));
  EXPECT_EQ(a.repr(), "('lo', 2048, 4, 772, b'\\x01\\x02\\x7f')");
  EXPECT_EQ(Address::packet("lo", eth_p_ip).repr(), "('lo', 2048, 0, 0, b'')");
  // Other families have no packet fields.
  EXPECT_EQ(Address("127.0.0.1", 80).ifname(), "");
  EXPECT_EQ(Address("127.0.0.1", 80).protocol(), 0);
  try {
    Address::packet("no-such-if0", eth_p_ip);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "packet address: unknown network interface 'no-such-if0'");
  }
  try {
    Address::packet("lo", eth_p_ip, 0, 0, "123456789");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "packet address: hardware address must be 8 bytes or less");
  }
}

TEST(RawSocket, WithoutPrivilegeTheErrorNamesCapNetRaw) {
  if (!is_root()) {
    // Already unprivileged: check here.
    try {
      Socket s(Family::inet, Type::raw, ipproto_icmp);
      GTEST_SKIP() << "this unprivileged process may open raw sockets";
    } catch (const PermissionError& e) {
      EXPECT_STREQ(
          e.what(),
          "socket(inet, raw): Operation not permitted (raw sockets need CAP_NET_RAW or root)");
    }
    return;
  }
  std::string raw = as_nobody([](int out) {
    try {
      Socket s(Family::inet, Type::raw, ipproto_icmp);
      report(out, "no error");
    } catch (const PermissionError& e) {
      bool eperm = e.code() == std::errc::operation_not_permitted && e.code().value() == EPERM;
      report(out, std::string(eperm ? "" : "[not EPERM] ") + e.what());
    } catch (const std::exception& e) {
      report(out, std::string("[other] ") + e.what());
    }
  });
  EXPECT_EQ(raw,
            "socket(inet, raw): Operation not permitted (raw sockets need CAP_NET_RAW or root)");

  std::string packet = as_nobody([](int out) {
    try {
      Socket s(Family::packet, Type::dgram, 0);
      report(out, "no error");
    } catch (const PermissionError& e) {
      report(out, e.what());
    }
    // The error_code form reports plain EPERM.
    std::error_code ec;
    Socket t(Family::inet, Type::raw, ipproto_icmp, ec);
    report(out, ec == std::errc::operation_not_permitted ? "|ec ok" : "|ec " + ec.message());
  });
  EXPECT_EQ(packet,
            "socket(packet, dgram): Operation not permitted (packet sockets need CAP_NET_RAW or "
            "root)|ec ok");
}
