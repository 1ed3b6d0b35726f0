// SPDX-License-Identifier: MIT
#include <soket/address.hpp>

#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>

using soket::Address;
using soket::Family;

namespace {

// The message of the std::invalid_argument that parse() throws for `text`.
std::string parse_error(std::string_view text) {
  try {
    Address::parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Address, Ipv4ReprIsPythonsTuple) {
  Address a{"127.0.0.1", 48437};
  EXPECT_EQ(a.family(), Family::inet);
  EXPECT_EQ(a.repr(), "('127.0.0.1', 48437)");
  EXPECT_EQ(a.to_string(), "127.0.0.1:48437");
  EXPECT_EQ(a.host(), "127.0.0.1");
  EXPECT_EQ(a.port(), 48437);
  std::ostringstream out;
  out << a;
  EXPECT_EQ(out.str(), "('127.0.0.1', 48437)");
}

TEST(Address, Ipv6ReprHasFlowinfoAndScope) {
  Address a{"::1", 80};
  EXPECT_EQ(a.family(), Family::inet6);
  EXPECT_EQ(a.repr(), "('::1', 80, 0, 0)");
  EXPECT_EQ(a.to_string(), "[::1]:80");
  Address b{"fe80::1", 443, 7, 1};
  EXPECT_EQ(b.flowinfo(), 7u);
  EXPECT_EQ(b.scope_id(), 1u);
  EXPECT_EQ(b.repr(), "('fe80::1%lo', 443, 7, 1)");  // index 1 is lo on Linux
}

TEST(Address, EmptyHostIsInaddrAny) {
  EXPECT_EQ(Address("", 80).repr(), "('0.0.0.0', 80)");
  EXPECT_EQ(Address("<broadcast>", 9).host(), "255.255.255.255");
}

TEST(Address, HostNameStaysUnresolved) {
  Address a{"localhost", 8080};
  EXPECT_FALSE(a.is_resolved());
  EXPECT_EQ(a.family(), Family::unspec);
  EXPECT_EQ(a.repr(), "('localhost', 8080)");
  EXPECT_EQ(a.to_string(), "localhost:8080");
}

TEST(Address, UnixPathAndAbstractName) {
  auto p = Address::unix_path("/tmp/sock");
  EXPECT_EQ(p.family(), Family::unix);
  EXPECT_EQ(p.path(), "/tmp/sock");
  EXPECT_FALSE(p.is_abstract());
  EXPECT_EQ(p.repr(), "'/tmp/sock'");
  auto n = Address::abstract("name");
  EXPECT_TRUE(n.is_abstract());
  EXPECT_EQ(n.path(), "name");
  EXPECT_EQ(n.repr(), "b'\\x00name'");
  EXPECT_EQ(n.to_string(), "@name");
}

TEST(Address, ParsesWhatUsersType) {
  EXPECT_EQ(Address::parse("127.0.0.1:80"), Address("127.0.0.1", 80));
  EXPECT_EQ(Address::parse("[::1]:80"), Address("::1", 80));
  EXPECT_EQ(Address::parse("[fe80::1%lo]:80").scope_id(), 1u);
  EXPECT_EQ(Address::parse("localhost:8080").repr(), "('localhost', 8080)");
  EXPECT_EQ(Address::parse("localhost:http").port(), 80);
  EXPECT_EQ(Address::parse("unix:/tmp/sock"), Address::unix_path("/tmp/sock"));
  EXPECT_EQ(Address::parse("/tmp/sock"), Address::unix_path("/tmp/sock"));
  EXPECT_EQ(Address::parse("./sock").path(), "./sock");
  EXPECT_EQ(Address::parse("@name"), Address::abstract("name"));
  EXPECT_EQ(Address::parse("unix:@name"), Address::abstract("name"));
}

TEST(Address, RejectsBadInputNamingIt) {
  EXPECT_EQ(parse_error("127.0.0.1:99999"),
            "invalid address \"127.0.0.1:99999\": port out of range (0-65535)");
  EXPECT_EQ(parse_error("127.0.0.1"), "invalid address \"127.0.0.1\": missing ':port' (try host:port)");
  EXPECT_EQ(parse_error("127.0.0.1:"), "invalid address \"127.0.0.1:\": missing port");
  EXPECT_EQ(parse_error(":80"), "invalid address \":80\": empty host");
  EXPECT_EQ(parse_error("[]:80"), "invalid address \"[]:80\": empty host");
  EXPECT_EQ(parse_error("::1:80"),
            "invalid address \"::1:80\": IPv6 addresses need brackets, as in [::1]:80");
  EXPECT_EQ(parse_error("[::1:80"), "invalid address \"[::1:80\": missing ']' after IPv6 address");
  EXPECT_EQ(parse_error("[::1]80"), "invalid address \"[::1]80\": expected ':port' after ']'");
  EXPECT_EQ(parse_error("[::g]:80"), "invalid address \"::g\": not an IPv6 address");
  EXPECT_EQ(parse_error("host:nosuchservice"),
            "invalid address \"host:nosuchservice\": unknown port or service name 'nosuchservice'");
  EXPECT_EQ(parse_error("bad host!:80"), "invalid address \"bad host!\": not an IP address or host name");
  EXPECT_EQ(parse_error(""), "invalid address \"\": empty address");
  EXPECT_EQ(parse_error("unix:"), "invalid address \"\": empty Unix socket path");
  EXPECT_EQ(parse_error("[fe80::1%nosuchif0]:80"),
            "invalid address \"fe80::1%nosuchif0\": unknown network interface 'nosuchif0'");
}

TEST(Address, UnixPathTooLongForSunPath) {
  std::string longest(108, 'a');
  EXPECT_NO_THROW(Address::unix_path(longest));
  std::string too_long(109, 'a');
  try {
    Address::unix_path(too_long);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Unix socket path too long (109 bytes; sun_path holds 108)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Address::abstract(std::string(108, 'b')), std::invalid_argument);
}

TEST(Address, ParseWithErrorCodeDoesNotThrow) {
  std::error_code ec;
  Address a = Address::parse("nonsense", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(a.family(), Family::unspec);
  Address b = Address::parse("10.0.0.1:7", ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(b.port(), 7);
}

TEST(Address, EmptyAddressIsPythonsNone) {
  Address a;
  EXPECT_EQ(a.family(), Family::unspec);
  EXPECT_EQ(a.repr(), "None");
  EXPECT_EQ(a.size(), 0u);
}

TEST(Address, FromSockaddrRoundTrips) {
  Address a{"192.0.2.7", 5353};
  Address b = Address::from_sockaddr(a.data(), a.size());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, Address("192.0.2.7", 5354));
}
