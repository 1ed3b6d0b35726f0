// SPDX-License-Identifier: MIT
// `soket http serve` as a process: curl gets the --text answer, --access-log writes one
// Common Log Format line per request, HTTPS with --cert, bad options exit 2 naming the option.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

using namespace soket;
using namespace std::chrono_literals;
using test::Child;
using test::have;

namespace {

struct HttpServe {
  explicit HttpServe(std::vector<std::string> args) : child(argv(std::move(args))) {
    test::Listening l = test::read_listening(child, "soket http serve");
    if (l.port == 0) throw std::runtime_error("no port in: " + l.line);
    port = l.port;
  }
  static std::vector<std::string> argv(std::vector<std::string> args) {
    args.insert(args.begin(), {test::soket_tool(), "http", "serve", "-a", "127.0.0.1:0"});
    return args;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  Child child;
  int port = 0;
};

std::string run(std::vector<std::string> argv, int* status) {
  Child c(std::move(argv));
  std::string out = c.read_all(30s) + c.read_stderr();
  *status = c.wait(30s);
  return out;
}

TEST(HttpTool, ServesTextAndLogsEachRequest) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  HttpServe s({"--text", "hi there\n", "--access-log"});
  int st = 0;
  std::string out = run({"curl", "-sS", "--max-time", "20", s.url() + "/x?y=1"}, &st);
  EXPECT_EQ(st, 0);
  EXPECT_EQ(out, "hi there\n");
  auto line = s.child.read_err_line();
  ASSERT_TRUE(line);
  EXPECT_TRUE(std::regex_match(
      *line, std::regex(R"(127\.0\.0\.1 - - \[.+\] "GET /x\?y=1 HTTP/1\.1" 200 9)")))
      << *line;
  out = run({"curl", "-sS", "-X", "DELETE", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
             "20", s.url() + "/"},
            &st);
  EXPECT_EQ(out, "405");
  s.child.signal(SIGTERM);
  EXPECT_EQ(s.child.wait(), 0);
}

TEST(HttpTool, ServesHttpsWithCert) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  char tmpl[] = "/tmp/soket-httptool-XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  Child cert({test::soket_tool(), "tls-cert", "--cn", "localhost", "--cert",
              (dir / "cert.pem").string(), "--key", (dir / "key.pem").string()});
  if (cert.wait() != 0) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "soket tls-cert: " << cert.read_stderr();
  }
  HttpServe s({"--text", "secure\n", "--cert", (dir / "cert.pem").string(), "--key",
               (dir / "key.pem").string()});
  int st = 0;
  std::string out =
      run({"curl", "-sSk", "--max-time", "20", "https://127.0.0.1:" + std::to_string(s.port) + "/"},
          &st);
  EXPECT_EQ(out, "secure\n");
  std::filesystem::remove_all(dir);
}

TEST(HttpTool, BadOptionsExit2WithOneLine) {
  const std::vector<std::vector<std::string>> bad = {
      {"--threads", "-1"},     {"--header-timeout", "nan"}, {"--keep-alive-timeout", "1e400"},
      {"--body-timeout", "0"}, {"--key", "k.pem"},          {"--no-such-option"},
  };
  for (const auto& args : bad) {
    std::vector<std::string> argv = {test::soket_tool(), "http", "serve", "-a", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    Child c(argv);
    std::string err = c.read_stderr(10s);
    EXPECT_EQ(c.wait(10s), 2) << args[0] << ": " << err;
    // One line naming what failed (then the usage hint every command prints).
    EXPECT_EQ(err.rfind("soket: ", 0), 0u) << err;
    EXPECT_NE(err.substr(0, err.find('\n')).find(args[0].substr(2)), std::string::npos) << err;
  }
  Child help({test::soket_tool(), "http", "serve", "--help"});
  std::string text = help.read_all(10s);
  EXPECT_EQ(help.wait(), 0);
  EXPECT_NE(text.find("Examples:"), std::string::npos);
}

// The completion script (read from the source tree) completes http's subcommands and then
// the subcommand's own options.
TEST(HttpTool, BashCompletesSubcommandsAndTheirOptions) {
  auto complete = [&](const std::string& words) {
    Child bash({"bash", "-c",
                "source '" + std::string(SOKET_SOURCE_DIR) +
                    "/tools/soket.bash-completion' && COMP_WORDS=(" + words +
                    ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _soket && echo "
                    "\"${COMPREPLY[*]}\"",
                "bash"});
    std::string out = bash.read_all(30s);
    EXPECT_EQ(bash.wait(30s), 0) << bash.read_stderr();
    return out;
  };
  std::string prog = "'" + test::soket_tool() + "'";
  EXPECT_EQ(complete(prog + " ht"), "http\n");
  EXPECT_EQ(complete(prog + " http se"), "serve\n");
  EXPECT_EQ(complete(prog + " http serve --acc"), "--access-log\n");
}

}  // namespace
