// SPDX-License-Identifier: MIT
// StaticFiles on http::Server, and `soket http serve DIR`, answered by peers no one here wrote:
// curl (ranges, conditional requests, HEAD), Python's urllib and http.client (listings,
// traversal attempts sent raw), wrk (bounded), and a file replaced or truncated while it is
// being sent.
#include <soket/proto/http/static_files.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <soket/proto/http/server.hpp>

#include "interop/tool_support.hpp"
#include "support/http_server_client.hpp"
#include "support/served_files.hpp"
#include "support/support.hpp"

using namespace soket;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace http = soket::proto::http;
using test::Child;
using test::have;
using test::run;

namespace {

std::string pattern(std::size_t n) {
  std::string s;
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + i % 26));
  return s;
}

// A document root in a temporary directory, served by an in-process http::Server.
class Files : public test::ServedFiles {
 protected:
  Files() : ServedFiles("soket_files_") {}
  void SetUp() override {
    ServedFiles::SetUp();
    fs::create_directories(root / "sub");
    write(base / "secret.txt", "top secret\n");
    write(root / "hello.txt", "hello, world\n");
    write(root / "empty.txt", "");
    write(root / "big.bin", pattern(100000));
    write(root / "index.html", "<p>home</p>\n");
    write(root / "sub" / "<b>&'x\".txt", "odd\n");
    fs::create_symlink("../secret.txt", root / "escape");
    fs::create_symlink("hello.txt", root / "alias.txt");
  }

  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(server->address().port()) + std::string(path);
  }
  // curl's body, then a line with the status code.
  std::string curl(std::vector<std::string> args) {
    std::vector<std::string> argv{"curl", "-s", "--max-time", "30", "-w", "\n%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  test::HttpReply raw(std::string_view request) {
    test::RawHttp c(server->address());
    c.send(request);
    auto r = c.read();
    if (!r) throw std::runtime_error("no response");
    return *r;
  }
};

}  // namespace

TEST_F(Files, CurlGetsFilesWithValidators) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  start();
  EXPECT_EQ(curl({url("/hello.txt")}), "hello, world\n\n200");
  const std::string head = run({"curl", "-sI", "--max-time", "30", url("/hello.txt")});
  EXPECT_NE(head.find("Content-Type: text/plain"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Length: 13"), std::string::npos) << head;
  EXPECT_NE(head.find("Accept-Ranges: bytes"), std::string::npos) << head;
  EXPECT_TRUE(std::regex_search(head, std::regex("ETag: \"[0-9a-f]+-d\"\r\n"))) << head;
  EXPECT_NE(head.find("Last-Modified: "), std::string::npos) << head;
  EXPECT_EQ(curl({url("/")}), "<p>home</p>\n\n200");  // index.html
  EXPECT_EQ(curl({url("/alias.txt")}), "hello, world\n\n200");
  EXPECT_EQ(curl({url("/empty.txt")}), "\n200");
}

TEST_F(Files, CurlRanges) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  start();
  EXPECT_EQ(curl({"-r", "0-4", url("/hello.txt")}), "hello\n206");
  EXPECT_EQ(curl({"-r", "-6", url("/hello.txt")}), "world\n\n206");      // suffix
  EXPECT_EQ(curl({"-r", "7-1000", url("/hello.txt")}), "world\n\n206");  // clamped
  std::string past = curl({"-r", "13-", url("/hello.txt")});
  EXPECT_EQ(past.substr(past.size() - 3), "416") << past;
  std::string empty = curl({"-r", "0-0", url("/empty.txt")});
  EXPECT_EQ(empty.substr(empty.size() - 3), "416") << empty;
  // Several ranges: the whole file with 200 (allowed by RFC 9110 §14.2).
  EXPECT_EQ(curl({"-r", "0-1,3-4", url("/hello.txt")}), "hello, world\n\n200");
  const std::string range_head =
      run({"curl", "-s", "-D", "-", "-o", "/dev/null", "-r", "99990-", url("/big.bin")});
  EXPECT_NE(range_head.find("Content-Range: bytes 99990-99999/100000"), std::string::npos)
      << range_head;
  EXPECT_EQ(curl({"-r", "99990-", url("/big.bin")}), pattern(100000).substr(99990) + "\n206");
  const auto r416 = raw("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=50-\r\n\r\n");
  EXPECT_EQ(r416.status, 416);
  EXPECT_EQ(r416.header("Content-Range"), "bytes */13");
  // Another unit and nonsense are ignored: 200 with the whole body.
  EXPECT_EQ(raw("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: items=0-1\r\n\r\n").status, 200);
  EXPECT_EQ(raw("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=x-y\r\n\r\n").body,
            "hello, world\n");
}

TEST_F(Files, CurlConditionalRequests) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  start();
  // -z FILE sends If-Modified-Since with FILE's mtime: the same file's → 304.
  EXPECT_EQ(curl({"-z", (root / "hello.txt").string(), url("/hello.txt")}), "\n304");
  // --etag-save, then --etag-compare: If-None-Match with the saved tag → 304.
  const std::string etag_file = (base / "etag").string();
  EXPECT_EQ(curl({"--etag-save", etag_file, url("/hello.txt")}), "hello, world\n\n200");
  EXPECT_EQ(curl({"--etag-compare", etag_file, url("/hello.txt")}), "\n304");
  // The file changes (its size too: the tag holds the mtime's second and the size).
  write(root / "hello.txt", "hello, again and again\n");
  EXPECT_EQ(curl({"--etag-compare", etag_file, url("/hello.txt")}),
            "hello, again and again\n\n200");
  const auto head = raw("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto tag = head.header("ETag").value_or("");
  const auto lm = head.header("Last-Modified").value_or("");
  auto with = [&](std::string field) {
    return raw("GET /hello.txt HTTP/1.1\r\nHost: t\r\n" + field + "\r\n\r\n");
  };
  const auto not_modified = with("If-None-Match: \"x\", " + tag);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.header("ETag"), tag);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(with("If-None-Match: W/" + tag).status, 304);
  EXPECT_EQ(with("If-None-Match: \"nope\"\r\nIf-Modified-Since: " + lm).status, 200);
  EXPECT_EQ(with("If-Modified-Since: " + lm).status, 304);
  EXPECT_EQ(with("If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT").status, 200);
  EXPECT_EQ(with("If-Modified-Since: not a date").status, 200);
  EXPECT_EQ(with("If-Match: \"nope\"").status, 412);
  EXPECT_EQ(with("If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT").status, 412);
  EXPECT_EQ(with("Range: bytes=0-4\r\nIf-Range: " + tag).status, 206);
  EXPECT_EQ(with("Range: bytes=0-4\r\nIf-Range: \"stale\"").status, 200);
}

TEST_F(Files, TraversalAttemptsAreRefused) {
  start();
  for (std::string_view target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt", "/.%2E/secret.txt"})
    EXPECT_EQ(raw("GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n\r\n").status, 403)
        << target;
  for (std::string_view target : {"/..%2fsecret.txt", "/hello.txt%00.html", "/a%zz", "/x%0d%0a"})
    EXPECT_EQ(raw("GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n\r\n").status, 400)
        << target;
  const auto link = raw("GET /escape HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(link.status, 403);
  EXPECT_EQ(link.body.find("secret"), std::string::npos);
  EXPECT_EQ(raw("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n").status, 404);
  EXPECT_EQ(raw("GET /hello.txt/ HTTP/1.1\r\nHost: t\r\n\r\n").status, 404);
  const auto post = raw("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("Allow"), "GET, HEAD");
  // Python's http.client sends the path as given, dots and all.
  const std::string out = run(test::python_argv(R"(
import http.client, sys
for path in ['/../secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/escape', '/sub/%2e%2e/hello.txt']:
    c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
    c.request('GET', path); r = c.getresponse(); print(r.status, len(r.read()))
)",
                                                {std::to_string(server->address().port())}));
  EXPECT_EQ(out, "403 14\n403 14\n403 14\n200 13\n");
}

TEST_F(Files, QueriesAndAbsoluteFormNameTheFile) {
  start();
  EXPECT_EQ(raw("GET /hello.txt?x=/../../secret.txt HTTP/1.1\r\nHost: t\r\n\r\n").body,
            "hello, world\n");
  EXPECT_EQ(raw("GET http://t/hello.txt?q HTTP/1.1\r\nHost: t\r\n\r\n").body, "hello, world\n");
  const auto moved = raw("GET /sub?q=1 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.header("Location"), "/sub/");
}

TEST_F(Files, SymlinksOutOfTheRootWhenAllowed) {
  start({.follow_symlinks_out = true});
  EXPECT_EQ(raw("GET /escape HTTP/1.1\r\nHost: t\r\n\r\n").body, "top secret\n");
}

TEST_F(Files, PythonUrllibReadsListingsWithEscapedNames) {
  start();
  const std::string out = run(test::python_argv(R"(
import sys, urllib.request, urllib.error, html.parser
base = 'http://127.0.0.1:%s' % sys.argv[1]
class Links(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.links = []
    def handle_starttag(s, tag, attrs):
        if tag == 'a': s.links.append(dict(attrs)['href'])
r = urllib.request.urlopen(base + '/sub', timeout=20)   # redirected to /sub/
print(r.status, r.url.endswith('/sub/'), r.headers['Content-Type'])
p = Links(); p.feed(r.read().decode()); print(p.links)
for link in p.links:
    print(urllib.request.urlopen(base + '/sub/' + link, timeout=20).read())
try:
    urllib.request.urlopen(base + '/nothing', timeout=20)
except urllib.error.HTTPError as e:
    print('error', e.code)
)",
                                                {std::to_string(server->address().port())}));
  EXPECT_EQ(out,
            "200 True text/html; charset=utf-8\n"
            "['%3Cb%3E%26%27x%22.txt']\n"
            "b'odd\\n'\n"
            "error 404\n");
}

TEST_F(Files, IndexFilesAreTriedInOrderAndRespondIsThePlan) {
  write(root / "start.txt", "start\n");
  start({.index_files = {"missing.html", "start.txt"}});
  EXPECT_EQ(raw("GET / HTTP/1.1\r\nHost: t\r\n\r\n").body, "start\n");
  http::Request req;
  req.method = "GET";
  req.target = req.path = "/";
  const http::FileResponse plan = files->respond(req);
  EXPECT_EQ(plan.status, 200);
  EXPECT_TRUE(plan.has_file());
  EXPECT_EQ(plan.file_length, 6u);
  EXPECT_TRUE(plan.body.empty());
  req.method = "POST";
  EXPECT_EQ(files->respond(req).status, 405);
}

TEST_F(Files, NoListingWhenDisabled) {
  start({.list_directories = false});
  EXPECT_EQ(raw("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n").status, 403);
  EXPECT_EQ(raw("GET / HTTP/1.1\r\nHost: t\r\n\r\n").body, "<p>home</p>\n");
}

TEST_F(Files, SpecialFilesAreNotServed) {
  ASSERT_EQ(::mkfifo((root / "pipe").c_str(), 0600), 0);
  start();
  EXPECT_EQ(raw("GET /pipe HTTP/1.1\r\nHost: t\r\n\r\n").status, 403);
}

// A client that asks for the file, stops reading while `change` runs (the socket buffers
// fill: 64 MiB is far more than they hold), then reads everything and reports.
constexpr const char* slow_reader = R"(
import http.client, socket, sys, time, subprocess
port, change = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(('127.0.0.1', port), timeout=30)
s.sendall(b'GET /large.bin HTTP/1.1\r\nHost: t\r\n\r\n')
time.sleep(0.3)
subprocess.run(change, shell=True, check=True)
r = http.client.HTTPResponse(s); r.begin()
expected = bytes(ord('a') + i % 26 for i in range(26)) * (64 * 1024 * 1024 // 26 + 1)
try:
    body = r.read()
    print(r.status, len(body), body == expected[:len(body)])
except http.client.IncompleteRead as e:
    print(r.status, 'incomplete', len(e.partial))
)";

TEST_F(Files, AFileReplacedWhileItIsSentArrivesWhole) {
  // The server holds the old file's descriptor, so renaming a new file over it changes
  // nothing for this response; the next request gets the new file.
  write(root / "large.bin", pattern(64 << 20));
  write(base / "new.bin", "new\n");
  start();
  const std::string mv =
      "mv '" + (base / "new.bin").string() + "' '" + (root / "large.bin").string() + "'";
  const std::string out =
      run(test::python_argv(slow_reader, {std::to_string(server->address().port()), mv}));
  EXPECT_EQ(out, "200 67108864 True\n");
  EXPECT_EQ(raw("GET /large.bin HTTP/1.1\r\nHost: t\r\n\r\n").body, "new\n");
}

TEST_F(Files, AFileTruncatedWhileItIsSentEndsTheConnection) {
  // Truncated in place: fewer bytes exist than the Content-Length promised, so the server
  // closes the connection (the client sees a short body) and goes on serving others.
  write(root / "large.bin", pattern(64 << 20));
  start();
  const std::string out = run(
      test::python_argv(slow_reader, {std::to_string(server->address().port()),
                                      "truncate -s 1000 '" + (root / "large.bin").string() + "'"}));
  EXPECT_EQ(out.rfind("200 incomplete ", 0), 0u) << out;
  EXPECT_EQ(raw("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n").body, "hello, world\n");
}

TEST_F(Files, WrkGetsOnlySuccesses) {
  if (!have("wrk")) GTEST_SKIP() << "wrk is not installed";
  write(root / "4k.bin", pattern(4096));
  start();
  const std::string out =
      run({"timeout", "30", "wrk", "-t1", "-c8", "-d1s", "--latency", url("/4k.bin")});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"((\d+) requests in)"))) << out;
  EXPECT_GT(std::stoll(m[1]), 0);
  EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
  EXPECT_EQ(out.find("Socket errors"), std::string::npos) << out;
}

// `soket http serve DIR`: the tool over the same library.
TEST_F(Files, ToolServesADirectory) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  Child tool({test::soket_tool(), "http", "serve", root.string(), "-a", "127.0.0.1:0"});
  const test::Listening l = test::read_listening(tool, "soket http serve");
  ASSERT_NE(l.port, 0) << l.line;
  const std::string base_url = "http://127.0.0.1:" + std::to_string(l.port);
  EXPECT_EQ(run({"curl", "-s", "--max-time", "30", base_url + "/hello.txt"}), "hello, world\n");
  EXPECT_EQ(run({"curl", "-s", "--max-time", "30", "-r", "7-11", base_url + "/hello.txt"}),
            "world");
  tool.signal(SIGTERM);
  EXPECT_EQ(tool.wait(), 0);
}

TEST_F(Files, ToolRefusesAMissingDirectory) {
  int status = 0;
  Child tool({test::soket_tool(), "http", "serve", (base / "nope").string(), "-a", "127.0.0.1:0"});
  const std::string err = tool.read_stderr(20s);
  status = tool.wait();
  EXPECT_EQ(status, 1) << err;
  EXPECT_NE(err.find("soket http serve: "), std::string::npos) << err;
  EXPECT_NE(err.find("nope"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}
