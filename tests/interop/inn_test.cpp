// SPDX-License-Identifier: MIT
// NNTP against a real INN 2.7 run from a private directory: welcome and capabilities, LIST,
// GROUP, ARTICLE/HEAD/BODY/STAT of the seeded article, POST refused anonymously and accepted
// after AUTHINFO (dot-stuffed line intact), OVER, NEWNEWS, DATE, descriptions, STARTTLS.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include <soket/proto/nntp/nntp.hpp>

#include "servers/news_server.hpp"

namespace nntp = soket::proto::nntp;
using soket::test::NewsServer;

namespace {

nntp::NNTPOptions timed() {
  nntp::NNTPOptions o;
  o.timeout = std::chrono::seconds(20);
  return o;
}

bool has_line(const std::vector<std::string>& lines, const std::string& want) {
  return std::find(lines.begin(), lines.end(), want) != lines.end();
}

}  // namespace

TEST(INN, ReadSeededArticleAnonymously) {
  NewsServer server(NewsServer::Kind::inn2);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  nntp::NNTP s("127.0.0.1", server.port(), timed());
  EXPECT_TRUE(s.getwelcome().starts_with("20")) << s.getwelcome();
  EXPECT_TRUE(s.getcapabilities().contains("READER"));
  EXPECT_TRUE(s.getcapabilities().contains("OVER"));

  const auto [resp, groups] = s.list();
  EXPECT_TRUE(resp.starts_with("215"));
  auto general = std::find_if(groups.begin(), groups.end(),
                              [](const auto& g) { return g.group == "local.general"; });
  ASSERT_NE(general, groups.end());
  EXPECT_EQ(general->flag, "y");

  const auto g = s.group("local.general");
  EXPECT_EQ(g.count, 1);
  EXPECT_EQ(g.first, 1);
  EXPECT_EQ(g.last, 1);
  EXPECT_EQ(g.name, "local.general");

  const auto [aresp, art] = s.article("<seed-1@inn-test.localdomain>");
  EXPECT_TRUE(aresp.starts_with("220"));
  EXPECT_EQ(art.message_id, "<seed-1@inn-test.localdomain>");
  EXPECT_TRUE(has_line(art.lines, "Subject: welcome"));
  EXPECT_TRUE(has_line(art.lines, "This article was there before the test started."));
  const auto [hresp, head] = s.head("1");
  EXPECT_TRUE(has_line(head.lines, "Subject: welcome"));
  EXPECT_FALSE(has_line(head.lines, "This article was there before the test started."));
  const auto [bresp, body] = s.body("1");
  EXPECT_EQ(body.lines,
            std::vector<std::string>{"This article was there before the test started."});
  const auto st = s.stat("1");
  EXPECT_EQ(st.number, 1);
  EXPECT_EQ(st.message_id, "<seed-1@inn-test.localdomain>");

  const auto [oresp, overviews] = s.over(1, std::nullopt);
  ASSERT_EQ(overviews.size(), 1u);
  EXPECT_EQ(overviews[0].fields.at("subject"), "welcome");
  EXPECT_EQ(overviews[0].fields.at("message-id"), "<seed-1@inn-test.localdomain>");

  EXPECT_EQ(s.description("local.general"), "Local general discussion.");
  const auto [dresp, when] = s.date();
  EXPECT_TRUE(dresp.starts_with("111 "));
  // The server's clock is this machine's: a sanity bound of a day, not a timing assertion.
  EXPECT_LT(std::chrono::abs(when - std::chrono::system_clock::now()), std::chrono::hours(24));

  // No such group / article: the typed 4xx errors, naming the command.
  try {
    s.group("no.such.group");
    FAIL() << "no error";
  } catch (const nntp::NNTPTemporaryError& e) {
    EXPECT_TRUE(e.response().starts_with("411")) << e.response();
    EXPECT_TRUE(std::string(e.what()).starts_with("nntp GROUP: 411")) << e.what();
  }
  EXPECT_THROW(s.article("<nope@nowhere>"), nntp::NNTPTemporaryError);
  // Anonymous posting is refused (the reader has access R only).
  EXPECT_THROW(s.post("From: a@b\r\nNewsgroups: local.test\r\nSubject: x\r\n\r\nx\r\n"),
               nntp::NNTPTemporaryError);
  EXPECT_TRUE(s.quit().starts_with("205"));
}

TEST(INN, LoginPostOverAndNewnews) {
  NewsServer server(NewsServer::Kind::inn2);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  const auto start = std::chrono::system_clock::now() - std::chrono::minutes(5);
  auto options = timed();
  options.user = "tester";
  options.password = "secret";
  nntp::NNTP s("127.0.0.1", server.port(), options);
  EXPECT_TRUE(s.authenticated());
  const std::string posted = s.post(
      "From: Tester <tester@example.org>\nNewsgroups: local.test\nSubject: hello from soket\n\n"
      "First line\n.dot-stuffed line\n..two dots\n");
  EXPECT_TRUE(posted.starts_with("240")) << posted;

  const auto g = s.group("local.test");
  ASSERT_EQ(g.count, 1);
  const auto [oresp, overviews] = s.over(g.first, g.last);
  ASSERT_EQ(overviews.size(), 1u);
  EXPECT_EQ(overviews[0].fields.at("subject"), "hello from soket");
  const auto [xresp, xovers] = s.xover(g.first, g.last);
  EXPECT_EQ(xovers.size(), 1u);

  const auto [bresp, body] = s.body(std::to_string(g.first));
  EXPECT_EQ(body.lines,
            (std::vector<std::string>{"First line", ".dot-stuffed line", "..two dots"}));
  // Streamed form: the same lines, one by one.
  std::vector<std::string> streamed;
  s.article(std::to_string(g.first), [&](std::string_view line) { streamed.emplace_back(line); });
  EXPECT_TRUE(has_line(streamed, ".dot-stuffed line"));

  try {
    const auto [nresp, ids] = s.newnews("local.test", start);
    EXPECT_EQ(ids.size(), 1u);
  } catch (const nntp::NNTPPermanentError& e) {
    // A server may forbid NEWNEWS (nnrpd's allownewnews); the refusal is then typed.
    EXPECT_TRUE(e.response().starts_with("502")) << e.response();
  }
  EXPECT_TRUE(s.quit().starts_with("205"));
}

TEST(INN, StartTlsThenLogin) {
  NewsServer server(NewsServer::Kind::inn2);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  soket::tls::SSLContext ctx(soket::tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(server.cafile());
  nntp::NNTP s("127.0.0.1", server.port(), timed());
  ASSERT_TRUE(s.getcapabilities().contains("STARTTLS"));
  s.starttls(ctx);
  EXPECT_TRUE(s.tls_on());
  EXPECT_TRUE(s.channel().is_tls());
  EXPECT_THROW(s.starttls(ctx), std::logic_error);
  s.login("tester", "secret");
  EXPECT_EQ(s.group("local.general").count, 1);
  EXPECT_TRUE(s.quit().starts_with("205"));
}

TEST(INN, WrongPasswordIsPermanentError) {
  NewsServer server(NewsServer::Kind::inn2);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  nntp::NNTP s("127.0.0.1", server.port(), timed());
  try {
    s.login("tester", "wrong");
    FAIL() << "no error";
  } catch (const nntp::NNTPError& e) {
    EXPECT_TRUE(e.response().starts_with("481")) << e.response();
  }
  EXPECT_FALSE(s.authenticated());
}
