// SPDX-License-Identifier: MIT
// soket::proto::http::Client against servers nobody here wrote — Python's http.server, nginx,
// openssl s_server -WWW — and against a Python server written for these tests whose paths
// behave well or badly (redirects, chunked, 1xx, slow and lying bodies, resets, huge heads), and
// a Python forward proxy.
#include <soket/proto/http/client.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <soket/error.hpp>
#include <soket/proto/http/parse_error.hpp>
#include <soket/soket.hpp>
#include <soket/tls.hpp>

#include "support/servers/http_script_server.hpp"
#include "support/support.hpp"
#include "tls/pki.hpp"

namespace http = soket::proto::http;
using soket::test::Child;
using soket::test::python_argv;

namespace {

// A Python child that prints its port on its first line.
struct PyServer {
  explicit PyServer(const char* code, std::vector<std::string> args = {})
      : child(python_argv(code, std::move(args))) {
    auto line = child.read_line();
    if (!line) throw std::runtime_error("server printed no port: " + child.read_stderr());
    port = std::stoi(*line);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  Child child;
  int port = 0;
};

struct ScriptServer : PyServer {
  ScriptServer() : PyServer(soket::test::http_script_server) {}
};

http::ClientOptions no_proxy() {
  http::ClientOptions o;
  o.proxies = std::map<std::string, std::string>{};  // the environment's are not for loopback
  o.timeouts.connect = http::Seconds(20);
  o.timeouts.read = http::Seconds(20);  // a broken test fails instead of hanging
  return o;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/soket-http-client-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

int free_port() {
  auto s = soket::test::listen_ephemeral();
  return s.getsockname().port();
}

http::ParseError parse_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const http::ProtocolError& e) {
    return static_cast<http::ParseError>(e.code().value());
  }
  ADD_FAILURE() << "no ProtocolError";
  return {};
}

}  // namespace

TEST(HttpClient, GetsAContentLengthBodyAndReusesTheConnection) {
  ScriptServer server;
  http::Client client(no_proxy());
  http::HTTPResponse r = client.get(server.url("/hello"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_EQ(r.length(), 5u);
  EXPECT_EQ(r.read(), "hello");
  EXPECT_TRUE(r.done());
  EXPECT_EQ(client.idle_connections(), 1u);
  std::string first = client.get(server.url("/conn")).read();
  std::string second = client.get(server.url("/conn")).read();
  EXPECT_EQ(first, second);  // the server saw one connection
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpClient, AResponseDroppedBeforeItsEndClosesItsConnection) {
  ScriptServer server;
  http::Client client(no_proxy());
  { http::HTTPResponse r = client.get(server.url("/conn")); }
  EXPECT_EQ(client.idle_connections(), 0u);
  client.get(server.url("/conn")).read();
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpClient, ReadsChunkedBodiesAndPieces) {
  ScriptServer server;
  http::Client client(no_proxy());
  http::HTTPResponse r = client.get(server.url("/chunked"));
  EXPECT_EQ(r.read(2), "ab");
  char buf[3];
  EXPECT_EQ(r.readinto(buf), 3u);
  EXPECT_EQ(std::string(buf, 3), "cde");
  EXPECT_EQ(r.read(), "fg");
  EXPECT_TRUE(r.done());
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(HttpClient, ReadPieceGivesTheChunkedBodyThenEmpty) {
  ScriptServer server;
  http::Client client(no_proxy());
  http::HTTPResponse r = client.get(server.url("/chunked"));
  std::string body;
  for (std::string_view piece = r.read_piece(); !piece.empty(); piece = r.read_piece())
    body.append(piece);
  EXPECT_EQ(body, "abcdefg");
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.read_piece().empty());
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(HttpClient, HeadHasNoBodyAndKeepsTheConnection) {
  ScriptServer server;
  http::Client client(no_proxy());
  http::HTTPResponse r = client.head(server.url("/hello"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.getheader("content-length"), "5");
  EXPECT_EQ(r.read(), "");
  EXPECT_EQ(client.get(server.url("/hello")).read(), "hello");
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpClient, BodyUntilCloseAndInformationalAnswersSkipped) {
  ScriptServer server;
  http::Client client(no_proxy());
  EXPECT_EQ(client.get(server.url("/noframe")).read(), "until close");
  http::HTTPResponse r = client.get(server.url("/continue"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.read(), "after 1xx");
}

TEST(HttpClient, SendsTheRequestAsPythonWould) {
  ScriptServer server;
  http::Client client(no_proxy());
  std::string echo = client
                         .post(server.url("/echo?x=1"), "a=1&b=2",
                               "application/x-www-form-urlencoded", {{"X-Test", "yes"}})
                         .read();
  EXPECT_NE(echo.find("\"method\": \"POST\""), std::string::npos) << echo;
  EXPECT_NE(echo.find("\"target\": \"/echo?x=1\""), std::string::npos) << echo;
  EXPECT_NE(echo.find("[\"Content-Length\", \"7\"]"), std::string::npos) << echo;
  EXPECT_NE(echo.find("[\"X-Test\", \"yes\"]"), std::string::npos) << echo;
  EXPECT_NE(echo.find("[\"Host\", \"127.0.0.1:" + std::to_string(server.port) + "\"]"),
            std::string::npos)
      << echo;
  EXPECT_NE(echo.find("\"body\": \"a=1&b=2\""), std::string::npos) << echo;
  // Credentials in the URL become Basic authorization ("u:p").
  std::string auth =
      client.get("http://u:p@127.0.0.1:" + std::to_string(server.port) + "/echo").read();
  EXPECT_NE(auth.find("[\"Authorization\", \"Basic dTpw\"]"), std::string::npos) << auth;
  // PUT without a body still says Content-Length: 0 (Python's rule).
  std::string put = client.request("PUT", server.url("/echo")).read();
  EXPECT_NE(put.find("[\"Content-Length\", \"0\"]"), std::string::npos) << put;
}

TEST(HttpClient, RefusesHeaderInjectionAndBadMethods) {
  ScriptServer server;
  http::Client client(no_proxy());
  EXPECT_THROW(client.get(server.url("/echo"), {{"X-A", "1\r\nX-Injected: 1"}}),
               std::invalid_argument);
  EXPECT_THROW(client.get(server.url("/echo"), {{"Bad Name", "1"}}), std::invalid_argument);
  EXPECT_THROW(client.request("GE T", server.url("/echo")), std::invalid_argument);
  EXPECT_THROW(client.get("ftp://127.0.0.1/"), http::InvalidURL);
  EXPECT_THROW(client.get("http://127.0.0.1:99999/"), http::InvalidURL);
  EXPECT_EQ(client.connections_opened(), 0u);
}

// 301/302/303 become a body-less GET; 307/308 keep the method and the body.
TEST(HttpClient, RedirectMethodRules) {
  ScriptServer server;
  http::Client client(no_proxy());
  for (int code : {301, 302, 303, 307, 308}) {
    http::HTTPResponse r =
        client.post(server.url("/redirect?code=" + std::to_string(code) + "&to=/echo"), "data=1");
    std::string echo = r.read();
    EXPECT_EQ(r.status, 200) << code;
    EXPECT_EQ(r.redirects, 1) << code;
    EXPECT_EQ(r.url, server.url("/echo")) << code;
    bool keeps = code == 307 || code == 308;
    EXPECT_NE(echo.find(keeps ? "\"method\": \"POST\"" : "\"method\": \"GET\""), std::string::npos)
        << code << " " << echo;
    EXPECT_NE(echo.find(keeps ? "\"body\": \"data=1\"" : "\"body\": \"\""), std::string::npos)
        << code << " " << echo;
    EXPECT_EQ(echo.find("Content-Type") == std::string::npos, !keeps) << code << " " << echo;
  }
  // All on one connection: the redirects' small bodies were read.
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpClient, RedirectLimitsAndRefusals) {
  ScriptServer server;
  http::ClientOptions o = no_proxy();
  o.max_redirects = 3;
  http::Client client(o);
  try {
    client.get(server.url("/loop"));
    FAIL();
  } catch (const http::TooManyRedirects& e) {
    EXPECT_EQ(e.code(), 302);
    EXPECT_NE(std::string(e.what()).find("more than 3 redirects"), std::string::npos);
  }
  EXPECT_THROW(client.get(server.url("/redirect?to=file:///etc/passwd")), http::HTTPError);
  o.follow_redirects = false;
  http::Client manual(o);
  http::HTTPResponse r = manual.get(server.url("/redirect?code=301&to=/x"));
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.getheader("Location"), "/x");
  EXPECT_EQ(r.read(), "moved");
}

TEST(HttpClient, CredentialsStayWithTheirOrigin) {
  ScriptServer a, b;
  http::Client client(no_proxy());
  http::Headers creds{{"Authorization", "Bearer secret"}, {"Cookie", "c=1"}, {"X-Other", "kept"}};
  std::string same = client.get(a.url("/redirect?to=/echo"), creds).read();
  EXPECT_NE(same.find("Bearer secret"), std::string::npos) << same;
  std::string other = client.get(a.url("/redirect?to=" + b.url("/echo")), creds).read();
  EXPECT_EQ(other.find("secret"), std::string::npos) << other;
  EXPECT_EQ(other.find("c=1"), std::string::npos) << other;
  EXPECT_NE(other.find("kept"), std::string::npos) << other;
}

TEST(HttpClient, ReadTimeoutWhileWaitingForTheHeadAndTheBody) {
  ScriptServer server;
  http::ClientOptions o = no_proxy();
  o.timeouts.read = http::Seconds(0.3);
  http::Client client(o);
  EXPECT_THROW(client.get(server.url("/hang")), soket::TimeoutError);
  http::HTTPResponse r = client.get(server.url("/slowbody"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THROW(r.read(), soket::TimeoutError);
}

TEST(HttpClient, TotalTimeoutStopsABodyThatKeepsDripping) {
  ScriptServer server;
  http::ClientOptions o = no_proxy();
  o.timeouts.total = http::Seconds(0.5);  // each byte comes within the read timeout
  http::Client client(o);
  http::HTTPResponse r = client.get(server.url("/drip"));
  try {
    r.read();
    FAIL();
  } catch (const soket::TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("total timeout"), std::string::npos) << e.what();
  }
}

TEST(HttpClient, ConnectTimeout) {
  soket::test::FullBacklog full;
  http::ClientOptions o = no_proxy();
  o.timeouts.connect = http::Seconds(0.3);
  http::Client client(o);
  EXPECT_THROW(client.get("http://" + full.address().to_string() + "/"), soket::TimeoutError);
}

TEST(HttpClient, ConnectionRefused) {
  http::Client client(no_proxy());
  EXPECT_THROW(client.get("http://127.0.0.1:" + std::to_string(soket::test::closed_port()) + "/"),
               soket::ConnectionRefusedError);
}

TEST(HttpClient, HostileBodies) {
  ScriptServer server;
  http::Client client(no_proxy());
  try {
    client.get(server.url("/lying")).read();
    FAIL();
  } catch (const http::IncompleteRead& e) {
    EXPECT_EQ(e.partial(), 10u);
    EXPECT_EQ(e.expected(), 90u);
  }
  // A reset in the middle of the body: the error, never a short body taken for the whole.
  http::HTTPResponse r = client.get(server.url("/reset"));
  bool failed = false;
  try {
    r.read();
  } catch (const soket::ConnectionResetError&) {
    failed = true;
  } catch (const http::IncompleteRead&) {
    failed = true;
  }
  EXPECT_TRUE(failed);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClient, HostileHeadsAreProtocolErrors) {
  ScriptServer server;
  http::Client client(no_proxy());
  EXPECT_EQ(parse_error_of([&] { client.get(server.url("/hugeheader")); }),
            http::ParseError::field_line_too_long);
  EXPECT_EQ(parse_error_of([&] { client.get(server.url("/manyheaders")); }),
            http::ParseError::too_many_fields);
  EXPECT_EQ(parse_error_of([&] { client.get(server.url("/cl-te")); }),
            http::ParseError::content_length_with_transfer_encoding);
  EXPECT_EQ(parse_error_of([&] { client.get(server.url("/badstatus")); }),
            http::ParseError::bad_status_line);
  EXPECT_EQ(parse_error_of([&] { client.get(server.url("/endless-size")).read(); }),
            http::ParseError::chunk_size_overflow);
  EXPECT_THROW(client.get(server.url("/empty")), http::RemoteDisconnected);
}

TEST(HttpClient, EndlessChunkStopsAtTheBodyLimit) {
  ScriptServer server;
  http::ClientOptions o = no_proxy();
  o.limits.max_body = 1 << 20;
  http::Client client(o);
  EXPECT_EQ(parse_error_of([&] { client.get(server.url("/endless-chunk")).read(); }),
            http::ParseError::body_too_large);
}

TEST(HttpClient, AKeptConnectionTheServerDropsIsRetriedOnce) {
  ScriptServer server;
  http::Client client(no_proxy());
  EXPECT_EQ(client.get(server.url("/once-then-drop")).read(), "first");
  EXPECT_EQ(client.idle_connections(), 1u);
  EXPECT_EQ(client.get(server.url("/hello")).read(), "hello");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpClient, DownloadsFromPythonHttpServerWithProgress) {
  std::string dir = temp_dir();
  std::string data(3 * 1024 * 1024 + 7, '\0');
  std::mt19937 rng(7);
  for (auto& c : data) c = static_cast<char>(rng());
  std::ofstream(dir + "/blob.bin", std::ios::binary) << data;
  int port = free_port();
  Child server(
      {SOKET_PYTHON, "-m", "http.server", "-b", "127.0.0.1", "-d", dir, std::to_string(port)});
  http::Client client(no_proxy());
  // Wait for it to listen (bounded).
  for (int i = 0; i < 200; ++i) {
    try {
      client.head("http://127.0.0.1:" + std::to_string(port) + "/");
      break;
    } catch (const soket::ConnectionRefusedError&) {
      ::usleep(50000);
    }
  }
  std::vector<std::uint64_t> seen;
  std::optional<std::uint64_t> total;
  auto out = std::filesystem::path(dir) / "copy.bin";
  auto n = client.download("http://127.0.0.1:" + std::to_string(port) + "/blob.bin", out,
                           [&](std::uint64_t done, std::optional<std::uint64_t> t) {
                             seen.push_back(done);
                             total = t;
                           });
  EXPECT_EQ(n, data.size());
  EXPECT_EQ(slurp(out), data);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), data.size());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(total, data.size());
  // A 404 is an HTTPError and leaves no file behind.
  auto missing = std::filesystem::path(dir) / "missing.bin";
  try {
    client.download("http://127.0.0.1:" + std::to_string(port) + "/nope", missing);
    FAIL();
  } catch (const http::HTTPError& e) {
    EXPECT_EQ(e.code(), 404);
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
  // urlretrieve, the one-call form.
  auto again = std::filesystem::path(dir) / "again.bin";
  EXPECT_EQ(http::urlretrieve("http://127.0.0.1:" + std::to_string(port) + "/blob.bin", again, {},
                              http::Seconds(20)),
            data.size());
  EXPECT_EQ(slurp(again), data);
  server.signal(SIGTERM);
  server.wait();
  std::filesystem::remove_all(dir);
}

TEST(HttpClient, AFailedDownloadLeavesNoFile) {
  ScriptServer server;
  std::string dir = temp_dir();
  http::Client client(no_proxy());
  auto out = std::filesystem::path(dir) / "cut.bin";
  EXPECT_THROW(client.get(server.url("/lying")).save(out), http::IncompleteRead);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST(HttpClient, UrlopenRaisesForErrorStatuses) {
  ScriptServer server;
  try {
    http::urlopen(server.url("/status?code=404"), std::nullopt, http::Seconds(20));
    FAIL();
  } catch (const http::HTTPError& e) {
    EXPECT_EQ(e.code(), 404);
    EXPECT_STREQ(e.what(), "HTTP Error 404: Status");
  }
  std::string echo = http::urlopen(server.url("/echo"), "k=v", http::Seconds(20)).read();
  EXPECT_NE(echo.find("\"method\": \"POST\""), std::string::npos) << echo;
}

TEST(HttpClient, ThroughAProxyAndAroundIt) {
  ScriptServer server;
  PyServer proxy(soket::test::http_test_proxy);
  http::ClientOptions o = no_proxy();
  o.proxies = std::map<std::string, std::string>{
      {"http", "http://user:pw@127.0.0.1:" + std::to_string(proxy.port)}};
  http::Client client(o);
  std::string echo = client.get(server.url("/echo")).read();
  EXPECT_NE(echo.find("\"target\": \"/echo\""), std::string::npos) << echo;
  auto line = proxy.child.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "GET " + server.url("/echo") + " auth");
  // no_proxy lists the host: straight to the server.
  o.proxies->emplace("no", "localhost, 127.0.0.1");
  http::Client direct(o);
  EXPECT_EQ(direct.get(server.url("/hello")).read(), "hello");
  EXPECT_FALSE(proxy.child.read_line(std::chrono::milliseconds(300)));
}

TEST(HttpClient, ProxiesFromTheEnvironment) {
  ScriptServer server;
  PyServer proxy(soket::test::http_test_proxy);
  ::setenv("http_proxy", ("127.0.0.1:" + std::to_string(proxy.port)).c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  http::ClientOptions o;  // proxies: from the environment
  o.timeouts.read = http::Seconds(20);
  http::Client client(o);
  ::unsetenv("http_proxy");
  EXPECT_EQ(client.get(server.url("/hello")).read(), "hello");
  auto line = proxy.child.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->rfind("GET " + server.url("/hello"), 0), 0u) << *line;
}

namespace {

// nginx with a configuration written into a private directory (skips when nginx is missing).
struct Nginx {
  Nginx() {
    if (::access("/usr/sbin/nginx", X_OK) != 0) return;
    dir = temp_dir();
    std::filesystem::create_directories(dir + "/www");
    std::filesystem::create_directories(dir + "/tmp");
    std::ofstream(dir + "/www/hello.txt") << "hello from nginx\n";
    port = free_port();
    std::ofstream(dir + "/nginx.conf")
        << "daemon off; master_process off; worker_processes 1; pid " << dir
        << "/nginx.pid; error_log " << dir << "/error.log;\n"
        << "events { worker_connections 64; }\n"
        << "http { access_log off; client_body_temp_path " << dir << "/tmp/b; proxy_temp_path "
        << dir << "/tmp/p; fastcgi_temp_path " << dir << "/tmp/f; uwsgi_temp_path " << dir
        << "/tmp/u; scgi_temp_path " << dir << "/tmp/s;\n"
        << "  server { listen 127.0.0.1:" << port << "; root " << dir << "/www;\n"
        << "    location = /redirect { return 302 /hello.txt; }\n"
        << "    location = /post { return 200 \"posted $request_method\"; } } }\n";
    child = std::make_unique<Child>(std::vector<std::string>{
        "/usr/sbin/nginx", "-p", dir, "-c", dir + "/nginx.conf", "-e", dir + "/error.log"});
  }
  ~Nginx() {
    if (child) {
      child->signal(SIGTERM);
      child->wait();
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  std::unique_ptr<Child> child;
  std::string dir;
  int port = 0;
};

}  // namespace

TEST(HttpClient, AgainstNginx) {
  Nginx nginx;
  if (!nginx.child)
    GTEST_SKIP() << "nginx is not installed (scripts/setup.sh installs nginx-light)";
  http::Client client(no_proxy());
  for (int i = 0; i < 200; ++i) {
    try {
      client.head(nginx.url("/"));
      break;
    } catch (const soket::ConnectionRefusedError&) {
      ::usleep(50000);
    }
  }
  auto before = client.connections_opened();
  for (int i = 0; i < 3; ++i) {
    http::HTTPResponse r = client.get(nginx.url("/hello.txt"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.getheader("Server").value_or("").rfind("nginx", 0), 0u);
    EXPECT_EQ(r.read(), "hello from nginx\n");
  }
  http::HTTPResponse head = client.head(nginx.url("/hello.txt"));
  EXPECT_EQ(head.getheader("Content-Length"), "17");
  EXPECT_EQ(head.read(), "");
  http::HTTPResponse missing = client.get(nginx.url("/missing"));
  EXPECT_EQ(missing.status, 404);
  missing.read();
  http::HTTPResponse r = client.get(nginx.url("/redirect"));
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.read(), "hello from nginx\n");
  EXPECT_EQ(client.post(nginx.url("/post"), "x=1").read(), "posted POST");
  EXPECT_LE(client.connections_opened() - before, 1u);  // all kept alive on one connection
}

TEST(HttpClient, HttpsAgainstOpensslSServerVerifiesByDefault) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl is not installed";
  soket::test::TestPKI pki;
  std::string dir = temp_dir();
  std::ofstream(dir + "/hello.txt") << "hello over tls\n";
  int port = free_port();
  Child server(
      {"/bin/sh", "-c",
       "cd '" + dir + "' && exec openssl s_server -accept 127.0.0.1:" + std::to_string(port) +
           " -cert " + pki.cert("localhost") + " -key " + pki.key("localhost") + " -WWW -quiet"});
  std::string url = "https://127.0.0.1:" + std::to_string(port) + "/hello.txt";
  http::ClientOptions o = no_proxy();
  o.context = soket::tls::create_default_context(soket::tls::Purpose::server_auth, pki.ca());
  http::Client client(o);
  std::string body;
  for (int i = 0; i < 200 && body.empty(); ++i) {
    try {
      body = client.get(url).read();
    } catch (const soket::ConnectionRefusedError&) {
      ::usleep(50000);
    }
  }
  EXPECT_EQ(body, "hello over tls\n");
  // The system's CAs do not know the test CA: verification fails (on by default).
  http::Client strict(no_proxy());
  EXPECT_THROW(strict.get(url), soket::tls::SSLCertVerificationError);
  http::ClientOptions insecure = no_proxy();
  insecure.context = soket::tls::create_unverified_context();
  EXPECT_EQ(http::Client(insecure).get(url).read(), "hello over tls\n");
  server.signal(SIGTERM);
  server.wait();
  std::filesystem::remove_all(dir);
}

TEST(HttpClient, HttpsThroughAConnectTunnel) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl is not installed";
  soket::test::TestPKI pki;
  std::string dir = temp_dir();
  std::ofstream(dir + "/t.txt") << "tunnelled\n";
  int port = free_port();
  Child server(
      {"/bin/sh", "-c",
       "cd '" + dir + "' && exec openssl s_server -accept 127.0.0.1:" + std::to_string(port) +
           " -cert " + pki.cert("localhost") + " -key " + pki.key("localhost") + " -WWW -quiet"});
  PyServer proxy(soket::test::http_test_proxy);
  http::ClientOptions o = no_proxy();
  o.context = soket::tls::create_default_context(soket::tls::Purpose::server_auth, pki.ca());
  o.proxies = std::map<std::string, std::string>{
      {"https", "http://127.0.0.1:" + std::to_string(proxy.port)}};
  http::Client client(o);
  std::string body;
  for (int i = 0; i < 100 && body.empty(); ++i) {
    try {
      body = client.get("https://127.0.0.1:" + std::to_string(port) + "/t.txt").read();
    } catch (const soket::Error&) {
      ::usleep(100000);  // s_server not listening yet: the proxy's upstream connect failed
    } catch (const http::HTTPException&) {
      ::usleep(100000);
    }
  }
  EXPECT_EQ(body, "tunnelled\n");
  std::string line;
  while (auto l = proxy.child.read_line(std::chrono::milliseconds(500))) line = *l;
  EXPECT_EQ(line.rfind("CONNECT 127.0.0.1:" + std::to_string(port), 0), 0u) << line;
  server.signal(SIGTERM);
  server.wait();
  std::filesystem::remove_all(dir);
}

TEST(HttpClient, OneClientFromSeveralThreads) {
  ScriptServer server;
  http::Client client(no_proxy());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i)
        if (client.get(server.url("/hello")).read() == "hello") ++good;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 80);
  // Connections were shared through the pool: one per thread at most (the pool keeps 4).
  EXPECT_LE(client.connections_opened(), 4u);
  EXPECT_LE(client.idle_connections(), client.options().max_idle_per_host);
}
