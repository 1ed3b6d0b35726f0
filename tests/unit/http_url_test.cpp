// SPDX-License-Identifier: MIT
// urlsplit/urljoin (RFC 3986 §5.4's examples) and the proxy rules Python's urllib applies
// (reference/http.md §4.2's no_proxy table).
#include <soket/proto/http/url.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <soket/proto/http/proxy.hpp>

#include "support/support.hpp"

namespace http = soket::proto::http;

TEST(HttpUrl, SplitsEveryPart) {
  http::URL u = http::urlsplit("HTTPS://User:p%40ss@Example.COM:8443/a/b?q=1&r#frag");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.username, "User");
  EXPECT_EQ(u.password, "p@ss");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/a/b");
  EXPECT_EQ(u.query, "q=1&r");
  EXPECT_EQ(u.fragment, "frag");
  EXPECT_EQ(u.target(), "/a/b?q=1&r");
  EXPECT_EQ(u.host_port(), "example.com:8443");
  EXPECT_EQ(u.geturl(), "https://User:p%40ss@example.com:8443/a/b?q=1&r#frag");
}

TEST(HttpUrl, DefaultsAndEmptyParts) {
  http::URL u = http::urlsplit("http://example.com");
  EXPECT_EQ(u.path, "");
  EXPECT_EQ(u.target(), "/");
  EXPECT_FALSE(u.port);
  EXPECT_EQ(u.port_or_default(), 80);
  EXPECT_EQ(http::urlsplit("https://h/").port_or_default(), 443);
  // The default port is not written in Host (Python's putrequest).
  EXPECT_EQ(http::urlsplit("http://h:80/").host_port(), "h");
  EXPECT_EQ(http::urlsplit("http://h:/").port, std::nullopt);
  EXPECT_EQ(http::urlsplit("http://h/?").query, "");
}

TEST(HttpUrl, Ipv6Literals) {
  http::URL u = http::urlsplit("http://[::1]:8080/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.host_port(), "[::1]:8080");
  EXPECT_EQ(http::urlsplit("http://[::FFFF:1.2.3.4]/").host, "::ffff:1.2.3.4");
  http::URL z = http::urlsplit("http://[fe80::1%25eth0]/");
  EXPECT_EQ(z.host, "fe80::1%eth0");
  EXPECT_EQ(z.host_port(), "[fe80::1]");  // no zone in Host
  EXPECT_EQ(z.geturl(), "http://[fe80::1%25eth0]/");
  EXPECT_EQ(http::urlsplit("http://[1:2:3:4:5:6:7:8]/").host, "1:2:3:4:5:6:7:8");
}

TEST(HttpUrl, RejectsWhatCannotBeSent) {
  for (const char* bad : {"",
                          "example.com/x",
                          "/relative",
                          "http:/x",
                          "http:///x",
                          "http://a:99999/",
                          "http://a:65536/",
                          "http://a:8x/",
                          "http://a:-1/",
                          "http://a b/",
                          "http://a/\r\nX: y",
                          "http://a/\x01",
                          "http://a/\x7f",
                          "http://a/\xc3\xa9",
                          "http://[::1/",
                          "http://[1:2:3]/",
                          "http://[::1]x/",
                          "http://[1::2::3]/",
                          "http://[::1.2.3]/",
                          "http://[::256.1.1.1]/",
                          "http://[]/",
                          "http://a%2Fb/",
                          "http://a%00/",
                          "http://a^b/",
                          "http://@/",
                          "http://[fe80::1%eth0]/"}) {
    EXPECT_THROW(http::urlsplit(bad), http::InvalidURL) << bad;
  }
}

TEST(HttpUrl, ErrorNamesTheUrlAndTheReason) {
  try {
    http::urlsplit("http://a:70000/");
    FAIL();
  } catch (const http::InvalidURL& e) {
    EXPECT_STREQ(e.what(), "invalid URL 'http://a:70000/': port out of range 0-65535");
  }
  try {
    http::urlsplit(std::string("http://a/\0x", 11));
    FAIL();
  } catch (const http::InvalidURL& e) {
    EXPECT_NE(std::string(e.what()).find("\\x00"), std::string::npos) << e.what();
  }
}

// RFC 3986 §5.4.1 and §5.4.2, base "http://a/b/c/d;p?q".
TEST(HttpUrl, JoinsAsRfc3986) {
  const http::URL base = http::urlsplit("http://a/b/c/d;p?q");
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},    {"/g", "http://a/g"},
      {"//g", "http://g"},          {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},  {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},  {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},   {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},      {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},     {"../..", "http://a/"},
      {"../../g", "http://a/g"},    {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},       {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},    {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},   {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"}, {"https://o:1/x", "https://o:1/x"},
  };
  for (const auto& [ref, want] : cases) EXPECT_EQ(http::urljoin(base, ref).geturl(), want) << ref;
  EXPECT_THROW(http::urljoin(base, "//"), http::InvalidURL);
  EXPECT_THROW(http::urljoin(base, "mailto:x@y"), http::InvalidURL);
}

// Every byte, through Python's urllib.parse.quote with the safe sets soket uses: '/' (the
// default: directory listings), "" and string.punctuation (a Location before following it).
TEST(HttpUrl, QuoteMatchesPythonsQuoteForEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::vector<std::pair<std::string, std::string>> safes = {
      {"'/'", "/"}, {"''", ""}, {"string.punctuation", std::string(http::punctuation)}};
  std::string script = "import string, urllib.parse\nb = bytes(range(256))\n";
  for (const auto& [python, mine] : safes)
    script += "print(urllib.parse.quote(b, safe=" + python + "))\n";
  soket::test::Child py(soket::test::python_argv(script));
  for (const auto& [python, mine] : safes) {
    auto line = py.read_line();
    ASSERT_TRUE(line) << python;
    EXPECT_EQ(http::quote(all, mine), *line) << "safe=" << python;
  }
  EXPECT_EQ(py.wait(), 0);
  EXPECT_EQ(http::quote("a b/c"), "a%20b/c");  // safe defaults to "/", as Python's
  // A Location is encoded only where it must be: an existing %20 stays.
  EXPECT_EQ(http::quote("/a b/\xc3\xa9?x=1&y=%20", http::punctuation), "/a%20b/%C3%A9?x=1&y=%20");
}

TEST(HttpUrl, SameOriginComparesSchemeHostAndEffectivePort) {
  EXPECT_TRUE(http::urlsplit("http://a/x").same_origin(http::urlsplit("http://A:80/y")));
  EXPECT_FALSE(http::urlsplit("http://a/").same_origin(http::urlsplit("https://a/")));
  EXPECT_FALSE(http::urlsplit("http://a/").same_origin(http::urlsplit("http://a:81/")));
  EXPECT_FALSE(http::urlsplit("http://a/").same_origin(http::urlsplit("http://b/")));
}

// reference/http.md §4.2, observed with Python 3.11.
TEST(HttpProxy, NoProxyMatchesAsPython) {
  const char* list = "localhost, .example.com, foo.org:8080, 10.0.0.0/8";
  EXPECT_TRUE(http::proxy_bypass_environment("localhost", std::nullopt, list));
  EXPECT_TRUE(http::proxy_bypass_environment("localhost", 80, list));
  EXPECT_TRUE(http::proxy_bypass_environment("LOCALHOST", std::nullopt, list));
  EXPECT_TRUE(http::proxy_bypass_environment("example.com", std::nullopt, list));
  EXPECT_TRUE(http::proxy_bypass_environment("www.example.com", std::nullopt, list));
  EXPECT_FALSE(http::proxy_bypass_environment("notexample.com", std::nullopt, list));
  EXPECT_FALSE(http::proxy_bypass_environment("foo.org", std::nullopt, list));
  EXPECT_TRUE(http::proxy_bypass_environment("foo.org", 8080, list));
  EXPECT_TRUE(http::proxy_bypass_environment("a.foo.org", 8080, list));
  EXPECT_FALSE(http::proxy_bypass_environment("10.1.2.3", std::nullopt, list));
  EXPECT_TRUE(http::proxy_bypass_environment("anything", std::nullopt, " * "));
  EXPECT_FALSE(http::proxy_bypass_environment("anything", std::nullopt, ""));
  EXPECT_FALSE(http::proxy_bypass_environment("anything", std::nullopt, ", ,"));
}

TEST(HttpProxy, EnvironmentLowerCaseWinsAndEmptyRemoves) {
  ::setenv("HTTP_PROXY", "http://upper:1", 1);
  ::setenv("http_proxy", "http://lower:2", 1);
  ::setenv("HTTPS_PROXY", "http://upper:3", 1);
  ::setenv("https_proxy", "", 1);
  ::setenv("NO_PROXY", "a,b", 1);
  ::unsetenv("no_proxy");
  ::unsetenv("REQUEST_METHOD");
  auto p = http::getproxies_environment();
  EXPECT_EQ(p["http"], "http://lower:2");
  EXPECT_EQ(p.count("https"), 0u);  // the empty lower-case value removes the upper-case one
  EXPECT_EQ(p["no"], "a,b");
  // httpoxy: a CGI program ignores HTTP_PROXY (the lower-case one still counts).
  ::unsetenv("http_proxy");
  ::setenv("REQUEST_METHOD", "GET", 1);
  EXPECT_EQ(http::getproxies_environment().count("http"), 0u);
  ::setenv("http_proxy", "http://lower:2", 1);
  EXPECT_EQ(http::getproxies_environment()["http"], "http://lower:2");
  for (const char* n :
       {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "REQUEST_METHOD"})
    ::unsetenv(n);
}
