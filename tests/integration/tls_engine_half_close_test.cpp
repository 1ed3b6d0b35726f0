// SPDX-License-Identifier: MIT
// The peer's end over TLS on a plain event::Server (no HTTP above it): a client that sends its
// request, then close_notify and FIN in the same segment, still gets the answer a handler sends
// later, as it does over a plain socket. The engine reads a TLS connection until the socket is
// dry, so the request and the end arrive together; the end is held until the handler had its
// turn (src/event/connection_transport.cpp).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soket/event.hpp>
#include <soket/tls/engine.hpp>
#include <soket/tls/ssl_error.hpp>

#include "support/eventually.hpp"
#include "support/support.hpp"
#include "support/tls_half_close_client.hpp"
#include "tls/self_signed.hpp"

using namespace std::chrono_literals;
using namespace soket;
using namespace soket::event;
using soket::test::cert;
using soket::test::Child;

namespace {

using soket::test::eventually;

/// Answers each request a while later from a timer (as a handler that asks another thread
/// would), with reading paused meanwhile; counts the requests and remembers how each
/// connection ended.
struct LateAnswer : Handler, test::CloseLog {
  std::atomic<int> requests{0};
  void on_data(Connection& c, Buffer& in) override {
    if (in.view().find('\n') == std::string_view::npos) return;
    in.retrieve_all();
    ++requests;
    c.pause_reading();
    Loop& loop = c.loop();
    loop.call_after(200ms, [&loop, id = c.id()] {
      Connection* conn = loop.find(id);
      if (!conn) return;
      conn->send(std::string_view("late answer\n"));
      conn->resume_reading();
    });
  }
  void on_close(Connection&, std::error_code reason) override { record(reason); }
};

// The client: the request "question\n", then its end ("close_notify" or "fin").
std::vector<std::string> client_argv(const std::string& port, const char* end) {
  return test::python_argv(test::tls_half_closing_client,
                           {port, cert().cert.string(), "localhost", "question\n", end, "all"});
}

struct TlsServer {
  tls::SSLContext ctx = cert().server_context();
  tls::EngineContext engine{ctx, tls::EngineContext::server_side};
  std::unique_ptr<Server> server;
  explicit TlsServer(Handler& h) {
    ServerOptions o;
    o.threads = 1;
    o.connection.transport = &engine;
    server = std::make_unique<Server>(Address("127.0.0.1", 0), h, o);
    server->start();
  }
  std::string port() const { return std::to_string(server->address().port()); }
};

TEST(TlsEngineHalfClose, CloseNotifyAndFinWithTheRequestStillGetTheLateAnswer) {
  LateAnswer h;
  TlsServer srv(h);
  Child py(client_argv(srv.port(), "close_notify"));
  EXPECT_EQ(py.read_line(), "late answer");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  EXPECT_EQ(h.requests.load(), 1);
  // The held end comes after the answer: an orderly close, once the answer is out.
  ASSERT_TRUE(eventually([&] { return h.closed().size() == 1; }));
  EXPECT_FALSE(h.closed()[0]) << h.closed()[0].message();
}

TEST(TlsEngineHalfClose, TheEndHeldWhileReadingIsPausedComesWhenItResumes) {
  // Several connections at once, so the held ends of different slots do not mix.
  LateAnswer h;
  TlsServer srv(h);
  std::vector<std::unique_ptr<Child>> clients;
  clients.reserve(8);
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<Child>(client_argv(srv.port(), "close_notify")));
  }
  for (auto& py : clients) {
    EXPECT_EQ(py->read_line(), "late answer");
    EXPECT_EQ(py->wait(), 0) << py->read_stderr();
  }
  ASSERT_TRUE(eventually([&] { return h.closed().size() == 8; }));
  for (const auto& reason : h.closed()) EXPECT_FALSE(reason) << reason.message();
}

TEST(TlsEngineHalfClose, ABareFinAfterTheRequestIsATruncationReportedAfterTheRequest) {
  // Without close_notify OpenSSL calls the end a truncation and will not write after it: the
  // handler still sees the request first, then on_close with the eof error.
  LateAnswer h;
  TlsServer srv(h);
  Child py(client_argv(srv.port(), "fin"));
  EXPECT_EQ(py.read_line(), "nothing");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  ASSERT_TRUE(eventually([&] { return h.closed().size() == 1; }));
  EXPECT_EQ(h.requests.load(), 1);
  EXPECT_EQ(h.closed()[0], make_error_code(tls::SSLErrorNumber::eof)) << h.closed()[0].message();
}

}  // namespace
