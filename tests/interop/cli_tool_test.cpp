// SPDX-License-Identifier: MIT
// The soket tool's command line behaves like the tools people know: hostile numbers are usage
// errors naming the option (exit 2, never a signal), an unknown command suggests the nearest,
// `soket help [CMD]`, a bare port for serve, the client's exit statuses, addrinfo's messages.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

struct Hostile {
  std::vector<std::string> args;
  std::string option;  // the name the message must give
};

// Issue 8 §1b's list and their neighbours: each was accepted, wrapped, or aborted the process.
TEST(CliTool, HostileNumbersAreUsageErrorsNamingTheOption) {
  const std::vector<Hostile> table = {
      {{"serve", "--threads", "-1"}, "--threads"},
      {{"serve", "--threads", "1e9"}, "--threads"},
      {{"serve", "--threads", "1.5"}, "--threads"},
      {{"serve", "--max-connections", "-1"}, "--max-connections"},
      {{"serve", "--idle-timeout", "1e10"}, "--idle-timeout"},
      {{"serve", "--idle-timeout", "nan"}, "--idle-timeout"},
      {{"serve", "--idle-timeout", "-0.5"}, "--idle-timeout"},
      {{"serve", "--unix", ""}, "--unix"},
      {{"serve", "--address", ""}, "--address"},
      {{"serve", "70000"}, "port"},
      {{"serve", "--proto", "unix"}, "--unix"},
      {{"perf", "127.0.0.1:1", "-s", "1e14"}, "--size"},
      {{"perf", "127.0.0.1:1", "-s", "0"}, "--size"},
      {{"perf", "127.0.0.1:1", "-d", "3e7"}, "--depth"},
      {{"perf", "127.0.0.1:1", "-d", "4096", "-s", "1e6"}, "-d x -s"},
      {{"perf", "127.0.0.1:1", "-c", "-1"}, "--connections"},
      {{"perf", "127.0.0.1:1", "-c", "100000", "-d", "65536"}, "-c x -d"},
      {{"perf", "127.0.0.1:1", "-t", "-1"}, "--time"},
      {{"perf", "127.0.0.1:1", "-t", "nan"}, "--time"},
      {{"perf", "127.0.0.1:1", "-t", "1e400"}, "--time"},
      {{"perf", "127.0.0.1:1", "-t", "inf"}, "--time"},
      {{"perf", "127.0.0.1:1", "-t", "5s"}, "--time"},
      {{"perf", "127.0.0.1:1", "-w", "1e300"}, "--timeout"},
      {{"perf", "127.0.0.1:1", "--warmup", "nan"}, "--warmup"},
      {{"perf", "127.0.0.1:1", "-n", "-1"}, "--messages"},
      {{"perf", "127.0.0.1:1", "-n", "18446744073709551617"}, "--messages"},
      {{"perf", "127.0.0.1:1", "-T", "-1"}, "--threads"},
      {{"perf", "127.0.0.1:1", "-i", "-1"}, "--interval"},
      {{"perf", "127.0.0.1:1", "--bulk", "--idle"}, "--bulk"},
      {{"perf", "", "-n", "1"}, "address"},
      {{"client", "127.0.0.1:1", "-w", "1e300"}, "--timeout"},
      {{"client", "127.0.0.1:1", "-w", "-1"}, "--timeout"},
      {{"client", "127.0.0.1:1", "--proto", "sctp"}, "--proto"},
      {{"addrinfo", "localhost", "--family", "ipx"}, "--family"},
  };
  for (const auto& h : table) {
    std::string line;
    for (const auto& a : h.args) line += " '" + a + "'";
    ToolRun r = run_tool(h.args);
    EXPECT_EQ(r.status, 2) << "soket" << line << "\n" << r.err;  // a signal would be 128+N
    EXPECT_EQ(r.err.rfind("soket: ", 0), 0u) << line << "\n" << r.err;
    EXPECT_NE(r.err.find(h.option), std::string::npos) << line << "\n" << r.err;
  }
}

TEST(CliTool, UnknownCommandNamesItselfAndSuggestsTheNearest) {
  ToolRun typo = run_tool({"adrinfo", "localhost"});
  EXPECT_EQ(typo.status, 2);
  EXPECT_EQ(typo.err, "soket: unknown command 'adrinfo' (did you mean 'addrinfo'?)\n");
  ToolRun far = run_tool({"frobnicate"});
  EXPECT_EQ(far.status, 2);
  EXPECT_NE(far.err.find("unknown command 'frobnicate' (commands: addrinfo, serve, client, perf"),
            std::string::npos)
      << far.err;
  ToolRun none = run_tool({});
  EXPECT_EQ(none.status, 2);
}

TEST(CliTool, HelpCommandAndEnumNamesInHelp) {
  ToolRun all = run_tool({"help"});
  EXPECT_EQ(all.status, 0) << all.err;
  for (const char* cmd : {"addrinfo", "serve", "client", "perf"})
    EXPECT_NE(all.out.find(std::string("  ") + cmd + " "), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("Usage: soket "), std::string::npos) << all.out;
  ToolRun perf = run_tool({"help", "perf"});
  EXPECT_EQ(perf.status, 0);
  EXPECT_NE(perf.out.find("--interval"), std::string::npos) << perf.out;
  EXPECT_EQ(perf.out, run_tool({"perf", "--help"}).out);
  ToolRun bad = run_tool({"help", "serv"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, "soket: unknown command 'serv' (did you mean 'serve'?)\n");
  // Enums by name, not CLI11's "ENUM:value in {chargen->4,...}".
  ToolRun serve = run_tool({"serve", "--help"});
  EXPECT_NE(serve.out.find("--mode {greet,echo,discard,daytime,chargen}"), std::string::npos)
      << serve.out;
  EXPECT_EQ(serve.out.find("->"), std::string::npos) << serve.out;
}

// As `python3 -m http.server 8080`: the port alone.
TEST(CliTool, ServeTakesABarePort) {
  ServedByTool s({"0"});
  ASSERT_NE(s.port, 0) << s.listening;
  EXPECT_EQ(s.listening.rfind("Listening on ('127.0.0.1', ", 0), 0u) << s.listening;
  ToolRun greet = run_tool({"client", s.address()});
  EXPECT_EQ(greet.status, 0) << greet.err;
  EXPECT_EQ(greet.out, "Thank you for connecting");
  EXPECT_EQ(s.stop(), 0);
  ToolRun both = run_tool({"serve", "0", "--address", "127.0.0.1:0"});
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

// The greet server replies and closes without reading: the client's half-close may then find
// the connection gone (ENOTCONN) or reset. The greeting still counts: 200 runs, each engine.
class ClientAgainstGreet : public ::testing::TestWithParam<const char*> {};

TEST_P(ClientAgainstGreet, MessageModeNeverLosesTheGreeting) {
  ServedByTool s({"--engine", GetParam(), "--mode", "greet", "-a", "127.0.0.1:0"});
  ASSERT_NE(s.port, 0) << s.listening;
  int failures = 0;
  std::string last;
  for (int i = 0; i < 200; ++i) {
    ToolRun r = run_tool({"client", s.address(), "hello", std::to_string(i)});
    if (r.status != 0 || r.out != "Thank you for connecting") {
      ++failures;
      last = "status " + std::to_string(r.status) + ": " + r.out + " / " + r.err;
    }
  }
  EXPECT_EQ(failures, 0) << last;
  EXPECT_EQ(s.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, ClientAgainstGreet, ::testing::Values("socketserver", "event"));

// As nc -u: a datagram nobody answers is a failure the exit status shows.
TEST(CliTool, UdpClientWithoutReplyExitsNonZero) {
  Socket silent(Family::inet, Type::dgram);
  silent.bind(Address("127.0.0.1", 0));
  std::string where = silent.getsockname().to_string();
  ToolRun r = run_tool({"client", "--proto", "udp", "-w", "0.2", where, "anyone?"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "soket client: no reply from " + where + "\n");
  EXPECT_EQ(silent.recv(100), "anyone?");  // it was sent

  ServedByTool echo({"--proto", "udp", "--mode", "echo", "-a", "127.0.0.1:0"});
  ToolRun ok = run_tool({"client", "--proto", "udp", echo.address(), "hi"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "hi\n");
  EXPECT_EQ(echo.stop(), 0);
}

// Numeric host and a service that is nowhere: no DNS, and the message names the service.
TEST(CliTool, AddrinfoNamesABadService) {
  ToolRun r = run_tool({"addrinfo", "127.0.0.1", "nosuchservice"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("soket addrinfo: getaddrinfo 127.0.0.1, service nosuchservice: "),
            std::string::npos)
      << r.err;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `cmake --install` puts the man pages (help2man, from each command's --help) and the bash
// completion next to the program; the completion reads commands and enum values from --help.
TEST(CliTool, InstallsManPagesAndBashCompletion) {
  TempUnixPath tmp;  // a private directory, removed afterwards
  std::string prefix = tmp.dir() + "/prefix";
  Child install({SOKET_CMAKE, "--install", SOKET_BINARY_DIR, "--prefix", prefix});
  std::string log = install.read_all(120s);
  ASSERT_EQ(install.wait(120s), 0) << log << install.read_stderr();
  std::string page = read_file(prefix + "/share/man/man1/soket.1");
  ASSERT_FALSE(page.empty()) << "no soket.1 in " << prefix;
  EXPECT_NE(page.find(".TH SOKET "), std::string::npos);
  for (std::string cmd :
       {"addrinfo", "serve", "client", "perf", "connect", "listen", "broadcast", "help"}) {
    EXPECT_NE(page.find(cmd), std::string::npos) << cmd;
    if (cmd == "help") continue;
    std::string sub = read_file(prefix + "/share/man/man1/soket-" + cmd + ".1");
    EXPECT_NE(sub.find("soket " + cmd), std::string::npos) << "soket-" << cmd << ".1:\n" << sub;
  }
  std::string completion = prefix + "/share/bash-completion/completions/soket";
  auto complete = [&](const std::string& words) {
    Child bash({"bash", "-c",
                "source '" + completion + "' && COMP_WORDS=(" + words +
                    ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _soket && echo "
                    "\"${COMPREPLY[*]}\"",
                "bash"});
    std::string out = bash.read_all(30s);
    EXPECT_EQ(bash.wait(30s), 0) << bash.read_stderr();
    return out;
  };
  std::string prog = "'" + soket_tool() + "'";
  EXPECT_EQ(complete(prog + " ad"), "addrinfo\n");
  EXPECT_EQ(complete(prog + " serve --mode e"), "echo\n");
  EXPECT_EQ(complete(prog + " perf --inte"), "--interval\n");
  EXPECT_EQ(complete(prog + " listen --jo"), "--join\n");
  EXPECT_EQ(complete(prog + " broadcast --no-"), "--no-loop\n");
  EXPECT_EQ(complete(prog + " http g"), "get\n");
  EXPECT_EQ(complete(prog + " http get --ins"), "--insecure\n");
  EXPECT_EQ(complete(prog + " mail f"), "fetch\n");
  EXPECT_EQ(complete(prog + " mail fetch --del"), "--delete\n");
}

}  // namespace
}  // namespace soket::test
