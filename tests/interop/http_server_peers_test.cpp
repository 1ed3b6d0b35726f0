// SPDX-License-Identifier: MIT
// http::Server answered by clients no one here wrote: Python's http.client (keep-alive,
// chunked, HEAD, 100-continue) and urllib, curl (HTTP/1.0 and 1.1, HTTPS with -k), wrk
// (bounded), Python's ssl over HTTPS, and 1,000 slowloris connections while a normal client
// is still answered.
#include <soket/proto/http/server.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <soket/proto/http/router.hpp>
#include <soket/tls/context.hpp>
#include <soket/tls/engine.hpp>

#include "support/http_server_client.hpp"
#include "support/support.hpp"
#include "tls/self_signed.hpp"

using namespace soket;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace http = soket::proto::http;
using test::Child;
using test::have;
using test::run;

namespace {

// 300 KiB of "abc...z" repeated, in a file (send_file's case), made once.
const std::string& pattern_file() {
  static const std::string path = [] {
    char tmpl[] = "/tmp/soket-http-peers-XXXXXX";
    int fd = mkstemp(tmpl);
    std::string data;
    for (int i = 0; i < 300 * 1024; ++i) data.push_back(static_cast<char>('a' + i % 26));
    EXPECT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
    std::atexit([] { std::remove(pattern_file().c_str()); });
    return std::string(tmpl);
  }();
  return path;
}

http::Handler app() {
  return [](const http::Request& req, http::Response& res) {
    if (req.path == "/file") {
      return res.send_file(OwnedFd(::open(pattern_file().c_str(), O_RDONLY | O_CLOEXEC)), 0,
                           300 * 1024);
    }
    if (req.path == "/chunked") {
      res.write("alpha,");
      res.write("beta,");
      res.write("gamma");
      return res.end();
    }
    std::string text = req.method + " " + req.target + " " + req.body;
    if (auto ua = req.header("User-Agent")) text += " ua=" + std::string(*ua);
    res.header("Content-Type", "text/plain").send(text);
  };
}

struct Served {
  explicit Served(http::ServerOptions o = {})
      : server(Address("127.0.0.1", 0), app(), std::move(o)) {
    server.start();
  }
  ~Served() { server.stop(1s); }
  std::string url(std::string_view scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server.address().port());
  }
  http::Server server;
};

TEST(HttpServerPeers, PythonHttpClientKeepsAliveAndReadsChunkedAndHead) {
  Served s;
  std::string out = run(test::python_argv(R"(
import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
for i in range(3):
    c.request('GET', '/k%d' % i)
    r = c.getresponse()
    print(r.status, r.read().decode(), r.getheader('Server'))
sock = c.sock
c.request('GET', '/chunked'); r = c.getresponse()
print(r.status, r.getheader('Transfer-Encoding'), r.read().decode())
c.request('HEAD', '/h'); r = c.getresponse()
print(r.status, r.getheader('Content-Length'), repr(r.read()))
c.request('POST', '/p', body=b'x' * 5, headers={'Expect': '100-continue'})
r = c.getresponse(); print(r.status, r.read().decode())
print('same socket', c.sock is sock)
)",
                                          {std::to_string(s.server.address().port())}));
  EXPECT_NE(out.find("200 GET /k0  soket\n"), std::string::npos) << out;
  EXPECT_NE(out.find("200 GET /k2  soket\n"), std::string::npos) << out;
  EXPECT_NE(out.find("200 chunked alpha,beta,gamma\n"), std::string::npos) << out;
  EXPECT_NE(out.find("200 8 b''\n"), std::string::npos) << out;
  EXPECT_NE(out.find("200 POST /p xxxxx\n"), std::string::npos) << out;
  EXPECT_NE(out.find("same socket True\n"), std::string::npos) << out;
}

TEST(HttpServerPeers, PythonUrllibGetsAnswersAnd404sAsHTTPError) {
  http::Router router;
  router.get("/here", app());
  http::Server server(Address("127.0.0.1", 0), router);
  server.start();
  std::string out = run(test::python_argv(R"(
import urllib.request, urllib.error, sys
base = 'http://127.0.0.1:%s' % sys.argv[1]
print(urllib.request.urlopen(base + '/here?q=1', timeout=20).read().decode())
try:
    urllib.request.urlopen(base + '/missing', timeout=20)
except urllib.error.HTTPError as e:
    print('HTTPError', e.code)
try:
    urllib.request.urlopen(urllib.request.Request(base + '/here', data=b'z', method='PUT'), timeout=20)
except urllib.error.HTTPError as e:
    print('HTTPError', e.code, e.headers['Allow'])
)",
                                          {std::to_string(server.address().port())}));
  server.stop(1s);
  EXPECT_NE(out.find("GET /here?q=1  ua=Python-urllib/3."), std::string::npos) << out;
  EXPECT_NE(out.find("HTTPError 404\n"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTPError 405 GET, HEAD\n"), std::string::npos) << out;
}

TEST(HttpServerPeers, CurlOver10And11WithKeepAlive) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  Served s;
  std::string out = run({"curl", "-sS", "--max-time", "20", s.url() + "/a", s.url() + "/b", "-w",
                         " %{http_code} %{num_connects}\n"});
  EXPECT_TRUE(std::regex_match(
      out, std::regex(R"(GET /a  ua=curl/[\d.]+ 200 1\nGET /b  ua=curl/[\d.]+ 200 0\n)")))
      << out << "(the second request reuses the connection: num_connects 0)";
  out = run({"curl", "-sS", "--http1.0", "--max-time", "20", s.url() + "/chunked"});
  EXPECT_EQ(out, "alpha,beta,gamma");
  out = run({"curl", "-sS", "--max-time", "20", "-d", "posted", s.url() + "/p"});
  EXPECT_EQ(out.substr(0, 15), "POST /p posted ");
  out = run({"curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-o", "/dev/null", "-w",
             "%{size_download}", s.url() + "/file", s.url() + "/file"});
  EXPECT_EQ(out, "307200307200");
}

TEST(HttpServerPeers, WrkLoadHasNoErrors) {
  if (!have("wrk")) GTEST_SKIP() << "wrk is not installed";
  Served s;
  std::string out = run({"wrk", "-t1", "-c20", "-d1s", "--timeout", "5s", s.url() + "/"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"((\d+) requests in)"))) << out;
  EXPECT_GT(std::stol(m[1]), 100) << out;
  EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
  EXPECT_EQ(out.find("Socket errors"), std::string::npos) << out;
  EXPECT_GE(s.server.requests(), static_cast<std::uint64_t>(std::stol(m[1])));
}

TEST(HttpServerPeers, HttpsWithPythonSslAndCurl) {
  const test::SelfSignedCert& cert = test::cert();
  tls::SSLContext ctx = cert.server_context();
  tls::EngineContext engine_tls(ctx, tls::EngineContext::server_side);
  http::ServerOptions o;
  o.transport = &engine_tls;
  Served s(std::move(o));
  std::string out =
      run(test::python_argv(R"(
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
c = http.client.HTTPSConnection('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=20)
for p in ('/s1', '/chunked'):
    c.request('GET', p); r = c.getresponse(); print(r.status, r.read().decode())
c.request('GET', '/file'); body = c.getresponse().read()
print('file', len(body), body == bytes(ord('a') + i % 26 for i in range(300 * 1024)))
print(c.sock.version())
)",
                            {std::to_string(s.server.address().port()), cert.cert.string()}));
  EXPECT_NE(out.find("200 GET /s1 \n200 alpha,beta,gamma\nfile 307200 True\nTLSv1.3\n"),
            std::string::npos)
      << out;
  if (have("curl")) {
    out = run({"curl", "-sSk", "--max-time", "20", s.url("https") + "/c"});
    EXPECT_EQ(out.substr(0, 7), "GET /c ");
  }
}

// The issue's slowloris: 1,000 connections each sending a byte of a head every second. A
// normal client is answered promptly all along, and the slow ones get 408 at header_timeout.
TEST(HttpServerPeers, SlowlorisDoesNotStarveANormalClient) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 2200) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2200) GTEST_SKIP() << "needs 2200 descriptors, the limit is " << rl.rlim_cur;
  }
  http::ServerOptions o;
  o.header_timeout = 3s;
  Served s(std::move(o));
  const std::string head = "GET /slow HTTP/1.1\r\nHost: t\r\nX-Long: ";
  std::vector<Socket> slow;
  for (int i = 0; i < 1000; ++i) {
    Socket c(Family::inet, Type::stream);
    c.settimeout(20s);
    c.connect(s.server.address());
    slow.push_back(std::move(c));
  }
  int answered = 0;
  for (int second = 0; second < 3; ++second) {
    for (auto& c : slow) {
      std::error_code ec;
      c.send(std::as_bytes(std::span(head).subspan(static_cast<std::size_t>(second), 1)), 0, ec);
    }
    // A normal client meanwhile: answered, with a generous bound that only catches a hang.
    test::RawHttp normal(s.server.address(), 10s);
    normal.send(test::get_request("/normal"));
    auto r = normal.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    ++answered;
    std::this_thread::sleep_for(1s);
  }
  EXPECT_EQ(answered, 3);
  // Past header_timeout: every slow connection is answered 408 and closed.
  int timed_out = 0;
  for (auto& c : slow) {
    std::string got;
    for (;;) {
      std::error_code ec;
      std::string more = c.recv(4096, 0, ec);
      if (ec || more.empty()) break;
      got += more;
    }
    if (got.starts_with("HTTP/1.1 408 ")) ++timed_out;
  }
  EXPECT_EQ(timed_out, 1000);
}

}  // namespace
