// SPDX-License-Identifier: MIT
// Server and Connection over real loopback sockets: echo on TCP and Unix, both balancing
// modes, max connections, backpressure, idle timeout, graceful shutdown, sendfile, writev.
#include <soket/event/server.hpp>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/loop.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

struct Echo : Handler {
  std::atomic<int> opened{0}, closed{0}, drained{0}, timed_out{0};
  std::atomic<std::size_t> max_output{0};
  void on_open(Connection&) override { ++opened; }
  void on_data(Connection& c, Buffer& in) override {
    c.send(in.data());
    in.retrieve_all();
    std::size_t o = c.output_size();
    if (o > max_output) max_output = o;
  }
  void on_drain(Connection&) override { ++drained; }
  void on_close(Connection&, std::error_code ec) override {
    ++closed;
    if (ec == std::errc::timed_out) ++timed_out;
  }
};

std::string pattern(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) & 0xff);
  return s;
}

std::string recv_exactly(Socket& s, std::size_t n) {
  std::string out;
  while (out.size() < n) {
    std::string part = s.recv(n - out.size());
    if (part.empty()) break;
    out += part;
  }
  return out;
}

void echo_clients(const Address& addr, int clients, std::size_t bytes) {
  std::vector<std::thread> ts;
  for (int i = 0; i < clients; ++i)
    ts.emplace_back([&, i] {
      Socket c(addr.family(), Type::stream);
      c.settimeout(20s);
      c.connect(addr);
      std::string msg = pattern(bytes, i);
      c.sendall(msg);
      EXPECT_EQ(recv_exactly(c, bytes), msg);
    });
  for (auto& t : ts) t.join();
}

}  // namespace

class EventServerBalance : public ::testing::TestWithParam<Balance> {};

TEST_P(EventServerBalance, EchoesOnEveryLoop) {
  Echo h;
  ServerOptions o;
  o.threads = 3;
  o.balance = GetParam();
  Server server(Address("127.0.0.1", 0), h, o);
  EXPECT_NE(server.address().port(), 0);
  server.start();
  echo_clients(server.address(), 12, 200000);
  server.stop();
  EXPECT_EQ(h.opened, 12);
  EXPECT_EQ(h.closed, 12);
  EXPECT_EQ(server.connections(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, EventServerBalance,
                         ::testing::Values(Balance::reuse_port, Balance::round_robin));

TEST(EventServer, EchoesOverUnixAndIPv6) {
  test::TempUnixPath path;
  Echo h;
  ServerOptions o;
  o.threads = 2;
  {
    Server server(Address::unix_path(path.path()), h, o);
    EXPECT_EQ(server.address().path(), path.path());
    server.start();
    echo_clients(server.address(), 4, 100000);
  }
  Server v6(Address("::1", 0), h, o);
  v6.start();
  echo_clients(v6.address(), 2, 1000);
  v6.stop();
  EXPECT_EQ(h.opened, 6);
}

TEST(EventServer, ListenErrorNamesTheAddress) {
  Socket taken = test::listen_ephemeral();
  Echo h;
  try {
    Server server(taken.getsockname(), h, {});
    FAIL() << "binding a taken port must fail";
  } catch (const AddressInUseError& e) {
    EXPECT_NE(std::string(e.what()).find(taken.getsockname().to_string()), std::string::npos)
        << e.what();
  }
}

TEST(EventServer, MaxConnectionsRefusesCleanly) {
  Echo h;
  ServerOptions o;
  o.threads = 1;
  o.max_connections = 3;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  std::vector<Socket> held;
  for (int i = 0; i < 3; ++i) {
    Socket c(Family::inet);
    c.settimeout(10s);
    c.connect(server.address());
    c.sendall("x");
    EXPECT_EQ(c.recv(1), "x");  // served
    held.push_back(std::move(c));
  }
  Socket extra(Family::inet);
  extra.settimeout(10s);
  extra.connect(server.address());  // the kernel completes the handshake...
  std::error_code ec;
  std::string got = extra.recv(1, 0, ec);  // ...the server closes it at once
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(server.refused(), 1u);
  held.pop_back();  // one slot frees up: a new client is served again
  for (int attempt = 0; attempt < 200 && server.connections() > 2; ++attempt)
    std::this_thread::sleep_for(5ms);
  Socket again(Family::inet);
  again.settimeout(10s);
  again.connect(server.address());
  again.sendall("y");
  EXPECT_EQ(again.recv(1), "y");
  server.stop();
}

TEST(EventServer, SlowReaderTriggersBackpressureAndDrain) {
  Echo h;
  ServerOptions o;
  o.threads = 1;
  o.connection.high_water = 256 << 10;
  o.connection.low_water = 32 << 10;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  Socket c(Family::inet);
  c.settimeout(30s);
  c.connect(server.address());
  constexpr std::size_t total = 16 << 20;
  std::string msg = pattern(total, 7);
  std::atomic<bool> sent{false};
  std::thread writer([&] {
    c.sendall(msg);  // blocks while the server stops reading: that is the point
    sent = true;
  });
  // Give the writer time to fill every buffer while nobody reads (bounded wait).
  for (int i = 0; i < 100 && h.max_output < o.connection.high_water; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(sent);  // 16 MiB cannot fit in socket buffers + 256 KiB
  std::string echoed = recv_exactly(c, total);
  writer.join();
  EXPECT_EQ(echoed.size(), total);
  EXPECT_TRUE(echoed == msg);
  EXPECT_GE(h.max_output.load(), o.connection.high_water);  // the mark was crossed
  // Bounded: at most one read (64 KiB) beyond the high-water mark.
  EXPECT_LE(h.max_output.load(), o.connection.high_water + (64 << 10));
  EXPECT_GE(h.drained.load(), 1);
  server.stop();
}

TEST(EventServer, IdleTimeoutClosesSilentClientsOnly) {
  Echo h;
  ServerOptions o;
  o.threads = 1;
  o.connection.idle_timeout = 200ms;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  Socket silent(Family::inet), chatty(Family::inet);
  silent.settimeout(10s);
  chatty.settimeout(10s);
  silent.connect(server.address());
  chatty.connect(server.address());
  std::atomic<bool> stop{false};
  std::thread talker([&] {
    while (!stop) {
      chatty.sendall("k");
      EXPECT_EQ(chatty.recv(1), "k");
      std::this_thread::sleep_for(20ms);
    }
  });
  EXPECT_EQ(silent.recv(10), "");  // EOF: the server cut it
  stop = true;
  talker.join();
  chatty.sendall("still here");
  EXPECT_EQ(recv_exactly(chatty, 10), "still here");
  EXPECT_EQ(h.timed_out, 1);
  server.stop();
}

namespace {

/// Replies 2 MiB once it has received a 100 KiB request; counts complete requests.
struct BigReply : Handler {
  static constexpr std::size_t request = 100 << 10, reply = 2 << 20;
  std::atomic<int> requests{0};
  std::string body = pattern(reply, 3);
  void on_data(Connection& c, Buffer& in) override {
    if (in.readable() < request) return;  // partial: keep it
    in.retrieve(request);
    c.send(body);
    ++requests;
  }
};

}  // namespace

TEST(EventServer, GracefulShutdownDrainsInFlightReplies) {
  BigReply h;
  ServerOptions o;
  o.threads = 2;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  constexpr int clients = 4;
  std::vector<Socket> socks;
  std::string req(BigReply::request, 'r');
  for (int i = 0; i < clients; ++i) {
    Socket c(Family::inet);
    c.settimeout(30s);
    c.connect(server.address());
    c.sendall(req);  // and do not read yet: the replies are stuck in the server
    socks.push_back(std::move(c));
  }
  for (int i = 0; i < 500 && h.requests < clients; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(h.requests, clients);
  std::thread stopper([&] { server.stop(20s); });
  // New clients are turned away once the listener is closed.
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    Socket late(Family::inet);
    late.settimeout(5s);
    refused = late.connect_ex(server.address()) != 0;
    if (!refused) std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(refused);
  for (auto& c : socks) {
    std::string got = recv_exactly(c, BigReply::reply);
    EXPECT_TRUE(got == h.body) << "reply cut short: " << got.size();
    EXPECT_EQ(c.recv(1), "");  // then an orderly close
  }
  stopper.join();
  EXPECT_EQ(server.connections(), 0u);
}

namespace {

/// Sends a file with sendfile and a gathered header/trailer with writev, then closes.
struct FileSender : Handler {
  int file = -1;
  std::size_t size = 0;
  std::error_code sendfile_error, second_error;
  void on_open(Connection& c) override {
    std::string_view head = "HEAD:", tail = ":TAIL";
    c.send(
        {std::as_bytes(std::span(head.data(), 2)), std::as_bytes(std::span(head.data() + 2, 3))});
    c.sendfile(file, 0, size, sendfile_error);
    c.sendfile(file, 0, size, second_error);  // one file at a time while it is queued
    c.send(tail);
    c.close_after_flush();
  }
  void on_data(Connection&, Buffer& in) override { in.retrieve_all(); }
};

}  // namespace

TEST(EventServer, SendfileAndGatheredWritesKeepOrder) {
  char tmpl[] = "/tmp/soket-event-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::unlink(tmpl);
  std::string content = pattern(8 << 20, 9);
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  FileSender h;
  h.file = fd;
  h.size = content.size();
  ServerOptions o;
  o.threads = 1;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  Socket c(Family::inet);
  c.settimeout(30s);
  c.connect(server.address());
  std::string got;
  for (std::string part; !(part = c.recv(1 << 16)).empty();) got += part;
  server.stop();
  ::close(fd);
  EXPECT_FALSE(h.sendfile_error);
  EXPECT_EQ(h.second_error, std::errc::device_or_resource_busy);
  ASSERT_EQ(got.size(), content.size() + 10);
  EXPECT_EQ(got.substr(0, 5), "HEAD:");
  EXPECT_TRUE(got.substr(5, content.size()) == content);
  EXPECT_EQ(got.substr(5 + content.size()), ":TAIL");
}

namespace {

struct Remember : Handler {
  Loop* loop = nullptr;
  std::mutex mu;
  std::vector<ConnectionId> ids;
  void on_open(Connection& c) override {
    std::lock_guard lock(mu);
    ids.push_back(c.id());
    loop = &c.loop();
  }
  void on_data(Connection& c, Buffer& in) override {
    if (in.view() == "bye") c.shutdown();  // half-close: the client sees EOF
    in.retrieve_all();
  }
};

}  // namespace

TEST(EventServer, PostWithAConnectionIdAndStaleIdsFindNothing) {
  Remember h;
  ServerOptions o;
  o.threads = 1;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  Socket c(Family::inet);
  c.settimeout(10s);
  c.connect(server.address());
  for (int i = 0; i < 500; ++i) {
    std::lock_guard lock(h.mu);
    if (!h.ids.empty()) break;
    std::this_thread::sleep_for(2ms);
  }
  ConnectionId id;
  Loop* loop;
  {
    std::lock_guard lock(h.mu);
    ASSERT_EQ(h.ids.size(), 1u);
    id = h.ids[0];
    loop = h.loop;
  }
  loop->post([loop, id] {
    if (Connection* conn = loop->find(id)) conn->send("pushed from another thread");
  });
  EXPECT_EQ(recv_exactly(c, 26), "pushed from another thread");
  c.sendall("bye");
  EXPECT_EQ(c.recv(10), "");  // the server shut down its side
  c.close();
  std::atomic<int> found{-1};
  for (int i = 0; i < 500 && server.connections() > 0; ++i) std::this_thread::sleep_for(2ms);
  loop->post([&, loop, id] { found = loop->find(id) != nullptr; });
  for (int i = 0; i < 500 && found < 0; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(found, 0);
  server.stop();
}

TEST(EventServer, IdleServerUsesNoCpu) {
  // poco #2966/#3852: a reactor that leaves an event armed spins at 100%. Ours must sleep.
  Echo h;
  ServerOptions o;
  o.threads = 2;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  std::vector<Socket> idle;
  for (int i = 0; i < 50; ++i) {
    Socket c(Family::inet);
    c.settimeout(10s);
    c.connect(server.address());
    idle.push_back(std::move(c));
  }
  idle[0].sendall("x");
  EXPECT_EQ(idle[0].recv(1), "x");
  idle[1].shutdown(Shut::wr);  // a half-closed peer must not leave a readable event armed
  for (int i = 0; i < 200 && h.opened < 50; ++i) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(50ms);
  auto cpu = [] {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L +
           ru.ru_stime.tv_usec;
  };
  long before = cpu();
  std::this_thread::sleep_for(500ms);
  long used = cpu() - before;
  EXPECT_LT(used, 50000) << "an idle server used " << used << " us of CPU in 0.5 s";
  server.stop();
}

TEST(EventServer, BatchedWritesEchoEveryByteAndKeepBackpressure) {
  Echo h;
  ServerOptions o;
  o.threads = 2;
  o.connection.batch_writes = true;  // the io_uring batching path
  o.connection.high_water = 256 << 10;
  o.connection.low_water = 32 << 10;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  echo_clients(server.address(), 16, 300000);
  // A slow reader still stops the server reading (bounded output) and gets every byte.
  Socket c(Family::inet);
  c.settimeout(30s);
  c.connect(server.address());
  constexpr std::size_t total = 8 << 20;
  std::string msg = pattern(total, 5);
  std::thread writer([&] { c.sendall(msg); });
  for (int i = 0; i < 100 && h.max_output < o.connection.high_water; ++i)
    std::this_thread::sleep_for(10ms);
  std::string echoed = recv_exactly(c, total);
  writer.join();
  EXPECT_TRUE(echoed == msg);
  EXPECT_LE(h.max_output.load(), o.connection.high_water + (64 << 10));
  EXPECT_GE(h.drained.load(), 1);
  server.stop();
  EXPECT_EQ(h.opened, 17);
  EXPECT_EQ(h.closed, 17);
}

// issue 8 §3: a host name binds as TCPServer's does (it failed: AF_UNSPEC socket).
TEST(EventServer, HostNameIsResolvedAndBoundLikeTCPServer) {
  Echo h;
  ServerOptions o;
  o.threads = 1;
  Server server(Address("localhost", 0), h, o);
  EXPECT_TRUE(server.address().is_resolved());
  EXPECT_EQ(server.address().host(), "127.0.0.1");
  EXPECT_NE(server.address().port(), 0);
  server.start();
  echo_clients(server.address(), 2, 1000);
  server.stop();
}

// issue 8 §3: per-connection state is typed (a small value stored inline), not a void*.
TEST(EventServer, ContextIsTypedAndReadingAnotherTypeGivesNull) {
  struct Counting : Handler {
    std::atomic<int> wrong_type{0}, max_count{0};
    void on_open(Connection& c) override {
      if (c.context<int>() != nullptr) ++wrong_type;  // nothing stored yet
      c.set_context(std::size_t{0});
    }
    void on_data(Connection& c, Buffer& in) override {
      if (c.context<int>() != nullptr || c.context<void*>() != nullptr) ++wrong_type;
      std::size_t& n = *c.context<std::size_t>();
      n += in.readable();
      max_count = static_cast<int>(n);
      c.send(in.data());
      in.retrieve_all();
    }
  } h;
  ServerOptions o;
  o.threads = 1;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  echo_clients(server.address(), 1, 5000);
  server.stop();
  EXPECT_EQ(h.wrong_type, 0);
  EXPECT_EQ(h.max_count, 5000);
}

// The Server wraps the user's handler: its handle_error override must still be the one called
// (it was the Handler default, which closed the connection), and a throwing on_close must
// still count the connection out (connections() stayed at 1).
TEST(EventServer, UserHandleErrorIsCalledAndThrowingOnCloseIsCountedOut) {
  struct Throwing : Handler {
    std::atomic<int> errors{0};
    void on_data(Connection& c, Buffer& in) override {
      std::string text(in.view());
      in.retrieve_all();
      if (text == "throw") throw std::runtime_error("asked to throw");
      c.send(text);
    }
    void on_close(Connection&, std::error_code) override {
      throw std::runtime_error("on_close throws");
    }
    void handle_error(Connection*, std::exception_ptr) override { ++errors; }  // keep it open
  } h;
  ServerOptions o;
  o.threads = 1;
  Server server(Address("127.0.0.1", 0), h, o);
  server.start();
  {
    Socket c(Family::inet, Type::stream);
    c.settimeout(20s);
    c.connect(server.address());
    c.sendall("throw");
    for (int i = 0; i < 4000 && h.errors == 0; ++i) std::this_thread::sleep_for(5ms);
    // Still open after the exception: the override kept it, so the echo comes back.
    c.sendall("again");
    EXPECT_EQ(recv_exactly(c, 5), "again");
  }
  for (int i = 0; i < 2000 && server.connections() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(server.connections(), 0u);
  EXPECT_EQ(h.errors.load(), 2);  // on_data's and on_close's
  server.stop();
}
