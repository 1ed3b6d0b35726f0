// SPDX-License-Identifier: MIT
// ftplib's reply parsers against the replies real servers send and the ones hostile servers
// could: parse150/227/229/257, MLSD facts, multi-line framing.
#include <soket/proto/ftp/error.hpp>
#include <soket/proto/ftp/reply.hpp>
#include <soket/proto/ftp/url.hpp>

#include <gtest/gtest.h>

namespace ftp = soket::proto::ftp;

TEST(FtpReply, Parse150FindsTheSize) {
  EXPECT_EQ(ftp::parse150("150 Opening BINARY mode data connection for a.bin (12345 bytes)."),
            12345u);
  EXPECT_EQ(ftp::parse150("150 Opening data connection (7 BYTES)"), 7u);
  EXPECT_EQ(ftp::parse150("150 Here comes the directory listing."), std::nullopt);
  EXPECT_EQ(ftp::parse150("125 Data connection already open (5 bytes)"), std::nullopt);
  EXPECT_EQ(ftp::parse150("150 x (99999999999999999999999 bytes)"), std::nullopt);
  EXPECT_EQ(ftp::parse150("150 x ( bytes)"), std::nullopt);
  EXPECT_EQ(ftp::parse150("150 (1 bytes) and (2 bytes)"), 2u);  // Python's greedy .*
}

TEST(FtpReply, Parse227) {
  auto [host, port] = ftp::parse227("227 Entering Passive Mode (127,0,0,1,4,1).");
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 1025);
  // Servers vary the wording and the parentheses.
  EXPECT_EQ(ftp::parse227("227 =10,9,8,7,0,21").second, 21);
  EXPECT_EQ(ftp::parse227("227 Entering Passive Mode 2026 (10,9,8,7,255,255)").second, 65535);
}

TEST(FtpReply, Parse227RefusesWhatIsNotAnAddress) {
  EXPECT_THROW(ftp::parse227("200 ok (127,0,0,1,4,1)"), ftp::error_reply);
  EXPECT_THROW(ftp::parse227("227 Entering Passive Mode"), ftp::error_proto);
  EXPECT_THROW(ftp::parse227("227 (127,0,0,1,4)"), ftp::error_proto);
  EXPECT_THROW(ftp::parse227("227 (300,0,0,1,4,1)"), ftp::error_proto);
  EXPECT_THROW(ftp::parse227("227 (127,0,0,1,4,99999999999999999999)"), ftp::error_proto);
}

TEST(FtpReply, Parse229) {
  EXPECT_EQ(ftp::parse229("229 Entering Extended Passive Mode (|||36890|)"), 36890);
  EXPECT_EQ(ftp::parse229("229 ok (!!!21!)"), 21);
  EXPECT_THROW(ftp::parse229("227 (|||1|)"), ftp::error_reply);
  for (const char* bad : {"229 no parens", "229 (|||1)", "229 (||1|)", "229 (|||70000|)",
                          "229 (|||x|)", "229 (|||1!)", "229 (||||)", "229 (|1||2|)"}) {
    EXPECT_THROW(ftp::parse229(bad), ftp::error_proto) << bad;
  }
}

TEST(FtpReply, Parse257UndoesDoubledQuotes) {
  EXPECT_EQ(ftp::parse257("257 \"/home/a \"\"b\"\"\" is the current directory"), "/home/a \"b\"");
  EXPECT_EQ(ftp::parse257("257 \"/\""), "/");
  EXPECT_EQ(ftp::parse257("257 \"/unterminated"), "/unterminated");
  EXPECT_EQ(ftp::parse257("257 /no/quotes"), "");
  EXPECT_THROW(ftp::parse257("250 \"/\""), ftp::error_reply);
}

TEST(FtpReply, MlsdLines) {
  ftp::MlsdEntry e =
      ftp::parse_mlsd_line("Type=file;Size=12;modify=20260101000000; name with spaces");
  EXPECT_EQ(e.name, "name with spaces");
  EXPECT_EQ(e.facts.at("type"), "file");
  EXPECT_EQ(e.facts.at("size"), "12");
  EXPECT_EQ(e.facts.size(), 3u);
  EXPECT_EQ(ftp::parse_mlsd_line(" bare").name, "bare");
  EXPECT_THROW(ftp::parse_mlsd_line("type=file;size12; x"), ftp::error_proto);
  EXPECT_THROW(ftp::parse_mlsd_line("nospace"), ftp::error_proto);
}

TEST(FtpReply, MultiLineFraming) {
  EXPECT_TRUE(ftp::ends_reply("220 ready", ""));
  EXPECT_TRUE(ftp::ends_reply("220", ""));
  EXPECT_FALSE(ftp::ends_reply("230-Welcome", "230-more"));
  EXPECT_FALSE(ftp::ends_reply("230-Welcome", "220 another code"));
  EXPECT_FALSE(ftp::ends_reply("230-Welcome", " 230 indented"));
  EXPECT_TRUE(ftp::ends_reply("230-Welcome", "230 done"));
  EXPECT_TRUE(ftp::ends_reply("230-Welcome", "230"));
}

TEST(FtpReply, ErrorsCarryTheReplyAndTheCommand) {
  ftp::error_perm e("RETR a.txt", "550 Failed to open file.");
  EXPECT_STREQ(e.what(), "RETR a.txt: 550 Failed to open file.");
  EXPECT_EQ(e.reply(), "550 Failed to open file.");
  EXPECT_EQ(e.code(), "550");
  EXPECT_EQ(ftp::error_proto("x", "garbage").code(), "");
}

TEST(FtpUrl, Parts) {
  auto u = ftp::parse_url("ftp://tester:s%40cret@127.0.0.1:2121/dir/a%20b.txt");
  EXPECT_EQ(u.user, "tester");
  EXPECT_EQ(u.password, "s@cret");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 2121);
  EXPECT_EQ(u.path, "dir/a b.txt");
  auto v6 = ftp::parse_url("FTP://[::1]/");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 21);
  EXPECT_EQ(v6.path, "");
  EXPECT_EQ(v6.user, "");
  EXPECT_EQ(v6.password, std::nullopt);
  EXPECT_EQ(ftp::parse_url("ftp://h").path, "");
}

TEST(FtpUrl, Refused) {
  for (const char* bad :
       {"http://h/", "ftp://", "ftp:///x", "ftp://h:0/", "ftp://h:70000/", "ftp://h:/",
        "ftp://h:x/", "ftp://[::1/", "ftp://[::1]x/", "ftp://h/a%0d%0aDELE%20x", "ftp://h/%",
        "ftp://h/%4", "ftp://h/%zz", "ftp://u%00@h/", "ftp://h%0a/"}) {
    EXPECT_THROW(ftp::parse_url(bad), std::invalid_argument) << bad;
  }
}
