// SPDX-License-Identifier: MIT
// translate_path, quote and html_escape: traversal in every spelling, escapes, hostile bytes.
#include "soket/proto/http/target_path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace http = soket::proto::http;
using http::TargetPathError;

namespace {

std::string good(std::string_view target, bool* directory = nullptr) {
  TargetPathError e{};
  auto p = http::translate_path(target, e);
  EXPECT_TRUE(p.has_value()) << target << ": " << http::to_string(e);
  if (!p) return "<refused>";
  if (directory) *directory = p->directory;
  return p->relative;
}

TargetPathError refused(std::string_view target) {
  TargetPathError e{};
  auto p = http::translate_path(target, e);
  EXPECT_FALSE(p.has_value()) << target << " gave " << (p ? p->relative : "");
  return e;
}

}  // namespace

TEST(HttpTargetPath, PlainPaths) {
  bool dir = false;
  EXPECT_EQ(good("/", &dir), "");
  EXPECT_TRUE(dir);
  EXPECT_EQ(good("/a/b.txt", &dir), "a/b.txt");
  EXPECT_FALSE(dir);
  EXPECT_EQ(good("/a/b/", &dir), "a/b");
  EXPECT_TRUE(dir);
  EXPECT_EQ(good("/a?x=/../../etc/passwd"), "a");
  EXPECT_EQ(good("/a#frag/.."), "a");
}

TEST(HttpTargetPath, DotSegmentsResolveInsideTheRoot) {
  bool dir = false;
  EXPECT_EQ(good("/a/./b//c"), "a/b/c");
  EXPECT_EQ(good("/a/../b"), "b");
  EXPECT_EQ(good("/a/b/..", &dir), "a");
  EXPECT_TRUE(dir);
  EXPECT_EQ(good("/a/%2e%2e/b"), "b");
  EXPECT_EQ(good("/a/%2E/b"), "a/b");
  EXPECT_EQ(good("/..."), "...");  // a name, not a dot segment
}

TEST(HttpTargetPath, ClimbingAboveTheRootIsRefused) {
  for (std::string_view t : {"/..", "/../etc/passwd", "/a/../../etc/passwd", "/%2e%2e/x",
                             "/%2E%2e/%2e%2E/etc", "/.%2e/x", "/%2e./x", "//../x", "/./../x"})
    EXPECT_EQ(refused(t), TargetPathError::outside_root) << t;
}

TEST(HttpTargetPath, EncodedSeparatorsAreRefused) {
  EXPECT_EQ(refused("/..%2f..%2fetc/passwd"), TargetPathError::encoded_slash);
  EXPECT_EQ(refused("/a%2Fb"), TargetPathError::encoded_slash);
  EXPECT_EQ(refused("/..%5c..%5cwin.ini"), TargetPathError::encoded_slash);
}

TEST(HttpTargetPath, NulAndControlCharactersAreRefused) {
  EXPECT_EQ(refused("/a%00.txt"), TargetPathError::nul_byte);
  EXPECT_EQ(refused(std::string_view("/a\0b", 4)), TargetPathError::nul_byte);
  EXPECT_EQ(refused("/a%0d%0aSet-Cookie:x"), TargetPathError::control_char);
  EXPECT_EQ(refused("/a%7f"), TargetPathError::control_char);
}

TEST(HttpTargetPath, BadEscapesAreRefused) {
  for (std::string_view t : {"/a%", "/a%2", "/a%zz", "/a%2g", "/%%32%65"})
    EXPECT_EQ(refused(t), TargetPathError::bad_escape) << t;
}

TEST(HttpTargetPath, NonOriginFormIsRefused) {
  EXPECT_EQ(refused("*"), TargetPathError::not_origin_form);
  EXPECT_EQ(refused("http://h/a"), TargetPathError::not_origin_form);
  EXPECT_EQ(refused(""), TargetPathError::not_origin_form);
  EXPECT_EQ(refused("?x"), TargetPathError::not_origin_form);
}

TEST(HttpTargetPath, DecodesUtf8AndSpaces) {
  EXPECT_EQ(good("/caf%C3%A9%20menu.txt"), "caf\xC3\xA9 menu.txt");
}

TEST(HttpTargetPath, HtmlEscapeMatchesPythons) {
  EXPECT_EQ(http::html_escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;");
}
