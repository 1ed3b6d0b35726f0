// SPDX-License-Identifier: MIT
// imap::parse_response on the response shapes of RFC 3501 §7 and on malformed input; Int2AP
// and quote against Python's imaplib.
#include <soket/proto/imap/response.hpp>

#include <gtest/gtest.h>

#include "support/support.hpp"

using namespace soket::proto::imap;
using Kind = Response::Kind;

TEST(IMAPResponse, GreetingWithCapabilityCode) {
  const Response r = parse_response("* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] ready.");
  EXPECT_EQ(r.kind, Kind::untagged);
  EXPECT_EQ(r.type, "OK");
  EXPECT_EQ(r.code, "CAPABILITY");
  EXPECT_EQ(r.code_args, "IMAP4rev1 IDLE AUTH=PLAIN");
  EXPECT_EQ(r.text, "ready.");
}

TEST(IMAPResponse, TaggedAndContinuation) {
  const Response t = parse_response("A0001 NO [TRYCREATE] Mailbox doesn't exist: x");
  EXPECT_EQ(t.kind, Kind::tagged);
  EXPECT_EQ(t.tag, "A0001");
  EXPECT_EQ(t.type, "NO");
  EXPECT_EQ(t.code, "TRYCREATE");
  EXPECT_EQ(t.text, "Mailbox doesn't exist: x");
  const Response c = parse_response("+ idling");
  EXPECT_EQ(c.kind, Kind::continuation);
  EXPECT_EQ(c.text, "idling");
  EXPECT_EQ(parse_response("+").text, "");
}

TEST(IMAPResponse, NumberedAndData) {
  const Response e = parse_response("* 23 EXISTS");
  EXPECT_EQ(e.number, 23u);
  EXPECT_EQ(e.type, "EXISTS");
  const Response s = parse_response("* SEARCH 2 84 882");
  ASSERT_EQ(s.data.size(), 3u);
  EXPECT_EQ(s.data[2].number, 882u);
  const Response l = parse_response(R"(* LIST (\HasNoChildren \Sent) "/" "My Box")");
  ASSERT_EQ(l.data.size(), 3u);
  EXPECT_EQ(l.data[0].kind, Value::Kind::list);
  EXPECT_TRUE(l.data[0].items[1].is_atom("\\sent"));
  EXPECT_EQ(l.data[1].text, "/");
  EXPECT_EQ(l.data[2].text, "My Box");
  const Response n = parse_response(R"(* LIST (\Noselect) NIL "a\"b\\c")");
  EXPECT_EQ(n.data[1].kind, Value::Kind::nil);
  EXPECT_EQ(n.data[2].text, "a\"b\\c");
}

TEST(IMAPResponse, FetchWithLiteralsCountedExactly) {
  // The literal holds CRLF, a ')' and "{3}" that must not be read as syntax.
  const std::string body("x)\r\n{3}\r\n\0z", 12);
  const std::string wire =
      "* 1 FETCH (FLAGS (\\Seen) UID 7 BODY[HEADER.FIELDS (SUBJECT)] {12}\r\n" + body +
      " RFC822.SIZE 99)";
  const Response r = parse_response(wire);
  EXPECT_EQ(r.number, 1u);
  const auto items = r.fetch_items();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items.at("UID").number, 7u);
  EXPECT_EQ(items.at("BODY[HEADER.FIELDS (SUBJECT)]").text, body);
  EXPECT_EQ(items.at("RFC822.SIZE").number, 99u);
  EXPECT_TRUE(items.at("FLAGS").items.at(0).is_atom("\\Seen"));
}

TEST(IMAPResponse, MalformedInputIsResponseError) {
  const char* bad[] = {
      "",
      "* 1 FETCH (FLAGS (\\Seen)",
      "* 1 FETCH (BODY[] {5}\r\nab",
      "* 1 FETCH (BODY[] {5}",
      "* 1 FETCH (BODY[] {x}\r\nabcde)",
      "* 1 FETCH (BODY[] {99999999999999999999999}\r\n)",
      "* LIST () \"/\" \"unterminated",
      "* 1 FETCH )",
      "* OK [ALERT unclosed",
      "A1 FETCH (x)",
      "* 99999999999 EXISTS",
      "* 1 FETCH (BODY[HEADER x)",
  };
  for (const char* wire : bad) EXPECT_THROW(parse_response(wire), ResponseError) << wire;
  EXPECT_THROW(parse_response(std::string(1000, '(')), ResponseError);  // depth cap
}

TEST(IMAPResponse, LiteralSize) {
  EXPECT_EQ(literal_size("* 1 FETCH (BODY[] {342}"), 342u);
  EXPECT_EQ(literal_size("A1 APPEND x {5+}"), 5u);
  EXPECT_EQ(literal_size("* OK done"), std::nullopt);
  EXPECT_EQ(literal_size("* OK {}"), std::nullopt);
  EXPECT_THROW(literal_size("* 1 FETCH (BODY[] {999999999999999999999999}"), ResponseError);
}

TEST(IMAPResponse, Int2APAndQuoteMatchImaplib) {
  std::string script =
      "import imaplib\n"
      "for n in (0, 1, 15, 16, 4096, 65535): print(imaplib.Int2AP(n).decode())\n"
      "c = imaplib.IMAP4.__new__(imaplib.IMAP4)\n"
      "print(c._quote('pa\"ss\\\\word'))\n";
  soket::test::Child py(soket::test::python_argv(script));
  for (std::uint32_t n : {0u, 1u, 15u, 16u, 4096u, 65535u}) {
    auto line = py.read_line();
    ASSERT_TRUE(line);
    EXPECT_EQ(Int2AP(n), *line) << n;
  }
  auto quoted = py.read_line();
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quote("pa\"ss\\word"), *quoted);
  EXPECT_EQ(py.wait(), 0);
  EXPECT_EQ(quote("tester"), "tester");
  EXPECT_EQ(quote("two words"), "\"two words\"");
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_THROW(quote("a\r\nb"), std::invalid_argument);
}
