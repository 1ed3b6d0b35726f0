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
  // Python >= 3.7 (bpo-32221) keeps "%scope" out of the host; scope_id carries it.
  EXPECT_EQ(b.repr(), "('fe80::1', 443, 7, 1)");
  EXPECT_EQ(b.host(), "fe80::1%lo");  // index 1 is lo on Linux
  EXPECT_EQ(b.to_string(), "[fe80::1%lo]:443");
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
  EXPECT_EQ(parse_error("127.0.0.1"),
            "invalid address \"127.0.0.1\": missing ':port' (try host:port)");
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
  EXPECT_EQ(parse_error("bad host!:80"),
            "invalid address \"bad host!\": not an IP address or host name");
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
    EXPECT_NE(
        std::string(e.what()).find("Unix socket path too long (109 bytes; sun_path holds 108)"),
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

// The expected strings below are what Python 3.11 prints for the same addresses
// (tests/interop/python_repr_test.cpp checks them against a live Python too).
TEST(Address, AbstractReprIsPythonsBytesReprByteForByte) {
  EXPECT_EQ(Address::abstract(std::string_view("a\0b\x01\x7f\x80\xff", 7)).repr(),
            "b'\\x00a\\x00b\\x01\\x7f\\x80\\xff'");
  EXPECT_EQ(Address::abstract("tab\there\nnl\rcr").repr(), "b'\\x00tab\\there\\nnl\\rcr'");
  EXPECT_EQ(Address::abstract("back\\slash").repr(), "b'\\x00back\\\\slash'");
  EXPECT_EQ(Address::abstract("it's").repr(), "b\"\\x00it's\"");  // Python switches quotes
  EXPECT_EQ(Address::abstract("say \"hi\"").repr(), "b'\\x00say \"hi\"'");
  EXPECT_EQ(Address::abstract("both ' and \"").repr(), "b'\\x00both \\' and \"'");
  EXPECT_EQ(Address::abstract("").repr(), "b'\\x00'");
}

TEST(Address, UnixPathReprIsPythonsStrRepr) {
  EXPECT_EQ(Address::unix_path("/tmp/it's").repr(), "\"/tmp/it's\"");
  EXPECT_EQ(Address::unix_path("/tmp/a\\b\tc").repr(), "'/tmp/a\\\\b\\tc'");
  EXPECT_EQ(Address::unix_path("/tmp/\x01\x7f").repr(), "'/tmp/\\x01\\x7f'");
  // UTF-8 is shown as text; other bytes as Python's surrogateescape decoding shows them.
  EXPECT_EQ(Address::unix_path("/tmp/caf\xc3\xa9").repr(), "'/tmp/caf\xc3\xa9'");
  EXPECT_EQ(Address::unix_path("/tmp/bad\xff").repr(), "'/tmp/bad\\udcff'");
  EXPECT_EQ(Address::unix_path("/tmp/\xe2\x82").repr(), "'/tmp/\\udce2\\udc82'");
  EXPECT_EQ(Address::unix_path("/tmp/\xc0\xaf").repr(), "'/tmp/\\udcc0\\udcaf'");  // overlong
  EXPECT_EQ(Address::unix_path("/tmp/\xed\xa0\x80").repr(), "'/tmp/\\udced\\udca0\\udc80'");
  // Non-printable code points: C1 control, no-break space, zero-width space, BOM.
  EXPECT_EQ(Address::unix_path("/\xc2\x85\xc2\xa0\xe2\x80\x8b\xef\xbb\xbf").repr(),
            "'/\\x85\\xa0\\u200b\\ufeff'");
  EXPECT_EQ(Address::unix_path("/\xf0\x9f\x98\x80").repr(), "'/\xf0\x9f\x98\x80'");  // emoji
  EXPECT_EQ(Address::unix_path("/\xf3\xb0\x80\x80").repr(), "'/\\U000f0000'");       // private use
}

TEST(Address, ParseRejectsNulBytesInsteadOfCuttingAtThem) {
  using namespace std::string_view_literals;
  EXPECT_EQ(parse_error("127.0.0.1\0junk:80"sv),
            "invalid address \"127.0.0.1\\x00junk\": NUL byte in host");
  EXPECT_THROW(Address::parse("[::1\0x]:80"sv), std::invalid_argument);
  EXPECT_THROW(Address::parse("[fe80::1%lo\0x]:80"sv), std::invalid_argument);
  EXPECT_THROW(Address::parse("localhost:http\0x"sv), std::invalid_argument);
  EXPECT_THROW(Address("127.0.0.1\0"sv, 80), std::invalid_argument);
  // An abstract name may hold any byte, NUL included.
  EXPECT_EQ(Address::parse("@a\0b"sv).path(), "a\0b"sv);
}

TEST(Address, ToStringParsesBackToTheSameAddress) {
  for (std::string_view text :
       {"127.0.0.1:80", "[::1]:0", "[fe80::1%lo]:443", "[fe80::1%99]:1", "@name", "/tmp/sock",
        "./sock", "../sock", "unix:sock", "unix:host:80", "unix:unix:x", "<broadcast>:9"}) {
    Address a = Address::parse(text);
    EXPECT_EQ(Address::parse(a.to_string()), a) << text << " -> " << a.to_string();
  }
  // A relative path without ./ would read back as host:port; the unix: prefix keeps it a path.
  EXPECT_EQ(Address::unix_path("sock").to_string(), "unix:sock");
  EXPECT_EQ(Address::unix_path("/tmp/sock").to_string(), "/tmp/sock");
}

namespace {

template <class Fn>
std::string overflow_message(Fn&& fn) {
  try {
    fn();
  } catch (const soket::OverflowError& e) {
    return e.what();
  }
  return "no OverflowError";
}

}  // namespace

// Python raises OverflowError for a port or flowinfo that does not fit; C++ would wrap 70000
// to 4464 and -1 to 65535. Every integer type is checked, whatever holds the value.
TEST(Address, OutOfRangeIntegersAreOverflowErrorsNamingTheValue) {
  EXPECT_EQ(overflow_message([] { Address("127.0.0.1", 70000); }),
            "port must be 0-65535, not 70000");
  EXPECT_EQ(overflow_message([] { Address("127.0.0.1", -1); }), "port must be 0-65535, not -1");
  EXPECT_EQ(overflow_message([] { Address("localhost", 65536L); }),
            "port must be 0-65535, not 65536");
  EXPECT_EQ(overflow_message([] { Address("::1", 0, 0x100000, 0); }),
            "flowinfo must be 0-1048575, not 1048576");
  EXPECT_EQ(overflow_message([] { Address("::1", 0, 0, 1LL << 32); }),
            "scope_id must be 0-4294967295, not 4294967296");
  EXPECT_EQ(overflow_message([] { Address("::1", 65536u, 0, 0); }),
            "port must be 0-65535, not 65536");
  // The limits themselves are accepted.
  EXPECT_EQ(Address("127.0.0.1", 65535).port(), 65535);
  EXPECT_EQ(Address("::1", 1, 0xfffff, 0xffffffffu).flowinfo(), 0xfffffu);
  std::size_t big = 80;
  EXPECT_EQ(Address("localhost", big).port(), 80);
}
