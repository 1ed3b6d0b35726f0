// SPDX-License-Identifier: MIT
#include <soket/inet.hpp>

#include <gtest/gtest.h>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <soket/error.hpp>

using soket::Family;

namespace {

// what() of the soket::Error that `fn` throws, or "(no error)".
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const soket::Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

}  // namespace

TEST(Inet, AtonPacksDottedQuadAndShortForms) {
  EXPECT_EQ(soket::inet_aton("127.0.0.1"), bytes({127, 0, 0, 1}));
  EXPECT_EQ(soket::inet_aton("127.1"), bytes({127, 0, 0, 1}));  // inet_aton(3) form, as Python
  EXPECT_EQ(soket::inet_aton("255.255.255.255"), bytes({255, 255, 255, 255}));
}

TEST(Inet, AtonRejectsIllegalStringsWithPythonsMessage) {
  EXPECT_EQ(error_of([] { soket::inet_aton("1.2.3.4.5"); }),
            "inet_aton 1.2.3.4.5: illegal IP address string passed to inet_aton");
  EXPECT_EQ(error_of([] { soket::inet_aton("nonsense"); }),
            "inet_aton nonsense: illegal IP address string passed to inet_aton");
  EXPECT_NE(error_of([] { soket::inet_aton(std::string("1.2.3.4\0x", 9)); }), "(no error)");
}

TEST(Inet, NtoaFormatsFourBytes) {
  EXPECT_EQ(soket::inet_ntoa(bytes({10, 0, 0, 255})), "10.0.0.255");
  EXPECT_EQ(error_of([] { soket::inet_ntoa("12"); }),
            "inet_ntoa: packed IP wrong length for inet_ntoa");
}

TEST(Inet, PtonAndNtopRoundTripBothFamilies) {
  EXPECT_EQ(soket::inet_pton(Family::inet, "192.168.1.2"), bytes({192, 168, 1, 2}));
  std::string v6 = soket::inet_pton(Family::inet6, "::1");
  ASSERT_EQ(v6.size(), 16u);
  EXPECT_EQ(v6.back(), '\x01');
  EXPECT_EQ(soket::inet_ntop(Family::inet6, v6), "::1");
  EXPECT_EQ(soket::inet_ntop(Family::inet6, soket::inet_pton(Family::inet6, "fe80:0:0::1:2")),
            "fe80::1:2");
  EXPECT_EQ(soket::inet_ntop(Family::inet, bytes({1, 2, 3, 4})), "1.2.3.4");
}

TEST(Inet, PtonRejectsIllegalStrings) {
  EXPECT_EQ(error_of([] { soket::inet_pton(Family::inet, "x"); }),
            "inet_pton x: illegal IP address string passed to inet_pton");
  EXPECT_EQ(error_of([] { soket::inet_pton(Family::inet, "127.1"); }),  // pton is strict
            "inet_pton 127.1: illegal IP address string passed to inet_pton");
  EXPECT_EQ(error_of([] { soket::inet_pton(Family::inet6, "1:::2"); }),
            "inet_pton 1:::2: illegal IP address string passed to inet_pton");
}

TEST(Inet, OtherFamiliesAreNotSupported) {
  try {
    soket::inet_pton(Family::local, "x");
    FAIL() << "no error";
  } catch (const soket::Error& e) {
    EXPECT_EQ(e.code(), std::errc::address_family_not_supported);
    EXPECT_EQ(std::string(e.what()).rfind("inet_pton: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(soket::inet_ntop(Family::packet, "1234"), soket::Error);
}

TEST(Inet, NtopWrongLengthIsValueError) {
  try {
    soket::inet_ntop(Family::inet6, "12");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid length of packed IP address string");
  }
  EXPECT_THROW(soket::inet_ntop(Family::inet, "12345"), std::invalid_argument);
}

TEST(Inet, ByteOrderFunctionsAreConstexpr) {
  constexpr bool little = std::endian::native == std::endian::little;
  static_assert(!little || soket::htons(0x1234) == 0x3412);
  static_assert(soket::ntohs(soket::htons(0xabcd)) == 0xabcd);
  static_assert(!little || soket::htonl(0x01020304u) == 0x04030201u);
  static_assert(soket::ntohl(soket::htonl(0x04030201u)) == 0x04030201u);
  // The packed form of htonl(INADDR_LOOPBACK) is 127.0.0.1.
  std::uint32_t be = soket::htonl(0x7f000001u);
  std::string packed(reinterpret_cast<const char*>(&be), 4);
  EXPECT_EQ(soket::inet_ntoa(packed), "127.0.0.1");
  EXPECT_EQ(soket::ntohs(soket::htons(80)), 80);
}

// Python: htons(1 << 16) and htons(-1) are OverflowError; C would give 0 and 0xffff.
TEST(Inet, ByteOrderFunctionsRejectValuesThatDoNotFit) {
  EXPECT_THROW(soket::htons(1 << 16), soket::OverflowError);
  EXPECT_THROW(soket::htons(-1), soket::OverflowError);
  EXPECT_THROW(soket::ntohs(70000), soket::OverflowError);
  EXPECT_THROW(soket::htonl(1LL << 32), soket::OverflowError);
  EXPECT_THROW(soket::ntohl(-1), soket::OverflowError);
  try {
    soket::htons(65536);
    FAIL();
  } catch (const soket::OverflowError& e) {
    EXPECT_STREQ(e.what(), "htons: value must be 0-65535, not 65536");
  }
  EXPECT_EQ(soket::ntohs(soket::htons(65535)), 65535);
  EXPECT_EQ(soket::ntohl(soket::htonl(0xffffffffLL)), 0xffffffffu);
}

// The error_code twins report what the throwing forms throw, and are noexcept.
TEST(Inet, ErrorCodeTwinsReportInsteadOfThrowing) {
  std::error_code ec;
  static_assert(noexcept(soket::inet_aton("", ec)));
  EXPECT_EQ(soket::inet_aton("1.2.3.4.5", ec), "");
  EXPECT_TRUE(ec);
  EXPECT_EQ(soket::inet_aton("127.1", ec), std::string("\x7f\0\0\x01", 4));
  EXPECT_FALSE(ec);
  soket::inet_ntoa("abc", ec);
  EXPECT_TRUE(ec);
  soket::inet_pton(Family::inet6, "::zz", ec);
  EXPECT_TRUE(ec);
  soket::inet_pton(Family::local, "x", ec);
  EXPECT_EQ(ec, std::errc::address_family_not_supported);
  soket::inet_ntop(Family::inet, "abc", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(soket::inet_ntop(Family::inet, std::string("\x7f\0\0\x01", 4), ec), "127.0.0.1");
  EXPECT_FALSE(ec);
}
