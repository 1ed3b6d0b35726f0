// SPDX-License-Identifier: MIT
// OVER/XOVER lines and LIST OVERVIEW.FMT parsed as nntplib does, and the bad forms refused.
#include <gtest/gtest.h>

#include <soket/proto/nntp/errors.hpp>
#include <soket/proto/nntp/overview.hpp>

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
