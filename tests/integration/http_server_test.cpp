// SPDX-License-Identifier: MIT
// http::Server over real loopback sockets: keep-alive, pipelining (split at every byte, answered
// out of order by threads yet sent in order), HEAD, 100-continue, chunked both ways, the
// router, every error status, a throwing handler, timeouts, a client that stops reading, the
// access log.
#include <soket/proto/http/server.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <soket/proto/http/router.hpp>

#include "support/http_server_client.hpp"

using namespace soket;
using namespace std::chrono_literals;
namespace http = soket::proto::http;
using test::get_request;
using test::RawHttp;
using test::Served;

namespace {

// Answers "<method> <path> <body>" (GET /sleep/N answers after N ms, from another thread).
struct Echo {
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  std::mutex mutex;
  ~Echo() {
    for (auto& t : threads) t.join();
  }
  http::Handler handler() {
    return [this](const http::Request& req, http::Response& res) {
      ++calls;
      std::string text = req.method + " " + req.path + " " + req.body;
      if (req.path.starts_with("/sleep/")) {
        int ms = std::stoi(req.path.substr(7));
        std::lock_guard lock(mutex);
        threads.emplace_back([res, text, ms]() mutable {
          std::this_thread::sleep_for(std::chrono::milliseconds(ms));
          res.send(text);
        });
        return;
      }
      if (req.path == "/throw") throw std::runtime_error("asked to throw");
      if (req.path == "/split") {
        res.header("X-Bad", "a\r\nInjected: yes");  // throws: no response splitting
      }
      if (req.path == "/stream") {
        res.header("Content-Type", "text/plain");
        res.write("one ");
        res.write("two ");
        res.write("three");
        res.end();
        return;
      }
      res.header("Content-Type", "text/plain").send(text);
    };
  }
};

TEST(HttpServer, AnswersWithDateServerAndLength) {
  Echo echo;
  Served s(echo.handler());
  RawHttp c(s.server.address());
  c.send(get_request("/hello?x=1"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /hello ");
  EXPECT_EQ(r->header("Content-Length"), "11");
  EXPECT_EQ(r->header("Server"), "soket");
  ASSERT_TRUE(r->header("Date"));
  EXPECT_TRUE(std::regex_match(
      *r->header("Date"),
      std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)")));
  EXPECT_TRUE(r->keep_alive);
}

TEST(HttpServer, RequestCarriesItsPartsAndOptionsApply) {
  std::mutex m;
  http::Request seen;
  http::ServerOptions o;
  o.server_name = "test-server/1";
  o.engine.threads = 2;
  Served s(
      [&](const http::Request& req, http::Response& res) {
        std::lock_guard lock(m);
        seen = req;
        res.send("ok");
      },
      std::move(o));
  RawHttp c(s.server.address());
  c.send(
      "GET http://example.test/p/q?a=1&b=2 HTTP/1.1\r\nHost: example.test\r\nX-One:  v1 \r\n\r\n");
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Server"), "test-server/1");
  std::lock_guard lock(m);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "http://example.test/p/q?a=1&b=2");
  EXPECT_EQ(seen.path, "/p/q");
  EXPECT_EQ(seen.query, "a=1&b=2");
  EXPECT_EQ(seen.host, "example.test");
  EXPECT_EQ(seen.version.major, 1);
  EXPECT_EQ(seen.version.minor, 1);
  EXPECT_EQ(seen.header("x-one"), "v1");
  ASSERT_EQ(seen.headers.size(), 2u);
  EXPECT_EQ(seen.peer.host(), "127.0.0.1");
  EXPECT_EQ(seen.peer.port(), c.socket().getsockname().port());
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  Echo echo;
  Served s(echo.handler());
  RawHttp c(s.server.address());
  for (int i = 0; i < 50; ++i) {
    c.send(get_request("/n" + std::to_string(i)));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /n" + std::to_string(i) + " ");
  }
  EXPECT_EQ(s.server.connections(), 1u);
}

TEST(HttpServer, ConnectionCloseAndHttp10AreHonoured) {
  Echo echo;
  Served s(echo.handler());
  {
    RawHttp c(s.server.address());
    c.send(get_request("/a", "Connection: close\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawHttp c(s.server.address());
    c.send("GET /b HTTP/1.0\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /b ");
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawHttp c(s.server.address());
    c.send("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Connection"), "keep-alive");
    c.send("GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /d ");
  }
}

// Three requests in one stream, the first answered last (after 150 ms on another thread),
// come back in order.
TEST(HttpServer, PipelinedResponsesComeInOrderEvenWhenAnsweredOutOfOrder) {
  Echo echo;
  Served s(echo.handler());
  RawHttp c(s.server.address());
  c.send(get_request("/sleep/150") + get_request("/sleep/1") + get_request("/now"));
  std::vector<std::string> bodies;
  for (int i = 0; i < 3; ++i) {
    auto r = c.read();
    ASSERT_TRUE(r);
    bodies.push_back(r->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"GET /sleep/150 ", "GET /sleep/1 ", "GET /now "}));
}

std::string pipelined_stream() {
  return get_request("/one") + "POST /two HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" +
         "POST /three HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
         "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n" +
         "HEAD /four HTTP/1.1\r\nHost: t\r\n\r\n" + get_request("/five", "Connection: close\r\n");
}

std::vector<std::string> read_all_replies(RawHttp& c) {
  std::vector<std::string> out;
  const char* methods[] = {"GET", "POST", "POST", "HEAD", "GET"};
  for (const char* m : methods) {
    auto r = c.read(m);
    if (!r) break;
    out.push_back(std::to_string(r->status) + "|" + r->body + "|" +
                  r->header("Content-Length").value_or("-"));
  }
  return out;
}

TEST(HttpServer, PipelinedStreamSplitAtEveryByteGivesTheSameResponses) {
  Echo echo;
  Served s(echo.handler());
  const std::string stream = pipelined_stream();
  std::vector<std::string> expected;
  {
    RawHttp c(s.server.address());
    c.send(stream);
    expected = read_all_replies(c);
  }
  ASSERT_EQ(expected.size(), 5u);
  EXPECT_EQ(expected[1], "200|POST /two hello|15");
  EXPECT_EQ(expected[2], "200|POST /three abcde|17");
  EXPECT_EQ(expected[3], "200||11");  // HEAD: the length, no body
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    RawHttp c(s.server.address());
    c.socket().setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    c.send(std::string_view(stream).substr(0, cut));
    std::this_thread::sleep_for(1ms);
    c.send(std::string_view(stream).substr(cut));
    ASSERT_EQ(read_all_replies(c), expected) << "split at byte " << cut;
  }
}

TEST(HttpServer, ExpectContinueGetsA100BeforeTheBody) {
  Echo echo;
  Served s(echo.handler());
  RawHttp c(s.server.address());
  c.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  std::string interim = c.read_raw();
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("data");
  auto r = c.read("POST");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /up data");
}

TEST(HttpServer, StreamedResponseIsChunkedIn11AndCloseDelimitedIn10) {
  Echo echo;
  Served s(echo.handler());
  {
    RawHttp c(s.server.address());
    c.send(get_request("/stream"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(r->body, "one two three");
    c.send(get_request("/after"));  // the connection goes on after the last chunk
    r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /after ");
  }
  {
    RawHttp c(s.server.address());
    c.send("GET /stream HTTP/1.0\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->header("Transfer-Encoding"));
    EXPECT_EQ(r->body, "one two three");
  }
}

TEST(HttpServer, RouterAnswers404And405WithAllow) {
  http::Router router;
  router.get("/api",
             [](const http::Request& req, http::Response& res) { res.send("api " + req.path); });
  router.post("/api/items",
              [](const http::Request&, http::Response& res) { res.status(201).send("made"); });
  Served s(router);
  RawHttp c(s.server.address());
  auto ask = [&](std::string req, std::string_view method = "GET") {
    c.send(req);
    auto r = c.read(method);
    EXPECT_TRUE(r);
    return r ? std::to_string(r->status) + " " + r->body : std::string("none");
  };
  EXPECT_EQ(ask(get_request("/api/x")), "200 api /api/x");
  EXPECT_EQ(ask(get_request("/apix")), "404 404 Not Found\n");
  EXPECT_EQ(ask("POST /api/items HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", "POST"),
            "201 made");
  c.send(get_request("/api/items"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("Allow"), "POST");
  EXPECT_EQ(ask("HEAD /api/y HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD"), "200 ");
  EXPECT_TRUE(http::path_has_prefix("/a/b", "/a/"));
  EXPECT_FALSE(http::path_has_prefix("/ab", "/a"));
}

struct BadCase {
  const char* name;
  std::string bytes;
  int status;
};

TEST(HttpServer, MalformedRequestsGetTheirStatusAndTheConnectionCloses) {
  Echo echo;
  http::ServerOptions o;
  o.limits.max_body = 1000;
  Served s(echo.handler(), std::move(o));
  const std::vector<BadCase> cases = {
      {"bad request line", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"bare LF", "GET / HTTP/1.1\nHost: t\r\n\r\n", 400},
      {"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"CL and TE (smuggling)",
       "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: "
       "chunked\r\n\r\n0\r\n\r\n",
       400},
      {"two Content-Length",
       "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400},
      {"body too large", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413},
      {"target too long", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
      {"field too long", "GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(9000, 'b') + "\r\n\r\n",
       431},
      {"too many fields",
       [] {
         std::string r = "GET / HTTP/1.1\r\nHost: t\r\n";
         for (int i = 0; i < 101; ++i) r += "X" + std::to_string(i) + ": v\r\n";
         return r + "\r\n";
       }(),
       431},
      {"expectation", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nExpect: magic\r\n\r\nx",
       417},
      {"unknown method", "BREW / HTTP/1.1\r\nHost: t\r\n\r\n", 501},
      {"unknown coding", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       501},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505},
  };
  for (const BadCase& bad : cases) {
    RawHttp c(s.server.address());
    c.send(bad.bytes);
    auto r = c.read();
    ASSERT_TRUE(r) << bad.name;
    EXPECT_EQ(r->status, bad.status) << bad.name;
    EXPECT_EQ(r->header("Connection"), "close") << bad.name;
    EXPECT_TRUE(c.closed_by_peer()) << bad.name;
  }
  EXPECT_EQ(echo.calls, 0);
}

TEST(HttpServer, ThrowingHandlerGets500AndTheServerGoesOn) {
  Echo echo;
  Served s(echo.handler());
  RawHttp c(s.server.address());
  c.send(get_request("/throw"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  c.send(get_request("/split"));  // a header with CRLF: refused, 500, nothing injected
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(r->header("Injected"));
  c.send(get_request("/fine"));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /fine ");
}

TEST(HttpServer, SlowHeadGets408AndIdleConnectionIsClosed) {
  Echo echo;
  http::ServerOptions o;
  o.header_timeout = 300ms;
  o.keep_alive_timeout = 300ms;
  o.body_timeout = 300ms;
  Served s(echo.handler(), std::move(o));
  {
    RawHttp c(s.server.address());
    c.send("GET / HTTP/1.1\r\nHo");  // and never the rest
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 408);
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawHttp c(s.server.address());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    auto r = c.read("POST");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 408);
  }
  {
    RawHttp c(s.server.address());
    c.send(get_request("/x"));
    ASSERT_TRUE(c.read());
    EXPECT_TRUE(c.closed_by_peer());  // after keep_alive_timeout, with nothing sent
  }
  EXPECT_EQ(echo.calls, 1);
}

// A client that pipelines many requests for a large answer and reads none: the server stops
// reading it (requests handled stay few), and the rest come once the client reads.
TEST(HttpServer, ClientThatStopsReadingIsNotServedWithoutBound) {
  std::atomic<int> calls{0};
  const std::string big(256 * 1024, 'x');
  Served s([&](const http::Request&, http::Response& res) {
    ++calls;
    res.send(big);
  });
  RawHttp c(s.server.address());
  std::string many;
  for (int i = 0; i < 2000; ++i) many += get_request("/big");
  std::thread writer([&] {
    std::error_code ec;
    c.socket().sendall(std::span(reinterpret_cast<const std::byte*>(many.data()), many.size()), 0,
                       ec);
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(calls.load(), 200);  // 2000 x 256 KiB would be 500 MiB queued
  for (int i = 0; i < 2000; ++i) {
    auto r = c.read();
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->body.size(), big.size());
  }
  writer.join();
  EXPECT_EQ(calls.load(), 2000);
}

// A streaming handler that honours congested()/on_drain() produces only as fast as the client
// reads.
TEST(HttpServer, StreamingHandlerFollowsBackPressure) {
  std::atomic<std::uint64_t> produced{0};
  const std::string piece(64 * 1024, 'y');
  const std::uint64_t total = 64ull << 20;
  Served s([&](const http::Request&, http::Response& res) {
    auto pump = std::make_shared<std::function<void()>>();
    *pump = [&, res, pump]() mutable {
      while (produced < total && !res.congested()) {
        res.write(piece);
        produced += piece.size();
      }
      if (produced >= total) {
        res.end();
        *pump = nullptr;
      } else {
        res.on_drain(*pump);
      }
    };
    (*pump)();
  });
  RawHttp c(s.server.address());
  c.send(get_request("/"));
  std::this_thread::sleep_for(300ms);
  EXPECT_LT(produced.load(), 16ull << 20);
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), total);
}

TEST(HttpServer, AccessLogHasOneCommonFormatLinePerResponse) {
  Echo echo;
  std::mutex m;
  std::vector<std::string> lines;
  http::ServerOptions o;
  o.access_log = [&](std::string_view line) {
    std::lock_guard lock(m);
    lines.emplace_back(line);
  };
  Served s(echo.handler(), std::move(o));
  RawHttp c(s.server.address());
  c.send(get_request("/logged?q=1"));
  ASSERT_TRUE(c.read());
  c.send("GET / HTTP/1.1\r\n\r\n");  // 400: logged too
  ASSERT_TRUE(c.read());
  s.server.stop(1s);
  std::lock_guard lock(m);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(std::regex_match(
      lines[0],
      std::regex(
          R"(127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /logged\?q=1 HTTP/1\.1" 200 12)")))
      << lines[0];
  EXPECT_TRUE(std::regex_search(lines[1], std::regex(R"(" 400 \d+$)"))) << lines[1];
}

TEST(HttpServer, ResponseBuilderRefusesWhatWouldBreakTheMessage) {
  std::atomic<int> refused{0};
  Served s([&](const http::Request&, http::Response& res) {
    auto refuse = [&](auto&& fn) {
      try {
        fn();
      } catch (const std::exception&) {
        ++refused;
      }
    };
    refuse([&] { res.header("Bad Name", "v"); });
    refuse([&] { res.header("X", std::string("a\0b", 3)); });
    refuse([&] { res.header("Content-Length", "5"); });
    refuse([&] { res.status(1000); });
    res.content_length(3);
    refuse([&] { res.write("four"); });
    res.write("abc");
    refuse([&] { res.status(201); });
    res.end();
    refuse([&] { res.write("x"); });
  });
  RawHttp c(s.server.address());
  c.send(get_request("/"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "abc");
  s.server.stop(1s);  // the handler goes on after the client has its answer
  EXPECT_EQ(refused, 7);
}

TEST(HttpServer, AsyncResponseAfterTheClientLeftOrTheServerStoppedIsDropped) {
  std::vector<std::thread> threads;
  std::mutex m;
  std::atomic<int> sent{0};
  {
    Served s([&](const http::Request&, http::Response& res) {
      std::lock_guard lock(m);
      threads.emplace_back([res, &sent]() mutable {
        std::this_thread::sleep_for(200ms);
        res.send("late");
        ++sent;
      });
    });
    for (int i = 0; i < 4; ++i) {
      RawHttp c(s.server.address());
      c.send(get_request("/"));
    }  // the clients leave at once
    std::this_thread::sleep_for(20ms);
    s.server.stop(0s);
  }  // and the server is gone before the answers
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent, 4);
}

// A temporary file of `size` bytes of a pattern, removed at the end.
struct TempFile {
  explicit TempFile(std::size_t size) {
    char tmpl[] = "/tmp/soket-http-file-XXXXXX";
    int fd = mkstemp(tmpl);
    path = tmpl;
    for (std::size_t i = 0; i < size; ++i) content.push_back(static_cast<char>('a' + i % 26));
    EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
  OwnedFd open() const { return OwnedFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); }
  std::string path, content;
};

// send_file: a range of a file by sendfile(2); the connection goes on after a large one (the
// next request waits until the file is out); HEAD sends no body; a file shorter than promised
// closes the connection.
TEST(HttpServer, SendFileSendsTheRangeAndTheConnectionGoesOn) {
  TempFile file(3 << 20);
  Served s([&](const http::Request& req, http::Response& res) {
    if (req.path == "/short") return res.send_file(file.open(), 0, file.content.size() + 10);
    if (req.path == "/range") return res.send_file(file.open(), 100, 1000);
    res.header("Content-Type", "application/octet-stream");
    res.send_file(file.open(), 0, file.content.size());
  });
  RawHttp c(s.server.address());
  c.send(get_request("/all") + get_request("/range") + "HEAD /all HTTP/1.1\r\nHost: t\r\n\r\n" +
         get_request("/all"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->body == file.content);
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, file.content.substr(100, 1000));
  r = c.read("HEAD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(file.content.size()));
  EXPECT_TRUE(r->body.empty());
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), file.content.size());
  RawHttp d(s.server.address());
  d.send(get_request("/short"));
  EXPECT_THROW(d.read(), std::runtime_error);  // closed inside the body
}

}  // namespace
