// SPDX-License-Identifier: MIT
// The table of valid and invalid requests (reference/http.md §2) through the request parser:
// each row parsed whole gives the strict server's verdict, and any split of it the same.
#include <soket/proto/http/parser.hpp>

#include <gtest/gtest.h>

#include <string>

#include "http_transcript.hpp"
#include "http_vectors.hpp"

namespace http = soket::proto::http;
using soket::test::cut;
using soket::test::HttpVector;
using soket::test::transcribe;

namespace {

class HttpVectorTest : public testing::TestWithParam<HttpVector> {};

TEST_P(HttpVectorTest, WholeGivesTheStrictVerdict) {
  const HttpVector& v = GetParam();
  http::Parser parser(http::Parser::Kind::request);
  const auto t = transcribe(parser, v.raw);
  if (v.status != 0) {
    EXPECT_EQ(t.status, v.status) << testing::PrintToString(t.lines);
    EXPECT_EQ(t.error, v.error) << t.error.message();
    // Failed for good: more bytes do not revive it.
    EXPECT_EQ(parser.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").event, http::Event::error);
  } else {
    EXPECT_EQ(t.status, 0) << t.error.message();
    EXPECT_EQ(t.messages, v.messages) << testing::PrintToString(t.lines);
    EXPECT_EQ(parser.in_message(), v.pending);
    // The body: of the complete messages, or so far of the one the stream stopped inside.
    EXPECT_EQ(v.pending ? t.lines.back() : t.body, v.pending ? "pending body=" + v.body : v.body);
  }
}

// The split-at-every-byte test: two pieces cut at each offset, and one byte at a time, give
// exactly the lines the whole stream gives (the parser resumes where it stopped, and its
// offsets survive the buffer moving between calls).
TEST_P(HttpVectorTest, EverySplitGivesTheSameTranscript) {
  const HttpVector& v = GetParam();
  http::Parser whole_parser(http::Parser::Kind::request);
  const auto whole = transcribe(whole_parser, v.raw);
  const std::string_view raw = v.raw;
  // The 20 KiB rows: every 7th offset (each split still crosses the limit's boundary).
  const std::size_t step = raw.size() > 4096 ? 7 : 1;
  for (std::size_t i = 0; i <= raw.size(); i += step) {
    http::Parser parser(http::Parser::Kind::request);
    const auto split = transcribe(parser, {raw.substr(0, i), raw.substr(i)});
    ASSERT_EQ(split, whole) << v.id << " split at " << i;
  }
  http::Parser bytewise(http::Parser::Kind::request);
  EXPECT_EQ(transcribe(bytewise, cut(raw, 1)), whole) << v.id << " one byte at a time";
}

INSTANTIATE_TEST_SUITE_P(Reference, HttpVectorTest, testing::ValuesIn(soket::test::http_vectors()),
                         [](const testing::TestParamInfo<HttpVector>& row) {
                           return row.param.id;
                         });

// What the accepted rows say beyond "accepted": the parts a server routes on.
http::Parser parsed(std::string_view raw) {
  http::Parser parser(http::Parser::Kind::request);
  EXPECT_EQ(parser.parse(raw).event, http::Event::head) << parser.error().message();
  return parser;
}

TEST(HttpVectors, V2Http10ClosesAfterTheResponse) {
  auto p = parsed("GET / HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(p.request().keep_alive);
  EXPECT_EQ(p.request().version.minor, 0);
  EXPECT_EQ(p.request().host, "");
}

TEST(HttpVectors, V5AbsoluteFormAuthorityWinsOverHost) {
  auto p = parsed("GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n");
  EXPECT_EQ(p.request().host, "a");
  EXPECT_EQ(p.request().form, http::TargetForm::absolute);
  EXPECT_EQ(p.request().field("host"), "b");
}

TEST(HttpVectors, V6AsteriskForm) {
  auto p = parsed("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(p.request().form, http::TargetForm::asterisk);
  EXPECT_EQ(p.request().target, "*");
}

TEST(HttpVectors, V7V8ValuesKeepObsTextAndLoseTheirOws) {
  EXPECT_EQ(parsed("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n").request().field("x"),
            "caf\xe9");
  EXPECT_EQ(parsed("GET / HTTP/1.1\r\nHost: a\r\nX:\tv\t\r\n\r\n").request().field("X"), "v");
  EXPECT_EQ(parsed("GET / HTTP/1.1\r\nHost: a\r\nX:  a  b  \r\n\r\n").request().field("X"), "a  b");
  EXPECT_EQ(parsed("GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n").request().field("X"), "");
}

TEST(HttpVectors, V10TrailersAreNotMergedIntoTheHead) {
  http::Parser p(http::Parser::Kind::request);
  std::string in =
      "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=\"q v\"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
  auto r = p.parse(in);
  ASSERT_EQ(r.event, http::Event::head);
  EXPECT_EQ(p.request().body, http::BodyKind::chunked);
  in.erase(0, r.consumed);
  r = p.parse(in);
  ASSERT_EQ(r.event, http::Event::body);
  EXPECT_EQ(r.data, "abc");
  in.erase(0, r.consumed);
  r = p.parse(in);
  ASSERT_EQ(r.event, http::Event::end);
  EXPECT_EQ(r.consumed, in.size());
  ASSERT_EQ(p.trailers().size(), 1u);
  EXPECT_EQ(p.trailers()[0].name, "X-T");
  EXPECT_EQ(p.trailers()[0].value, "1");
  EXPECT_FALSE(http::find_field(p.request().fields, "X-T"));
}

TEST(HttpVectors, V11Http12IsHttp11) {
  auto p = parsed("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
  EXPECT_EQ(p.request().version.minor, 2);
  EXPECT_TRUE(p.request().keep_alive);
}

TEST(HttpVectors, E1ExpectContinueBeforeTheBody) {
  auto p =
      parsed("POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_TRUE(p.request().expect_continue);
  EXPECT_EQ(p.request().body, http::BodyKind::length);
  EXPECT_EQ(p.request().content_length, 3u);
  // Not for HTTP/1.0 (it cannot take a 1xx), nor without a body.
  EXPECT_FALSE(parsed("POST /p HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
                   .request()
                   .expect_continue);
  EXPECT_FALSE(parsed("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n")
                   .request()
                   .expect_continue);
}

}  // namespace
