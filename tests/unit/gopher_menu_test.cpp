// SPDX-License-Identifier: MIT
// Gopher menus (RFC 1436 + the Gopher+ fields to ignore + hand-written lines), text
// unstuffing and gopher:// URLs, including the hostile forms.
#include <gtest/gtest.h>

#include <soket/proto/gopher/menu.hpp>
#include <soket/proto/gopher/url.hpp>

namespace gopher = soket::proto::gopher;

TEST(GopherMenu, ParsesItemsAndStopsAtDot) {
  const auto items = gopher::parse_menu(
      "0Hello text\t/hello.txt\t127.0.0.1\t7070\r\n"
      "1Docs\t/docs\texample.org\t70\t+\r\n"  // Gopher+ marker: ignored
      "iWelcome\t\tnull.host\t1\r\n"
      "7Search\t/find\th\t70\r\n"
      ".\r\n"
      "0after the end\t/x\th\t70\r\n");
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].type, gopher::A_TEXT);
  EXPECT_EQ(items[0].display, "Hello text");
  EXPECT_EQ(items[0].selector, "/hello.txt");
  EXPECT_EQ(items[0].host, "127.0.0.1");
  EXPECT_EQ(items[0].port, 7070);
  EXPECT_TRUE(items[0].selectable());
  EXPECT_EQ(items[1].type, gopher::A_MENU);
  EXPECT_EQ(items[1].port, 70);
  EXPECT_EQ(items[2].type, gopher::A_INFO);
  EXPECT_FALSE(items[2].selectable());
  EXPECT_EQ(items[3].type, gopher::A_INDEX);
}

TEST(GopherMenu, ShortOrBrokenLinesBecomeInfoNeverFatal) {
  const auto items = gopher::parse_menu(
      "Just some words\n"
      "0No port\t/sel\thost\n"
      "0Bad port\t/sel\thost\t99999\n"
      "0Letters\t/sel\thost\t7a\n"
      "\n");
  ASSERT_EQ(items.size(), 4u);
  for (const auto& i : items) {
    EXPECT_EQ(i.type, gopher::A_INFO);
    EXPECT_FALSE(i.selectable());
  }
  EXPECT_EQ(items[0].display, "Just some words");
  EXPECT_EQ(items[1].display, "No port");
  EXPECT_EQ(items[2].display, "Bad port");
}

TEST(GopherMenu, TypeNames) {
  EXPECT_EQ(gopher::type_to_name('0'), "TEXT");
  EXPECT_EQ(gopher::type_to_name('7'), "INDEX");
  EXPECT_EQ(gopher::type_to_name('z'), "TYPE='z'");
  EXPECT_TRUE(gopher::is_binary_type('9'));
  EXPECT_FALSE(gopher::is_binary_type('0'));
}

TEST(GopherText, DotEndAndDoubledDots) {
  EXPECT_EQ(gopher::unstuff_text("line one\r\n..dot line\r\n.\r\nnever\r\n"),
            "line one\r\n.dot line\r\n");
  // Without the terminator (gophernicus sends none for text): everything.
  EXPECT_EQ(gopher::unstuff_text("a\nb"), "a\nb");
}

TEST(GopherUrl, Forms) {
  auto u = gopher::parse_url("gopher://example.org");
  EXPECT_EQ(u.host, "example.org");
  EXPECT_EQ(u.port, 70);
  EXPECT_EQ(u.type, '1');
  EXPECT_EQ(u.selector, "");
  u = gopher::parse_url("gopher://127.0.0.1:7070/0/hello%20world.txt");
  EXPECT_EQ(u.port, 7070);
  EXPECT_EQ(u.type, '0');
  EXPECT_EQ(u.selector, "/hello world.txt");
  EXPECT_EQ(u.str(), "gopher://127.0.0.1:7070/0/hello%20world.txt");
  u = gopher::parse_url("gopher://[::1]:71/7/search%09two words");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.type, '7');
  EXPECT_EQ(u.selector, "/search");
  ASSERT_TRUE(u.query);
  EXPECT_EQ(*u.query, "two words");
  EXPECT_EQ(u.str(), "gopher://[::1]:71/7/search%09two%20words");
}

TEST(GopherUrl, HostileFormsAreRefusedWithReason) {
  auto err = [](const char* text) {
    try {
      gopher::parse_url(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(err("http://x/"), "gopher URL: not a gopher:// URL: \"http://x/\"");
  EXPECT_EQ(err("gopher:///0x"), "gopher URL: no host");
  EXPECT_EQ(err("gopher://h:0/"), "gopher URL: bad port \"0\"");
  EXPECT_EQ(err("gopher://h:70000/"), "gopher URL: bad port \"70000\"");
  EXPECT_EQ(err("gopher://h:/"), "gopher URL: bad port \"\"");
  EXPECT_EQ(err("gopher://h/0a%0d%0aQUIT"), "gopher URL: CR or LF in the selector");
  EXPECT_EQ(err("gopher://h/0a%2"), "gopher URL: truncated %-escape");
  EXPECT_EQ(err("gopher://h/0a%zz"), "gopher URL: bad %-escape \"%zz\"");
  EXPECT_EQ(err("gopher://[::1/"), "gopher URL: unclosed [ in the host");
  EXPECT_EQ(err("gopher://u@h/"), "gopher URL: user information is not allowed");
}
