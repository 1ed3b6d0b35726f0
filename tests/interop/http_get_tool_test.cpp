// SPDX-License-Identifier: MIT
// `soket http get` against the client tests' Python server: output, files, heads, JSON, and the
// exit codes that tell failures apart (curl's numbers).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/servers/http_script_server.hpp"
#include "support/support.hpp"

using soket::test::Child;

namespace {

struct ToolRun {
  int status;
  std::string out, err;
};

ToolRun get(std::vector<std::string> args) {
  args.insert(args.begin(), {soket::test::soket_tool(), "http", "get"});
  // No proxy from the test's environment: these URLs are on loopback.
  Child c(args, {"http_proxy=", "https_proxy=", "HTTP_PROXY=", "HTTPS_PROXY="});
  ToolRun r;
  r.out = c.read_all();
  r.err = c.read_stderr();
  r.status = c.wait();
  return r;
}

struct Server {
  Server() : child(soket::test::python_argv(soket::test::http_script_server)) {
    auto line = child.read_line();
    if (!line) throw std::runtime_error("no port: " + child.read_stderr());
    port = std::stoi(*line);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  Child child;
  int port = 0;
};

}  // namespace

TEST(HttpGetTool, BodyToStdoutAndHeadWithInclude) {
  Server s;
  ToolRun r = get({s.url("/hello")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hello");
  r = get({"-i", s.url("/hello")});
  EXPECT_EQ(r.out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  r = get({"-I", s.url("/hello")});
  EXPECT_EQ(r.out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
}

TEST(HttpGetTool, WritesAFileWithOAndRemoteName) {
  Server s;
  auto dir = std::filesystem::temp_directory_path() / ("soket-get-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ToolRun r = get({"-o", (dir / "out.txt").string(), s.url("/chunked")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(dir / "out.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "abcdefg");
  // -O names the file after the URL's last segment, in the working directory.
  Child c({"/bin/sh", "-c",
           "cd '" + dir.string() + "' && exec '" + soket::test::soket_tool() + "' http get -O '" +
               s.url("/hello") + "'"},
          {"http_proxy="});
  EXPECT_EQ(c.wait(), 0) << c.read_stderr();
  EXPECT_TRUE(std::filesystem::exists(dir / "hello"));
  std::filesystem::remove_all(dir);
}

TEST(HttpGetTool, HeadersDataMethodAndRedirects) {
  Server s;
  ToolRun r = get({"-H", "X-One: 1", "-d", "a=1", "-d", "b=2", s.url("/echo")});
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["body"], "a=1&b=2");
  EXPECT_NE(r.out.find("[\"X-One\", \"1\"]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("application/x-www-form-urlencoded"), std::string::npos) << r.out;
  r = get({"-X", "DELETE", s.url("/echo")});
  EXPECT_EQ(nlohmann::json::parse(r.out)["method"], "DELETE");
  // Without -L the redirect is the answer; with it, followed.
  r = get({s.url("/redirect?to=/hello")});
  EXPECT_EQ(r.out, "moved");
  r = get({"-L", s.url("/redirect?to=/hello")});
  EXPECT_EQ(r.out, "hello");
  r = get({"-L", "--max-redirs", "2", s.url("/loop")});
  EXPECT_EQ(r.status, 47) << r.err;
  EXPECT_NE(r.err.find("soket http get: "), std::string::npos) << r.err;
}

TEST(HttpGetTool, VerboseTracesOnStderr) {
  Server s;
  ToolRun r = get({"-v", s.url("/hello")});
  EXPECT_EQ(r.out, "hello");
  EXPECT_NE(r.err.find("> GET /hello HTTP/1.1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("< HTTP/1.1 200 OK"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("* Connecting to 127.0.0.1"), std::string::npos) << r.err;
}

TEST(HttpGetTool, Json) {
  Server s;
  ToolRun r = get({"--json", s.url("/status?code=404")});
  EXPECT_EQ(r.status, 0) << r.err;  // a 404 is an answer, as curl without -f
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["reason"], "Status");
  EXPECT_EQ(j["body"], "status body");
  EXPECT_EQ(j["bytes"], 11);
  EXPECT_EQ(j["url"], s.url("/status?code=404"));
}

TEST(HttpGetTool, ExitCodesTellFailuresApart) {
  Server s;
  ToolRun r = get({"-f", s.url("/status?code=404")});
  EXPECT_EQ(r.status, 22);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "soket http get: the requested URL returned error: 404\n");
  r = get({"http://127.0.0.1:" + std::to_string(soket::test::closed_port()) + "/"});
  EXPECT_EQ(r.status, 7) << r.err;
  r = get({"--read-timeout", "0.3", s.url("/hang")});
  EXPECT_EQ(r.status, 28) << r.err;
  r = get({"-m", "0.5", s.url("/drip")});
  EXPECT_EQ(r.status, 28) << r.err;
  r = get({s.url("/empty")});
  EXPECT_EQ(r.status, 52) << r.err;
  r = get({s.url("/lying")});
  EXPECT_EQ(r.status, 56) << r.err;
  r = get({s.url("/cl-te")});
  EXPECT_EQ(r.status, 8) << r.err;
  EXPECT_NE(r.err.find("Content-Length"), std::string::npos) << r.err;
}

TEST(HttpGetTool, UsageErrorsExit2) {
  for (std::vector<std::string> args : {std::vector<std::string>{"http://a:99999/"},
                                        {"ftp://a/"},
                                        {"not a url"},
                                        {"--connect-timeout", "-1", "http://a/"},
                                        {"-m", "nan", "http://a/"},
                                        {"-m", "1e400", "http://a/"},
                                        {"-H", "no colon", "http://127.0.0.1:1/"},
                                        {"-O", "http://127.0.0.1:1/"},
                                        {"--max-redirs", "-1", "http://a/"}}) {
    ToolRun r = get(args);
    EXPECT_EQ(r.status, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("soket"), std::string::npos) << r.err;
  }
  ToolRun help = get({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("Example: soket http get"), std::string::npos);
}
