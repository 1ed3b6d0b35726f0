// SPDX-License-Identifier: MIT
// The tools `soket gopher`, `soket news` and `soket telnet` against the real servers
// (gophernicus, INN, inetutils-telnetd), and their usage errors (exit 2, one line).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "interop/tool_support.hpp"
#include "servers/news_server.hpp"

using soket::test::Child;
using soket::test::NewsServer;
using soket::test::soket_tool;

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run run(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), soket_tool());
  Child child(args, env);
  child.close_stdin();
  Run r;
  r.out = child.read_all(std::chrono::seconds(60));
  r.err = child.read_stderr();
  r.status = child.wait(std::chrono::seconds(30));
  return r;
}

void write_site(const std::string& dir) {
  std::filesystem::create_directories(dir + "/gopher");
  std::ofstream(dir + "/gopher/gophermap") << "Welcome\n\n0Hello text\t/hello.txt\n";
  std::ofstream(dir + "/gopher/hello.txt") << "Hello from gophernicus.\n";
  std::ofstream(dir + "/gopher/data.bin", std::ios::binary) << std::string("\xff\x00.\r\n", 5);
}

}  // namespace

TEST(GopherTool, MenuTextAndBinary) {
  NewsServer server(NewsServer::Kind::gophernicus, write_site);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  const std::string base = "gopher://127.0.0.1:" + std::to_string(server.port());
  auto r = run({"gopher", base});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("(TEXT)     Hello text  " + base + "/0/hello.txt"), std::string::npos)
      << r.out;
  r = run({"gopher", "--json", base});
  EXPECT_NE(r.out.find("\"type_name\": \"TEXT\""), std::string::npos) << r.out;
  r = run({"gopher", base + "/0/hello.txt"});
  EXPECT_EQ(r.out, "Hello from gophernicus.\r\n");
  const std::string out = server.dir() + "/copy.bin";
  r = run({"gopher", base + "/9/data.bin", "-o", out});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(out, std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), std::string("\xff\x00.\r\n", 5));
}

TEST(GopherTool, UsageAndRuntimeErrors) {
  auto r = run({"gopher", "http://x/"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("gopher URL: not a gopher:// URL"), std::string::npos) << r.err;
  for (const char* bad : {"-1", "nan", "1e400"}) {
    r = run({"gopher", "--timeout", bad, "gopher://127.0.0.1/"});
    EXPECT_EQ(r.status, 2) << bad;
  }
  r = run({"gopher", "gopher://127.0.0.1:" + std::to_string(soket::test::closed_port()) + "/"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("soket gopher: ")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(NewsTool, GroupsArticlesAndPost) {
  NewsServer server(NewsServer::Kind::inn2);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  const std::string base = "nntp://127.0.0.1:" + std::to_string(server.port());
  auto r = run({"news", base});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("local.general 1-1 y\n"), std::string::npos) << r.out;
  r = run({"news", base + "/local.general"});
  EXPECT_NE(r.out.find("1\twelcome\tSeed <seed@example.org>"), std::string::npos) << r.out;
  r = run({"news", base + "/local.general/1"});
  EXPECT_NE(r.out.find("\nThis article was there before the test started.\n"), std::string::npos)
      << r.out;
  r = run({"news",
           "news://127.0.0.1:" + std::to_string(server.port()) + "/seed-1@inn-test.localdomain"});
  EXPECT_NE(r.out.find("Subject: welcome"), std::string::npos) << r.out;

  const std::string article = server.dir() + "/article.txt";
  std::ofstream(article) << "From: T <t@example.org>\nNewsgroups: local.test\nSubject: tool\n\n"
                            ".a dotted line\n";
  const std::string pw = server.dir() + "/pw";
  std::ofstream(pw) << "secret\n";
  r = run({"news", "-u", "tester", "--password-file", pw, "--post", article, base});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("240")) << r.out;
  r = run({"news", "-u", "tester", base + "/local.test/1"}, {"SOKET_NEWS_PASSWORD=secret"});
  EXPECT_NE(r.out.find("\n.a dotted line\n"), std::string::npos) << r.out;
  r = run({"news", base + "/no.such.group"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("soket news: nntp GROUP: 411"), std::string::npos) << r.err;
}

TEST(NewsTool, UsageErrors) {
  auto r = run({"news", "nntp://h/g/x"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad article number"), std::string::npos) << r.err;
  r = run({"news", "-u", "me", "nntp://127.0.0.1:1/"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--password-file"), std::string::npos) << r.err;
  r = run({"news", "--limit", "-1", "nntp://h/"});
  EXPECT_EQ(r.status, 2);
}

TEST(TelnetTool, LogsInRunsACommandFromAPipe) {
  NewsServer server(NewsServer::Kind::telnetd);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  Child child(
      {soket_tool(), "telnet", "--term", "vt100", "127.0.0.1", std::to_string(server.port())});
  child.write_stdin("tester\r\nsecret\r\necho result=$((6*7)) term=$TERM\r\n");
  std::string seen;
  for (int i = 0; i < 50; ++i) {
    auto line = child.read_line(std::chrono::seconds(20));
    if (!line) break;
    seen += *line + "\n";
    if (line->find("result=42 term=vt100") != std::string::npos) break;
  }
  EXPECT_NE(seen.find("result=42 term=vt100"), std::string::npos) << seen;
  child.write_stdin("exit\r\n");
  child.close_stdin();
  EXPECT_EQ(child.wait(std::chrono::seconds(30)), 0) << child.read_stderr();
}

TEST(TelnetTool, UsageErrors) {
  EXPECT_EQ(run({"telnet", "127.0.0.1", "70000"}).status, 2);
  EXPECT_EQ(run({"telnet", "127.0.0.1", "-1"}).status, 2);
  auto r = run({"telnet", "127.0.0.1", std::to_string(soket::test::closed_port())});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("soket telnet: ")) << r.err;
}
