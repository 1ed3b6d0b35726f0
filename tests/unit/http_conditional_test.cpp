// SPDX-License-Identifier: MIT
// HTTP dates (three forms, impossible dates), entity-tag lists, and RFC 9110 §13.2.2's order
// (the reference's table of what nginx and h2o answer, with the RFC's answers).
#include "soket/proto/http/conditional.hpp"

#include <gtest/gtest.h>

namespace http = soket::proto::http;
using http::Conditions;
using http::Precondition;

namespace {
constexpr std::time_t t784111777 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(http::format_http_date(t784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http::format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http::format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(HttpDate, ParsesTheThreeForms) {
  EXPECT_EQ(http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t784111777);
  EXPECT_EQ(http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t784111777);
  EXPECT_EQ(http::parse_http_date("Sun Nov  6 08:49:37 1994"), t784111777);
  EXPECT_EQ(http::parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400);
}

TEST(HttpDate, RoundTripsOverCenturies) {
  for (std::time_t t : {std::time_t{0}, std::time_t{86399}, std::time_t{1700000000},
                        std::time_t{4102444800}, std::time_t{253402300799}})
    EXPECT_EQ(http::parse_http_date(http::format_http_date(t)), t) << t;
}

TEST(HttpDate, RefusesWhatIsNotADate) {
  for (std::string_view bad :
       {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 29 Feb 1900 00:00:00 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "Sun Nov 06 08:49:37"})
    EXPECT_FALSE(http::parse_http_date(bad).has_value()) << bad;
}

TEST(HttpEtag, NginxAndH2oFormat) {
  EXPECT_EQ(http::make_etag(0x6b0c844b, 4053), "\"6b0c844b-fd5\"");
}

TEST(HttpEtag, ListMatching) {
  const std::string tag = "\"6b0c844b-fd5\"";
  EXPECT_TRUE(http::etag_list_matches(tag, tag, true));
  EXPECT_TRUE(http::etag_list_matches("W/" + tag, tag, true));
  EXPECT_FALSE(http::etag_list_matches("W/" + tag, tag, false));
  EXPECT_TRUE(http::etag_list_matches("\"x\", " + tag, tag, true));
  EXPECT_TRUE(http::etag_list_matches("\"x\" ,W/\"y\",  " + tag, tag, false));
  EXPECT_TRUE(http::etag_list_matches("*", tag, false));
  EXPECT_FALSE(http::etag_list_matches("\"x\"", tag, true));
  EXPECT_FALSE(http::etag_list_matches("6b0c844b-fd5", tag, true));  // unquoted
  EXPECT_FALSE(http::etag_list_matches("\"6b0c844b-fd5", tag, true));
  EXPECT_FALSE(http::etag_list_matches("\"x\" junk, " + tag, tag, true));
  EXPECT_FALSE(http::etag_list_matches("\"a b\"", "\"a b\"", true));  // SP is not etagc
}

TEST(HttpConditional, TheReferenceTable) {
  const std::time_t lm = 0x6b0c844b;
  const std::string tag = http::make_etag(lm, 4053);
  const std::string exact = http::format_http_date(lm);
  const std::string later = http::format_http_date(lm + 3600);
  const std::string earlier = http::format_http_date(lm - 3600);
  auto eval = [&](Conditions c) { return http::evaluate_preconditions(c, tag, lm, true); };
  EXPECT_EQ(eval({.if_modified_since = exact}), Precondition::not_modified);
  EXPECT_EQ(eval({.if_modified_since = later}), Precondition::not_modified);
  EXPECT_EQ(eval({.if_modified_since = earlier}), Precondition::none);
  EXPECT_EQ(eval({.if_none_match = tag}), Precondition::not_modified);
  const std::string weak = "W/" + tag, listed = "\"x\", " + tag;
  EXPECT_EQ(eval({.if_none_match = weak}), Precondition::not_modified);
  EXPECT_EQ(eval({.if_none_match = listed}), Precondition::not_modified);
  EXPECT_EQ(eval({.if_none_match = "*"}), Precondition::not_modified);
  EXPECT_EQ(eval({.if_none_match = "\"x\"", .if_modified_since = exact}), Precondition::none);
  EXPECT_EQ(eval({.if_none_match = tag, .if_modified_since = earlier}), Precondition::not_modified);
  EXPECT_EQ(eval({.if_match = "\"nope\""}), Precondition::failed);
  EXPECT_EQ(eval({.if_match = tag}), Precondition::none);
  EXPECT_EQ(eval({.if_unmodified_since = earlier}), Precondition::failed);
  EXPECT_EQ(eval({.if_unmodified_since = exact}), Precondition::none);
  // Invalid dates are ignored, not failures.
  EXPECT_EQ(eval({.if_modified_since = "garbage"}), Precondition::none);
  EXPECT_EQ(eval({.if_unmodified_since = "garbage"}), Precondition::none);
  // Unsafe methods: a matching If-None-Match is 412, If-Modified-Since does not apply.
  EXPECT_EQ(http::evaluate_preconditions({.if_none_match = tag}, tag, lm, false),
            Precondition::failed);
  EXPECT_EQ(http::evaluate_preconditions({.if_modified_since = exact}, tag, lm, false),
            Precondition::none);
}

TEST(HttpConditional, IfRange) {
  const std::time_t lm = 1700000000;
  const std::string tag = http::make_etag(lm, 10);
  EXPECT_TRUE(http::if_range_allows("", tag, lm));
  EXPECT_TRUE(http::if_range_allows(tag, tag, lm));
  EXPECT_FALSE(http::if_range_allows("W/" + tag, tag, lm));  // strong comparison only
  EXPECT_FALSE(http::if_range_allows("\"stale\"", tag, lm));
  EXPECT_TRUE(http::if_range_allows(http::format_http_date(lm), tag, lm));
  EXPECT_FALSE(http::if_range_allows(http::format_http_date(lm + 1), tag, lm));
  EXPECT_FALSE(http::if_range_allows("garbage", tag, lm));
}
