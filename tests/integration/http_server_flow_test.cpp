// SPDX-License-Identifier: MIT
// http::Server's flow at the edges of a connection: a client that half-closes (shutdown(WR))
// right after its request still gets the answer, whether the handler answers at once or later
// from another thread (soket's raw client and Python's socket as clients); a file body over TLS
// streams as the client reads, with bounded memory.
#include <soket/proto/http/server.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soket/tls/context.hpp>
#include <soket/tls/engine.hpp>

#include "support/http_server_client.hpp"
#include "support/support.hpp"
#include "support/tls_half_close_client.hpp"
#include "tls/self_signed.hpp"

using namespace soket;
using namespace std::chrono_literals;
namespace http = soket::proto::http;
using test::get_request;
using test::RawHttp;
using test::Served;

namespace {

// "/now" answers in the handler; "/later/N" answers after N ms from another thread.
struct Answers {
  std::vector<std::thread> threads;
  std::mutex mutex;
  ~Answers() {
    for (auto& t : threads) t.join();
  }
  http::Handler handler() {
    return [this](const http::Request& req, http::Response& res) {
      if (req.path.starts_with("/later/")) {
        const int ms = std::stoi(req.path.substr(7));
        std::lock_guard lock(mutex);
        threads.emplace_back([res, ms, path = req.path]() mutable {
          std::this_thread::sleep_for(std::chrono::milliseconds(ms));
          res.send("answer to " + path);
        });
        return;
      }
      res.send("answer to " + req.path);
    };
  }
};

TEST(HttpServerFlow, HalfClosedClientGetsItsAnswerAtOnceOrLater) {
  Answers answers;
  Served s(answers.handler());
  for (const char* path : {"/now", "/later/0", "/later/100", "/later/300"}) {
    RawHttp c(s.server.address());
    c.send(get_request(path));
    c.socket().shutdown(Shut::wr);
    auto r = c.read();
    ASSERT_TRUE(r) << path << ": the server closed without answering";
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, std::string("answer to ") + path);
    EXPECT_TRUE(c.closed_by_peer()) << path;  // and then it closes: the client said it is done
  }
}

// Pipelined requests, then the half-close: every one is answered, in order.
TEST(HttpServerFlow, HalfClosedClientGetsEveryPipelinedAnswer) {
  Answers answers;
  Served s(answers.handler());
  RawHttp c(s.server.address());
  c.send(get_request("/later/150") + get_request("/now") + get_request("/later/50"));
  c.socket().shutdown(Shut::wr);
  for (const char* path : {"/later/150", "/now", "/later/50"}) {
    auto r = c.read();
    ASSERT_TRUE(r) << path << ": the server closed without answering";
    EXPECT_EQ(r->body, std::string("answer to ") + path);
  }
  EXPECT_TRUE(c.closed_by_peer());
}

// The same with a client no one here wrote: Python's socket, sendall then shutdown(SHUT_WR).
TEST(HttpServerFlow, HalfClosedPythonClientGetsTheLateAnswer) {
  Answers answers;
  Served s(answers.handler());
  const std::string script =
      "import socket,sys\n"
      "s=socket.create_connection(('127.0.0.1'," +
      std::to_string(s.server.address().port()) +
      "),timeout=20)\n"
      "s.setsockopt(socket.IPPROTO_TCP,socket.TCP_CORK,1)\n"  // request and FIN: one segment
      "s.sendall(b'GET /later/200 HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n')\n"
      "s.shutdown(socket.SHUT_WR)\n"
      "data=b''\n"
      "while True:\n"
      "  b=s.recv(65536)\n"
      "  if not b: break\n"
      "  data+=b\n"
      "print(data.split(b'\\r\\n\\r\\n',1)[-1].decode())\n";
  test::Child py({"python3", "-c", script});
  auto line = py.read_line();
  ASSERT_TRUE(line) << "python3 printed nothing";
  EXPECT_EQ(*line, "answer to /later/200");
  EXPECT_EQ(py.wait(), 0);
}

// Over TLS the engine reads until the socket is dry, so a client's request and its end
// (close_notify, then FIN) come in one go; the engine holds that end until the handler had its
// say (src/event/connection_transport.cpp), so the later answer still goes out. The client is
// Python's ssl over memory BIOs: the request, close_notify and the FIN corked into one segment,
// then the answer read. (A bare FIN without close_notify is a truncation to OpenSSL, which then
// refuses to write: no answer can go back that way.)
TEST(HttpServerFlow, HalfClosedTlsClientGetsTheLateAnswer) {
  const test::SelfSignedCert& cert = test::cert();
  tls::SSLContext ctx = cert.server_context();
  tls::EngineContext engine_tls(ctx, tls::EngineContext::server_side);
  http::ServerOptions o;
  o.transport = &engine_tls;
  Answers answers;
  Served s(answers.handler(), std::move(o));
  for (const char* path : {"/now", "/later/200"}) {
    test::Child py(test::python_argv(
        test::tls_half_closing_client,
        {std::to_string(s.server.address().port()), cert.cert.string(), "127.0.0.1",
         std::string("GET ") + path + " HTTP/1.1\r\nHost: t\r\n\r\n", "close_notify", "body"}));
    auto line = py.read_line();
    ASSERT_TRUE(line) << "python3 printed nothing";
    EXPECT_EQ(*line, std::string("answer to ") + path);
    EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  }
}

// The resident set of this process, in KiB (the server runs in it).
long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// send_file over HTTPS (no sendfile under TLS: the file is read and sent) of a 1 GiB file to a
// client that stops reading for a while: the server reads the file only as fast as the client
// takes it, so its memory stays bounded; then the whole body arrives.
TEST(HttpServerFlow, TlsFileBodyStreamsWithBoundedMemory) {
  constexpr std::uint64_t size = 1ULL << 30;
  char tmpl[] = "/tmp/soket-http-gib-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  const std::string path = tmpl;
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);  // sparse: no disk, reads are fast
  ::close(fd);
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{path};
  const test::SelfSignedCert& cert = test::cert();
  tls::SSLContext ctx = cert.server_context();
  tls::EngineContext engine_tls(ctx, tls::EngineContext::server_side);
  http::ServerOptions o;
  o.transport = &engine_tls;
  Served s(
      [&](const http::Request&, http::Response& res) {
        res.send_file(OwnedFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), 0, size);
      },
      std::move(o));
  const long before = rss_kib();
  std::atomic<long> peak{before};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), rss_kib());
      std::this_thread::sleep_for(20ms);
    }
  });
  const std::string script = R"(
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=60),
                    server_hostname='127.0.0.1')
s.sendall(b'GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
data = b''
while b'\r\n\r\n' not in data:
    data += s.recv(65536)
head, body = data.split(b'\r\n\r\n', 1)
n = len(body)
time.sleep(1.5)  # the slow part: the server must not read ahead meanwhile
while True:
    b = s.recv(1 << 20)
    if not b: break
    n += len(b)
print(head.split(b'\r\n')[0].decode(), n)
)";
  test::Child py(
      test::python_argv(script, {std::to_string(s.server.address().port()), cert.cert.string()}));
  auto line = py.read_line(std::chrono::seconds(300));
  done = true;
  sampler.join();
  ASSERT_TRUE(line) << "python3 printed nothing";
  EXPECT_EQ(*line, "HTTP/1.1 200 OK " + std::to_string(size));
  EXPECT_EQ(py.wait(), 0);
  // Buffering the file would grow RSS by more than its 1 GiB. ASan holds up to 256 MiB of freed
  // chunks in its quarantine (and the 64 KiB reads are freed as they go), so it gets more room.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long bound_kib = 512 * 1024;
#else
  constexpr long bound_kib = 64 * 1024;
#endif
  EXPECT_LT(peak - before, bound_kib) << "RSS grew by " << (peak - before) << " KiB";
}

}  // namespace
