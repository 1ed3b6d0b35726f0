// SPDX-License-Identifier: MIT
// Port categories, the kernel's port sysctls as sysctl(8) prints them, and port lists —
// including every malformed list we could think of.
#include <soket/port.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/support.hpp"

namespace soket::test {
namespace {

std::vector<std::uint16_t> parse(std::string_view list, std::string_view proto = "tcp") {
  std::string bad;
  std::error_code ec;
  auto ports = parse_ports(list, proto, bad, ec);
  EXPECT_FALSE(ec) << list << ": " << bad;
  return ports;
}

std::string refused(std::string_view list) {
  std::string bad;
  std::error_code ec;
  auto ports = parse_ports(list, "tcp", bad, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << list;
  EXPECT_TRUE(ports.empty()) << list;
  return bad;
}

// What the sysctl program (procps) prints, read independently of soket.
std::string sysctl(const char* name) {
  std::string cmd = std::string("sysctl -n ") + name + " 2>/dev/null";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {};
  char buf[128] = {};
  std::string out = std::fgets(buf, sizeof buf, p) ? buf : "";
  ::pclose(p);
  return out;
}

TEST(Port, CategoriesFollowTheIanaRanges) {
  EXPECT_EQ(port_category(0), PortCategory::well_known);
  EXPECT_EQ(port_category(1023), PortCategory::well_known);
  EXPECT_EQ(port_category(1024), PortCategory::registered);
  EXPECT_EQ(port_category(49151), PortCategory::registered);
  EXPECT_EQ(port_category(49152), PortCategory::dynamic);
  EXPECT_EQ(port_category(65535), PortCategory::dynamic);
  EXPECT_EQ(to_string(PortCategory::well_known), "well-known");
  EXPECT_EQ(to_string(PortCategory::registered), "registered");
  EXPECT_EQ(to_string(PortCategory::dynamic), "dynamic");
}

TEST(Port, EphemeralRangeAndPrivilegeAreWhatSysctlSays) {
  std::string range = sysctl("net.ipv4.ip_local_port_range");
  if (range.empty()) GTEST_SKIP() << "no sysctl(8) here";
  unsigned lo = 0, hi = 0;
  ASSERT_EQ(std::sscanf(range.c_str(), "%u %u", &lo, &hi), 2) << range;
  auto r = ephemeral_port_range();
  EXPECT_EQ(r.low, lo);
  EXPECT_EQ(r.high, hi);
  EXPECT_TRUE(r.contains(static_cast<std::uint16_t>(lo)));
  EXPECT_FALSE(r.contains(static_cast<std::uint16_t>(lo - 1)));
  EXPECT_EQ(unprivileged_port_start(), std::stoul(sysctl("net.ipv4.ip_unprivileged_port_start")));
}

TEST(Port, CanBindPrivilegedPortsTellsTheTruth) {
  // Bind a port below the unprivileged start on 127.0.0.1: the kernel's answer must agree.
  std::uint16_t start = unprivileged_port_start();
  if (start <= 1) GTEST_SKIP() << "every port is unprivileged here";
  Socket s(Family::inet);
  std::error_code ec;
  for (std::uint16_t p = static_cast<std::uint16_t>(start - 1); p > 0; --p) {
    s.bind(Address("127.0.0.1", p), ec);
    if (ec != std::errc::address_in_use) break;
  }
  EXPECT_EQ(!ec, can_bind_privileged_ports()) << ec.message();
}

TEST(Port, ParsesNumbersRangesAndServices) {
  EXPECT_EQ(parse("80"), (std::vector<std::uint16_t>{80}));
  EXPECT_EQ(parse("443,80,22,80"), (std::vector<std::uint16_t>{22, 80, 443}));
  EXPECT_EQ(parse("10-12,11"), (std::vector<std::uint16_t>{10, 11, 12}));
  EXPECT_EQ(parse("65530-"),
            (std::vector<std::uint16_t>{65530, 65531, 65532, 65533, 65534, 65535}));
  EXPECT_EQ(parse("-3"), (std::vector<std::uint16_t>{1, 2, 3}));
  EXPECT_EQ(parse("-").size(), 65535u);
  EXPECT_EQ(parse("ssh"), (std::vector<std::uint16_t>{22}));
  EXPECT_EQ(parse("https,ssh,22"), (std::vector<std::uint16_t>{22, 443}));
  EXPECT_EQ(parse("domain", "udp"), (std::vector<std::uint16_t>{53}));
}

TEST(Port, RefusesMalformedListsNamingTheItem) {
  EXPECT_EQ(refused(""), "");
  EXPECT_EQ(refused("0"), "0");
  EXPECT_EQ(refused("65536"), "65536");
  EXPECT_EQ(refused("80,,81"), "");
  EXPECT_EQ(refused("80,"), "");
  EXPECT_EQ(refused("10-5"), "10-5");
  EXPECT_EQ(refused("1-2-3"), "1-2-3");
  EXPECT_EQ(refused("-1-"), "-1-");
  EXPECT_EQ(refused("+80"), "+80");
  EXPECT_EQ(refused(" 80"), " 80");
  EXPECT_EQ(refused("0x50"), "0x50");
  EXPECT_EQ(refused("99999999999999999999"), "99999999999999999999");
  EXPECT_EQ(refused("nosuchservice-soket"), "nosuchservice-soket");
  EXPECT_EQ(refused(std::string_view("80\0", 3)), std::string("80\0", 3));
  EXPECT_EQ(refused(std::string_view("ssh\0x", 5)), std::string("ssh\0x", 5));
  EXPECT_EQ(refused("ssh x"), "ssh x");
  std::string huge(max_port_list_length + 1, '1');
  EXPECT_EQ(refused(huge).size(), 64u) << "the item quoted is cut short";
}

}  // namespace
}  // namespace soket::test
