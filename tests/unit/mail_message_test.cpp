// SPDX-License-Identifier: MIT
// smtp/message.hpp against Python's email package on this machine: getaddresses, formataddr,
// formatdate, the encoded header words and make_msgid are each checked by /usr/bin/python3;
// header_values, remove_header and message_envelope by the rules of smtplib.send_message.
#include <soket/proto/smtp/message.hpp>

#include <gtest/gtest.h>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "support/support.hpp"

using namespace soket;
using namespace soket::proto::smtp;

namespace {

// Python's answer to `code` run on `input` (stdin, JSON in and out).
nlohmann::json python(const std::string& code, const nlohmann::json& input) {
  test::Child child(test::python_argv(
      "import json, sys\nfrom email.utils import *\nfrom email.header import decode_header, "
      "make_header\nx = json.load(sys.stdin)\n" +
      code));
  child.write_stdin(input.dump());
  child.close_stdin();
  const std::string out = child.read_all(std::chrono::seconds(30));
  EXPECT_EQ(child.wait(std::chrono::seconds(30)), 0) << child.read_stderr();
  return nlohmann::json::parse(out);
}

}  // namespace

TEST(MailMessage, GetaddressesAgreesWithPython) {
  const std::vector<std::string> fields = {
      "a@b",
      "Alice <a@b>",
      "\"Smith, J\" <j@x>, k@y",
      "j@x (John)",
      "Friends: a@b, c@d;, e@f",
      "undisclosed-recipients:;",
      "foo bar",
      "a@b,,c@d",
      "\"a b\"@x",
      "Al (c) <a@b>",
      "  ",
      "a . b @ c",
      "=?utf-8?q?x?= <q@x>",
      "<a@b>",
      "x <>",
      "a@b (Comment (nested)) ",
      "J. Smith <js@x>",
      "\"quoted \\\"inner\\\"\" <q@x>",
      "Name <a@b> junk",
  };
  const auto expected =
      python("print(json.dumps([[list(p) for p in getaddresses([f])] for f in x]))", fields);
  ASSERT_EQ(expected.size(), fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::vector<std::vector<std::string>> got;
    for (const auto& p : getaddresses({fields[i]})) got.push_back({p.name, p.addr});
    EXPECT_EQ(nlohmann::json(got), expected[i]) << "field: " << fields[i];
  }
  EXPECT_EQ(parseaddr("Bob <bob@example.org>, c@d"), (AddressPair{"Bob", "bob@example.org"}));
  EXPECT_EQ(parseaddr(""), AddressPair{});
}

TEST(MailMessage, FormatHelpersArePythonReadable) {
  const std::vector<std::pair<std::string, std::string>> pairs = {{"", "a@b"},
                                                                  {"Plain Name", "a@b"},
                                                                  {"Smith, J", "j@x"},
                                                                  {"élève été", "e@x"},
                                                                  {"say \"hi\"", "h@x"}};
  nlohmann::json ours = nlohmann::json::array();
  for (const auto& [name, addr] : pairs) ours.push_back(formataddr({name, addr}));
  // Python parses each back to the pair (decoding the RFC 2047 words of a non-ASCII name).
  const auto back = python(
      "out = []\nfor s in x:\n  n, a = parseaddr(s)\n  n = str(make_header(decode_header(n)))\n"
      "  out.append([n, a])\nprint(json.dumps(out))",
      ours);
  for (std::size_t i = 0; i < pairs.size(); ++i)
    EXPECT_EQ(back[i], (nlohmann::json{pairs[i].first, pairs[i].second})) << ours[i];

  const std::string long_subject = std::string(80, 'x') + " ünïcödé " + [] {
    std::string s;
    for (int i = 0; i < 60; ++i) s += "é";  // two bytes each: cuts must not split them
    return s;
  }();
  const auto decoded = python("print(json.dumps(str(make_header(decode_header(x)))))",
                              encode_header_value(long_subject));
  EXPECT_EQ(decoded, long_subject);
  EXPECT_EQ(encode_header_value("plain ascii"), "plain ascii");
  const std::string encoded = encode_header_value(long_subject);
  for (std::size_t pos = 0; (pos = encoded.find("=?utf-8?b?", pos)) != std::string::npos; ++pos)
    EXPECT_LE(encoded.find("?=", pos + 10) + 2 - pos, 75u);  // RFC 2047 §2: at most 75 chars
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  EXPECT_EQ(python("print(json.dumps(formatdate(1700000000)))", nullptr), formatdate(when));
  const auto epoch =
      python("print(json.dumps(parsedate_to_datetime(x).timestamp()))", formatdate());
  EXPECT_NEAR(
      epoch.get<double>(),
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(),
      3600);
  const std::string id = make_msgid("example.org");
  EXPECT_NE(id, make_msgid("example.org"));
  EXPECT_EQ(python("print(json.dumps(parseaddr(x)[1]))", id), id.substr(1, id.size() - 2));
}

TEST(MailMessage, HeaderFieldsAreFoundUnfoldedAndRemovedWhole) {
  const std::string msg =
      "From: a@x\r\nTO: b@x,\r\n c@x\r\nSubject: hi\r\nBcc: secret@x,\r\n\tother@x\r\n"
      "bcc: third@x\r\n\r\nBcc: not-a-header@x\r\n";
  EXPECT_EQ(header_values(msg, "to"), std::vector<std::string>{"b@x, c@x"});
  EXPECT_EQ(header_values(msg, "Bcc"), (std::vector<std::string>{"secret@x,\tother@x", "third@x"}));
  EXPECT_EQ(header_values(msg, "Cc"), std::vector<std::string>{});
  EXPECT_EQ(remove_header(msg, "Bcc"),
            "From: a@x\r\nTO: b@x,\r\n c@x\r\nSubject: hi\r\n\r\nBcc: not-a-header@x\r\n");
  // The header section ends at a line that is not a field.
  EXPECT_EQ(header_values("Subject: s\nnot a field\nTo: z@x\n", "To"), std::vector<std::string>{});
  EXPECT_EQ(header_values("Subject: s\nnot a field\nTo: z@x\n", "subject"),
            std::vector<std::string>{"s"});
  EXPECT_EQ(crlf_lines("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd");
}

TEST(MailMessage, EnvelopeFollowsSendMessageRules) {
  Envelope e = message_envelope(
      "From: Alice <a@x>\r\nTo: b@x, Bob <c@x>\r\nCc: d@x\r\nBcc: e@x\r\n\r\nbody\r\n");
  EXPECT_EQ(e.from, "a@x");
  EXPECT_EQ(e.to, (std::vector<std::string>{"b@x", "c@x", "e@x", "d@x"}));  // To, Bcc, Cc
  e = message_envelope("From: a@x\r\nSender: s@x\r\nTo: b@x\r\n\r\n");
  EXPECT_EQ(e.from, "s@x");
  e = message_envelope(
      "From: a@x\r\nTo: b@x\r\nResent-Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
      "Resent-From: r@x\r\nResent-To: rt@x\r\nResent-Bcc: rb@x\r\n\r\n");
  EXPECT_EQ(e.from, "r@x");
  EXPECT_EQ(e.to, (std::vector<std::string>{"rt@x", "rb@x"}));
  EXPECT_THROW(message_envelope("Resent-Date: a\r\nResent-Date: b\r\n\r\n"), std::invalid_argument);
  e = message_envelope("Subject: none\r\nTo: undisclosed-recipients:;\r\n\r\n");
  EXPECT_EQ(e.from, "");
  EXPECT_TRUE(e.to.empty());
}
