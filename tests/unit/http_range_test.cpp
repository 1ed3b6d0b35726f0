// SPDX-License-Identifier: MIT
// parse_range: RFC 9110 §14.1.2's examples, clamping, suffixes, the empty body, hostile input.
#include "soket/proto/http/range.hpp"

#include <gtest/gtest.h>

#include <string>

namespace http = soket::proto::http;
using http::ByteRange;
using http::RangeStatus;

namespace {

std::vector<ByteRange> ok(std::string_view v, std::uint64_t size) {
  auto r = http::parse_range(v, size);
  EXPECT_EQ(r.status, RangeStatus::satisfiable) << v;
  return r.ranges;
}

RangeStatus status(std::string_view v, std::uint64_t size) {
  return http::parse_range(v, size).status;
}

}  // namespace

TEST(HttpRange, RfcExamples) {
  // RFC 9110 §14.1.2, a 10000-byte representation.
  EXPECT_EQ(ok("bytes=0-499", 10000), (std::vector<ByteRange>{{0, 499}}));
  EXPECT_EQ(ok("bytes=500-999", 10000), (std::vector<ByteRange>{{500, 999}}));
  EXPECT_EQ(ok("bytes=-500", 10000), (std::vector<ByteRange>{{9500, 9999}}));
  EXPECT_EQ(ok("bytes=9500-", 10000), (std::vector<ByteRange>{{9500, 9999}}));
  EXPECT_EQ(ok("bytes=0-0,-1", 10000), (std::vector<ByteRange>{{0, 0}, {9999, 9999}}));
  EXPECT_EQ(ok("bytes= 0-999, 4500-5499, -1000", 10000),
            (std::vector<ByteRange>{{0, 999}, {4500, 5499}, {9000, 9999}}));
}

TEST(HttpRange, LastPastTheEndIsClamped) {
  EXPECT_EQ(ok("bytes=5-100", 10), (std::vector<ByteRange>{{5, 9}}));
  EXPECT_EQ(ok("bytes=0-18446744073709551615", 10), (std::vector<ByteRange>{{0, 9}}));
}

TEST(HttpRange, SuffixLongerThanTheBodyIsAllOfIt) {
  EXPECT_EQ(ok("bytes=-100", 10), (std::vector<ByteRange>{{0, 9}}));
  EXPECT_EQ(ok("bytes=-10", 10), (std::vector<ByteRange>{{0, 9}}));
}

TEST(HttpRange, StartPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(status("bytes=10-", 10), RangeStatus::unsatisfiable);
  EXPECT_EQ(status("bytes=10-20", 10), RangeStatus::unsatisfiable);
  EXPECT_EQ(status("bytes=-0", 10), RangeStatus::unsatisfiable);
  // One satisfiable range among unsatisfiable ones is enough for 206.
  EXPECT_EQ(ok("bytes=20-30,2-3", 10), (std::vector<ByteRange>{{2, 3}}));
}

TEST(HttpRange, EmptyBodySatisfiesNothing) {
  EXPECT_EQ(status("bytes=0-", 0), RangeStatus::unsatisfiable);
  EXPECT_EQ(status("bytes=-5", 0), RangeStatus::unsatisfiable);
  EXPECT_EQ(status("bytes=0-0", 0), RangeStatus::unsatisfiable);
}

TEST(HttpRange, OtherUnitsAreIgnored) {
  EXPECT_EQ(status("items=0-5", 10), RangeStatus::ignore);
  EXPECT_EQ(status("", 10), RangeStatus::ignore);
  EXPECT_EQ(ok("BYTES=1-2", 10), (std::vector<ByteRange>{{1, 2}}));
}

TEST(HttpRange, MalformedSyntaxIsIgnored) {
  for (std::string_view bad :
       {"bytes=", "bytes=,", "bytes=abc", "bytes=5", "bytes=-", "bytes=1-2-3", "bytes=5-4",
        "bytes=+1-2", "bytes=0x1-2", "bytes=1 -2", "bytes=-1-2", "bytes=99999999999999999999-",
        "bytes=--1", "bytes=1-2,x", "bytes=0-1;2-3", "bytes\t=0-1x"}) {
    EXPECT_EQ(status(bad, 100), RangeStatus::ignore) << bad;
  }
}

TEST(HttpRange, TooManyRangesAreIgnoredAsAWhole) {
  std::string many = "bytes=";
  for (int i = 0; i < 17; ++i) many += std::to_string(i) + "-" + std::to_string(i) + ",";
  EXPECT_EQ(status(many, 100), RangeStatus::ignore);
  EXPECT_EQ(http::parse_range(many, 100, 17).ranges.size(), 17u);
}

TEST(HttpRange, EmptyListElementsAreAllowed) {
  EXPECT_EQ(ok("bytes=,0-1,,", 10), (std::vector<ByteRange>{{0, 1}}));
}

TEST(HttpRange, LengthOfARange) {
  EXPECT_EQ((ByteRange{3, 3}).length(), 1u);
  EXPECT_EQ((ByteRange{0, 9}).length(), 10u);
}
