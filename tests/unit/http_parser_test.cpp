// SPDX-License-Identifier: MIT
// The HTTP/1.1 parser beyond the reference table: responses and their framing, each limit at
// and past its edge, pipelining, end of stream, request-target forms, Host, the error codes.
#include <soket/proto/http/parser.hpp>

#include <gtest/gtest.h>

#include <string>

#include "http_transcript.hpp"

namespace http = soket::proto::http;
using http::BodyKind;
using http::Event;
using http::ParseError;
using soket::test::cut;
using soket::test::transcribe;

namespace {

constexpr auto request = http::Parser::Kind::request;
constexpr auto response = http::Parser::Kind::response;

// The error a whole stream ends in (or {} if none), checking every split agrees.
std::error_code error_of(std::string_view raw, http::Limits limits = {},
                         http::Parser::Kind kind = request) {
  http::Parser whole(kind, limits);
  const auto t = transcribe(whole, raw);
  http::Parser bytewise(kind, limits);
  EXPECT_EQ(transcribe(bytewise, cut(raw, 1)), t) << "one byte at a time differs";
  return t.error;
}

TEST(HttpParser, PipelinedRequestsComeOutInOrderWithTheirBodies) {
  const std::string stream =
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
      "PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nab\r\n1;x=y\r\nc\r\n0\r\nT: v\r\n\r\n"
      "\r\nDELETE /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  http::Parser parser(request);
  const auto t = transcribe(parser, stream);
  EXPECT_EQ(t.messages, 4) << testing::PrintToString(t.lines);
  EXPECT_EQ(t.body, "helloabc");
  ASSERT_EQ(t.lines.size(), 8u);
  EXPECT_NE(t.lines[0].find("request GET /1"), std::string::npos);
  EXPECT_NE(t.lines[2].find("request POST /2"), std::string::npos);
  EXPECT_NE(t.lines[4].find("request PUT /3"), std::string::npos);
  EXPECT_NE(t.lines[5].find("trailers=T: v;"), std::string::npos);
  EXPECT_NE(t.lines[6].find("request DELETE /4"), std::string::npos);
  EXPECT_NE(t.lines[6].find("keep_alive=0"), std::string::npos);
  // Split at every byte, and bytewise: the same.
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    http::Parser p(request);
    ASSERT_EQ(
        transcribe(p, {std::string_view(stream).substr(0, i), std::string_view(stream).substr(i)}),
        t)
        << "split at " << i;
  }
  for (std::size_t size : {1u, 2u, 3u, 7u, 64u}) {
    http::Parser p(request);
    EXPECT_EQ(transcribe(p, cut(stream, size)), t) << "pieces of " << size;
  }
}

TEST(HttpParser, HeadViewsPointIntoTheCallersBuffer) {
  const std::string in = "GET /x?y HTTP/1.1\r\nHost: h:8\r\nA: 1\r\n\r\n";
  http::Parser p(request);
  const auto r = p.parse(in);
  ASSERT_EQ(r.event, Event::head);
  EXPECT_EQ(r.consumed, in.size());
  const http::RequestHead& h = p.request();
  EXPECT_EQ(h.method.data(), in.data());
  EXPECT_EQ(h.target.data(), in.data() + 4);
  EXPECT_EQ(h.host, "h:8");
  EXPECT_EQ(h.host.data(), in.data() + in.find("h:8"));
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[1].name.data(), in.data() + in.find("A: 1"));
  EXPECT_EQ(h.body, BodyKind::none);
  // A bodiless request ends on the next call, consuming nothing.
  EXPECT_EQ(p.parse("").event, Event::end);
  EXPECT_FALSE(p.in_message());
}

TEST(HttpParser, AMovedParserGoesOnWhereItStopped) {
  http::Parser a(request);
  EXPECT_EQ(a.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Len").event, Event::need_more);
  http::Parser b = std::move(a);
  const std::string in = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok";
  const auto r = b.parse(in);
  ASSERT_EQ(r.event, Event::head);
  EXPECT_EQ(b.request().field("content-length"), "2");
  http::Parser c(response);
  c = std::move(b);
  EXPECT_EQ(c.request().fields.size(), 2u);
  EXPECT_EQ(c.parse(std::string_view(in).substr(r.consumed)).data, "ok");
}

TEST(HttpParser, LeadingEmptyLinesAreConsumedAsTheyCome) {
  http::Parser p(request);
  auto r = p.parse("\r\n\r\n\r");
  EXPECT_EQ(r.event, Event::need_more);
  EXPECT_EQ(r.consumed, 4u);  // whole CRLFs only
  EXPECT_FALSE(p.in_message());
  EXPECT_EQ(p.parse("\rX").event, Event::error);
  EXPECT_EQ(p.error(), ParseError::bad_line_ending);
}

TEST(HttpParser, KeepAliveFollowsVersionAndConnection) {
  const auto keep = [](std::string_view raw) {
    http::Parser p(request);
    EXPECT_EQ(p.parse(raw).event, Event::head) << p.error().message();
    return p.request().keep_alive;
  };
  EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: x, close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  http::Parser p(request);
  ASSERT_EQ(
      p.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: ws\r\n\r\n").event,
      Event::head);
  EXPECT_TRUE(p.request().upgrade);
}

TEST(HttpParser, RequestTargetForms) {
  EXPECT_FALSE(error_of("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"));
  EXPECT_FALSE(error_of("CONNECT [::1]:443 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(error_of("GET http://[::1]:8080/p?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(error_of("GET /a%20b/c;p=1?x=y&z=%7E HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(error_of("OPTIONS http://a HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (const char* bad : {
           "GET * HTTP/1.1\r\n",              // asterisk-form is OPTIONS only
           "CONNECT /x HTTP/1.1\r\n",         // CONNECT takes an authority
           "CONNECT a.example HTTP/1.1\r\n",  // ... with its port
           "GET a.example:80 HTTP/1.1\r\n",   // authority-form is CONNECT only
           "GET http://u@a/ HTTP/1.1\r\n",    // userinfo (RFC 9110 §4.2.4)
           "GET http:///x HTTP/1.1\r\n",      // an empty authority
           "GET /%zz HTTP/1.1\r\n",           // a broken percent-encoding
           "GET /a%2 HTTP/1.1\r\n",           // ... cut short
           "GET /#f HTTP/1.1\r\n",            // fragments are not sent
           "GET /[x] HTTP/1.1\r\n",           // brackets only in an authority
           "GET /a\"b HTTP/1.1\r\n",          // not an RFC 3986 byte
           "GET /\x7f HTTP/1.1\r\n",          // DEL
       }) {
    EXPECT_EQ(error_of(std::string(bad) + "Host: x\r\n\r\n"), ParseError::bad_target) << bad;
  }
}

TEST(HttpParser, HostValues) {
  for (const char* good :
       {"a", "a.b-c_d~e", "127.0.0.1:80", "[::1]", "[::1]:8080", "a:", "%41b", "a:65535", ""}) {
    EXPECT_FALSE(error_of("GET / HTTP/1.1\r\nHost: " + std::string(good) + "\r\n\r\n")) << good;
  }
  for (const char* bad :
       {"a b", "a:65536", "a:x", ":80", "[::1", "[]", "a/b", "a@b", "%4", "a:1:2", "\xc3\xa9"}) {
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: " + std::string(bad) + "\r\n\r\n"),
              ParseError::bad_host)
        << bad;
  }
}

TEST(HttpParser, UnknownMethodsOnlyWhenAllowed) {
  http::Parser p(request);
  p.allow_unknown_methods(true);
  ASSERT_EQ(p.parse("PROPFIND /d HTTP/1.1\r\nHost: a\r\n\r\n").event, Event::head);
  EXPECT_EQ(p.request().method, "PROPFIND");
  // Methods are case-sensitive: "get" is not GET.
  EXPECT_EQ(error_of("get / HTTP/1.1\r\nHost: a\r\n\r\n"), ParseError::unknown_method);
}

TEST(HttpParser, LimitsAtAndPastTheirEdge) {
  http::Limits l;
  l.max_start_line = 20;
  l.max_field_line = 10;
  l.max_fields = 3;
  l.max_head = 100;
  l.max_body = 5;
  l.max_chunk_extensions = 8;
  // "GET /aaaaaaaaaaaa HTTP/1.1" is 26 bytes; a 20-byte line is the most.
  EXPECT_FALSE(error_of("GET /234567 HTTP/1.1\r\nHost: a\r\n\r\n", l));  // exactly 20
  EXPECT_EQ(error_of("GET /2345678 HTTP/1.1\r\nHost: a\r\n\r\n", l),
            ParseError::request_line_too_long);
  // A 20-byte status line is fine, 21 is not.
  http::Limits rl = l;
  rl.max_body = 100;
  EXPECT_FALSE(error_of("HTTP/1.1 200 OKOKOKO\r\n\r\n", rl, response));
  EXPECT_EQ(error_of("HTTP/1.1 200 OKOKOKOK\r\n\r\n", rl, response),
            ParseError::status_line_too_long);
  // Field line "X: 1234567" is 10 bytes.
  EXPECT_FALSE(error_of("GET / HTTP/1.1\r\nHost: a\r\nX: 1234567\r\n\r\n", l));
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nX: 12345678\r\n\r\n", l),
            ParseError::field_line_too_long);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nXXXXXXXXXXX: 1\r\n\r\n", l),
            ParseError::field_line_too_long);
  // Three fields are fine, four are not.
  EXPECT_FALSE(error_of("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", l));
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", l),
            ParseError::too_many_fields);
  // The whole head: exactly max_head bytes are fine, one more is not.
  http::Limits hl;
  hl.max_head = 40;
  const std::string head40 = "GET / HTTP/1.1\r\nHost: a\r\nX: 123456789\r\n\r\n";
  ASSERT_EQ(head40.size(), 41u);
  EXPECT_EQ(error_of(head40, hl), ParseError::head_too_large);
  hl.max_head = 41;
  EXPECT_FALSE(error_of(head40, hl));
  // Content-Length up to max_body; past it 413 before any body byte.
  l = {};
  l.max_body = 5;
  l.max_chunk_extensions = 8;
  EXPECT_FALSE(error_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde", l));
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\n", l),
            ParseError::body_too_large);
  // The chunked total too.
  const std::string chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_FALSE(error_of(chunked + "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n", l));
  EXPECT_EQ(error_of(chunked + "2\r\nab\r\n4\r\ncdef\r\n0\r\n\r\n", l), ParseError::body_too_large);
  // Chunk extensions: ";a=12345" is 8 bytes.
  EXPECT_FALSE(error_of(chunked + "1;a=12345\r\nx\r\n0\r\n\r\n", l));
  EXPECT_EQ(error_of(chunked + "1;a=123456\r\nx\r\n0\r\n\r\n", l),
            ParseError::chunk_extension_too_long);
  // Trailers obey the field limits.
  l.max_field_line = 40;
  EXPECT_EQ(error_of(chunked + "0\r\nT: " + std::string(38, 'x') + "\r\n\r\n", l),
            ParseError::field_line_too_long);
}

TEST(HttpParser, TheFirstViolationInByteOrderWinsWhateverTheSplit) {
  http::Limits l;
  l.max_field_line = 10;
  // A NUL at byte 5 of the field line, and the line too long later: bad value, split or not.
  EXPECT_EQ(error_of(std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0bcdefghijk\r\n\r\n", 42), l),
            ParseError::bad_field_value);
}

TEST(HttpParser, ChunkExtensionsGrammar) {
  const std::string chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* good : {"1;a\r\n", "1;a=b\r\n", "1 ;a\r\n", "1; a = b ;c\r\n",
                           "1;a=\"x\\\"y\"\r\n", "1;a=\"\"\r\n", "0001\r\n", "1;a=\"\xff\"\r\n"}) {
    EXPECT_FALSE(error_of(chunked + good + "x\r\n0\r\n\r\n")) << good;
  }
  for (const char* bad : {"1;\r\n", "1;=b\r\n", "1;a=\r\n", "1;a \r\n", "1;a=b \r\n", "1;a=\"x\r\n",
                          "1;a=\"x\" y\r\n", "1;a=\"\x01\"\r\n", "1;a@\r\n"}) {
    EXPECT_EQ(error_of(chunked + bad + "x\r\n0\r\n\r\n"), ParseError::bad_chunk_extension) << bad;
  }
  EXPECT_EQ(error_of(chunked + "\r\n"), ParseError::bad_chunk_size);
  EXPECT_EQ(error_of(chunked + "g\r\n"), ParseError::bad_chunk_size);
  EXPECT_EQ(error_of(chunked + std::string(65, '0') + "1\r\nx\r\n0\r\n\r\n"),
            ParseError::chunk_size_overflow);
  EXPECT_FALSE(error_of(chunked + "ffffffffffffffff\r\n", [] {
    http::Limits l;
    l.max_body = ~std::uint64_t{0};
    return l;
  }()));
  EXPECT_EQ(error_of(chunked + "1\r\nx\n0\r\n\r\n"), ParseError::bad_chunk_data_end);
  EXPECT_EQ(error_of(chunked + "0\r\n\n"), ParseError::bad_line_ending);
  EXPECT_EQ(error_of(chunked + "0\r\n T: 1\r\n\r\n"), ParseError::bad_field_name);
}

TEST(HttpParser, TransferEncodingLists) {
  const std::string post = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ";
  EXPECT_FALSE(error_of(post + "chunked\r\n\r\n0\r\n\r\n"));
  EXPECT_FALSE(error_of(post + "CHUNKED\r\n\r\n0\r\n\r\n"));
  EXPECT_EQ(error_of(post + "\r\n\r\n"), ParseError::bad_transfer_encoding);
  EXPECT_EQ(error_of(post + ", chunked\r\n\r\n"), ParseError::bad_transfer_encoding);
  EXPECT_EQ(error_of(post + "chunked,\r\n\r\n"), ParseError::bad_transfer_encoding);
  EXPECT_EQ(error_of(post + "\"chunked\"\r\n\r\n"), ParseError::bad_transfer_encoding);
  EXPECT_EQ(error_of(post + "chunked;q=1\r\n\r\n"), ParseError::unsupported_transfer_coding);
  EXPECT_EQ(error_of(post + "gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
            ParseError::unsupported_transfer_coding);
  EXPECT_EQ(error_of(post + "chunked\r\nTransfer-Encoding: gzip\r\n\r\n"),
            ParseError::chunked_not_last);
  EXPECT_EQ(error_of(post + "chunked, chunked\r\n\r\n"), ParseError::chunked_twice);
  // The smuggling pair in either order.
  EXPECT_EQ(error_of(post + "chunked\r\nContent-Length: 3\r\n\r\n"),
            ParseError::content_length_with_transfer_encoding);
}

TEST(HttpParser, FieldSyntax) {
  const std::string get = "GET / HTTP/1.1\r\nHost: a\r\n";
  EXPECT_FALSE(error_of(get + "!#$%&'*+-.^_`|~09azAZ: x\r\n\r\n"));
  EXPECT_EQ(error_of(get + "X\r\n\r\n"), ParseError::bad_field_name);
  EXPECT_EQ(error_of(get + "X(: 1\r\n\r\n"), ParseError::bad_field_name);
  EXPECT_EQ(error_of(get + "X\t: 1\r\n\r\n"), ParseError::whitespace_before_colon);
  EXPECT_EQ(error_of(get + "X: a\x7f\r\n\r\n"), ParseError::bad_field_value);
  EXPECT_EQ(error_of(get + "X: a\nY: b\r\n\r\n"), ParseError::bad_line_ending);
  EXPECT_EQ(error_of(get + "X: a\r\n\tb\r\n\r\n"), ParseError::obsolete_line_folding);
  EXPECT_EQ(error_of(get + "\r\r\n"), ParseError::bad_line_ending);
  EXPECT_EQ(error_of(get + "\n"), ParseError::bad_line_ending);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"),
            ParseError::bad_content_length);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, foo\r\n\r\n"),
            ParseError::expectation_failed);
  EXPECT_EQ(error_of(" GET / HTTP/1.1\r\n"), ParseError::bad_request_line);
  EXPECT_EQ(error_of("GET / HTTP/1.1 \r\n"), ParseError::bad_version);
  EXPECT_EQ(error_of("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), ParseError::version_not_supported);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\r\n"), ParseError::bad_line_ending);
}

TEST(HttpParser, ErrorsHaveMessagesAndStatuses) {
  const std::error_code e = ParseError::whitespace_before_colon;
  EXPECT_EQ(e.category().name(), std::string("http parse"));
  EXPECT_EQ(e.message(), "whitespace between field name and colon");
  EXPECT_EQ(http::status_of(ParseError::body_too_large), 413);
  EXPECT_EQ(http::status_of(ParseError::request_line_too_long), 414);
  EXPECT_EQ(http::status_of(ParseError::too_many_fields), 431);
  EXPECT_EQ(http::status_of(ParseError::bad_status_line), 502);
  EXPECT_EQ(http::status_of(std::error_code(ParseError::unknown_method)), 501);
  EXPECT_EQ(http::status_of(std::make_error_code(std::errc::timed_out)), 400);
  // Every code has a message of its own.
  for (int c = 1; c <= static_cast<int>(ParseError::response_version); ++c)
    EXPECT_EQ(std::error_code(c, http::parse_category()).message().find("unknown http"),
              std::string::npos)
        << c;
}

TEST(HttpParser, ResetStartsAfreshAfterAnError) {
  http::Parser p(request);
  EXPECT_EQ(p.parse("GET / HTTP/1.1\r\n\r\n").event, Event::error);
  EXPECT_EQ(p.error(), ParseError::missing_host);
  p.reset();
  EXPECT_FALSE(p.error());
  EXPECT_EQ(p.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").event, Event::head);
}

TEST(HttpParser, FinishTellsAnOrderlyCloseFromATruncation) {
  http::Parser idle(request);
  EXPECT_EQ(idle.finish().event, Event::need_more);
  http::Parser head(request);
  EXPECT_EQ(head.parse("GET / HT").event, Event::need_more);
  EXPECT_EQ(head.finish().event, Event::error);
  EXPECT_EQ(head.error(), ParseError::incomplete_message);
  http::Parser body(request);
  ASSERT_EQ(body.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n").event,
            Event::head);
  EXPECT_EQ(body.finish().event, Event::error);
}

// Responses: a client's side.

TEST(HttpParser, ResponseFramingByStatusAndMethod) {
  const auto body_of = [](std::string_view raw, std::string_view method = "GET") {
    http::Parser p(response);
    p.response_to(method);
    EXPECT_EQ(p.parse(raw).event, Event::head) << p.error().message();
    return p.response().body;
  };
  EXPECT_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"), BodyKind::length);
  EXPECT_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD"), BodyKind::none);
  EXPECT_EQ(body_of("HTTP/1.1 204 No Content\r\n\r\n"), BodyKind::none);
  EXPECT_EQ(body_of("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"), BodyKind::none);
  EXPECT_EQ(body_of("HTTP/1.1 200 OK\r\n\r\n"), BodyKind::until_close);
  EXPECT_EQ(body_of("HTTP/1.0 200 OK\r\n\r\n"), BodyKind::until_close);
  EXPECT_EQ(body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), BodyKind::chunked);
  EXPECT_EQ(body_of("HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT"), BodyKind::none);
}

TEST(HttpParser, ResponseUntilCloseEndsAtFinish) {
  http::Parser p(response);
  ASSERT_EQ(p.parse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n").event, Event::head);
  EXPECT_FALSE(p.response().keep_alive);
  const auto r = p.parse("all of it");
  EXPECT_EQ(r.event, Event::body);
  EXPECT_EQ(r.data, "all of it");
  EXPECT_EQ(p.parse("").event, Event::need_more);
  EXPECT_EQ(p.finish().event, Event::end);
}

TEST(HttpParser, ContinueThenFinalResponseForOneHeadRequest) {
  http::Parser p(response);
  p.response_to("HEAD");
  const auto t = transcribe(p,
                            "HTTP/1.1 100 Continue\r\n\r\n"
                            "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  // 100 and the HEAD answer have no body; the third answers a GET (the default again).
  EXPECT_EQ(t.messages, 3) << testing::PrintToString(t.lines);
  EXPECT_EQ(t.body, "hi");
}

TEST(HttpParser, ResponseStatusLines) {
  const auto status = [](std::string_view raw) {
    http::Parser p(response);
    EXPECT_EQ(p.parse(raw).event, Event::head) << p.error().message();
    return std::pair{p.response().status, std::string(p.response().reason)};
  };
  EXPECT_EQ(status("HTTP/1.1 404 Not Found\r\n\r\n"), std::pair(404, std::string("Not Found")));
  EXPECT_EQ(status("HTTP/1.1 200 \r\n\r\n"), std::pair(200, std::string()));
  EXPECT_EQ(status("HTTP/1.1 200\r\n\r\n"), std::pair(200, std::string()));
  EXPECT_EQ(status("HTTP/1.1 999 \xe9t\xe9\r\n\r\n"), std::pair(999, std::string("\xe9t\xe9")));
  for (const char* bad : {"HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 099 x\r\n",
                          "HTTP/1.1  200 OK\r\n", "HTTP/1.1 200 O\x01K\r\n", "http/1.1 200 OK\r\n",
                          "HTTP/1.1\r\n", "ICY 200 OK\r\n", "HTTP/1.10 200 OK\r\n"}) {
    EXPECT_EQ(error_of(std::string(bad) + "\r\n", {}, response), ParseError::bad_status_line)
        << bad;
  }
  EXPECT_EQ(error_of("HTTP/2.0 200 OK\r\n\r\n", {}, response), ParseError::response_version);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\n\r\n", {}, response), ParseError::bad_line_ending);
}

TEST(HttpParser, ResponseFramingErrors) {
  const auto err = [](std::string_view fields) {
    return error_of("HTTP/1.1 200 OK\r\n" + std::string(fields) + "\r\n", {}, response);
  };
  EXPECT_EQ(err("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"),
            ParseError::content_length_with_transfer_encoding);
  EXPECT_EQ(err("Content-Length: 3\r\nContent-Length: 3\r\n"),
            ParseError::duplicate_content_length);
  EXPECT_EQ(err("Transfer-Encoding: gzip\r\n"), ParseError::unsupported_transfer_coding);
  EXPECT_EQ(err("Content-Length: 2000000000\r\n"), ParseError::body_too_large);
  // A response's Host and Expect are not the parser's business.
  EXPECT_FALSE(err("Host: a b\r\nExpect: x\r\nContent-Length: 0\r\n"));
}

TEST(HttpParser, SwitchingProtocolsAndConnectAreUpgrades) {
  http::Parser p(response);
  ASSERT_EQ(p.parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: ws\r\n\r\n").event, Event::head);
  EXPECT_TRUE(p.response().upgrade);
  EXPECT_FALSE(p.response().keep_alive);
  http::Parser c(response);
  c.response_to("CONNECT");
  ASSERT_EQ(c.parse("HTTP/1.1 200 OK\r\n\r\n").event, Event::head);
  EXPECT_TRUE(c.response().upgrade);
  EXPECT_EQ(c.response().body, BodyKind::none);
}

TEST(HttpParser, ResponsesPipelinedSplitAtEveryByte) {
  const std::string stream =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nworld\r\n0\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.0 200 OK\r\n\r\ntail";
  http::Parser whole(response);
  const auto t = transcribe(whole, stream);
  EXPECT_EQ(t.messages, 3);
  EXPECT_EQ(t.body, "helloworld");
  EXPECT_EQ(t.lines.back(), "pending body=tail");  // until the server closes
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    http::Parser p(response);
    ASSERT_EQ(
        transcribe(p, {std::string_view(stream).substr(0, i), std::string_view(stream).substr(i)}),
        t)
        << "split at " << i;
  }
}

}  // namespace
