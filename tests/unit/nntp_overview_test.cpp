// SPDX-License-Identifier: MIT
// OVER/XOVER lines and LIST OVERVIEW.FMT parsed as nntplib does, and the bad forms refused.
#include <gtest/gtest.h>

#include <soket/proto/nntp/errors.hpp>
#include <soket/proto/nntp/overview.hpp>
#include <soket/proto/nntp/url.hpp>

namespace nntp = soket::proto::nntp;

TEST(NNTPOverview, FormatFromListOverviewFmt) {
  const auto fmt = nntp::parse_overview_fmt({"Subject:", "From:", "Date:", "Message-ID:",
                                             "References:", "Bytes:", "Lines:", "Xref:full"});
  ASSERT_EQ(fmt.size(), 8u);
  EXPECT_EQ(fmt[5], ":bytes");
  EXPECT_EQ(fmt[6], ":lines");
  EXPECT_EQ(fmt[7], "xref");
  EXPECT_THROW(nntp::parse_overview_fmt({"From:", "Subject:"}), nntp::NNTPDataError);
}

TEST(NNTPOverview, LinesWithExtraAndAbsentFields) {
  auto fmt = nntp::default_overview_fmt();
  fmt.push_back("xref");
  const auto entries = nntp::parse_overview(
      {"3000234\tI am just a test article\t\"Demo User\" <nobody@example.com>\t6 Oct 1998 "
       "04:38:40 -0500\t<45223423@example.com>\t<45454@example.net>\t1234\t17\tXref: "
       "news.example.com misc.test:3000363",
       "7\tshort\tme"},
      fmt);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].number, 3000234);
  EXPECT_EQ(entries[0].fields.at("subject"), "I am just a test article");
  EXPECT_EQ(entries[0].fields.at(":bytes"), "1234");
  EXPECT_EQ(entries[0].fields.at("xref"), "news.example.com misc.test:3000363");
  EXPECT_EQ(entries[1].number, 7);
  EXPECT_EQ(entries[1].fields.at("from"), "me");
  EXPECT_EQ(entries[1].fields.at("references"), "");
}

TEST(NNTPOverview, BadLinesAreDataErrors) {
  auto fmt = nntp::default_overview_fmt();
  EXPECT_THROW(nntp::parse_overview({"abc\tsubject"}, fmt), nntp::NNTPDataError);
  EXPECT_THROW(nntp::parse_overview({"-5\tsubject"}, fmt), nntp::NNTPDataError);
  EXPECT_THROW(nntp::parse_overview({""}, fmt), nntp::NNTPDataError);
  fmt.push_back("xref");
  try {
    nntp::parse_overview({"1\ts\tf\td\t<m>\t\t1\t1\tNot-Xref: x"}, fmt);
    FAIL() << "no error";
  } catch (const nntp::NNTPDataError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 38), "nntp OVER: field xref lacks its name i");
  }
}

TEST(NNTPUrl, Forms) {
  auto u = nntp::parse_url("nntp://127.0.0.1");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 119);
  EXPECT_TRUE(u.group.empty());
  u = nntp::parse_url("nntp://news.example:1119/local.general/42");
  EXPECT_EQ(u.port, 1119);
  EXPECT_EQ(u.group, "local.general");
  ASSERT_TRUE(u.number);
  EXPECT_EQ(*u.number, 42);
  u = nntp::parse_url("news://[::1]:120/seed-1@inn-test.localdomain");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 120);
  EXPECT_EQ(u.message_id, "<seed-1@inn-test.localdomain>");
}

TEST(NNTPUrl, BadFormsNameTheProblem) {
  auto err = [](const char* t) {
    try {
      nntp::parse_url(t);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(err("http://x"), "news URL: not an nntp:// or news:// URL: \"http://x\"");
  EXPECT_EQ(err("nntp://"), "news URL: no host");
  EXPECT_EQ(err("nntp://h:0"), "news URL: bad port \"0\"");
  EXPECT_EQ(err("nntp://h:99999/g"), "news URL: bad port \"99999\"");
  EXPECT_EQ(err("nntp://h/g/-1"), "news URL: bad article number \"-1\"");
  EXPECT_EQ(err("nntp://h/g/x"), "news URL: bad article number \"x\"");
  EXPECT_EQ(err("nntp://h//"), "news URL: empty group name");
  EXPECT_EQ(err("nntp://h/g\r\nQUIT"), "news URL: space, TAB, CR or LF in the URL");
  EXPECT_EQ(err("nntp://u@h/g"), "news URL: user information is not allowed");
}
