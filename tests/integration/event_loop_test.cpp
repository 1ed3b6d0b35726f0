// SPDX-License-Identifier: MIT
// Loop: timers, posted functions from other threads, watchers, stop(), client connect.
#include <soket/event/loop.hpp>

#include <gtest/gtest.h>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/client.hpp>
#include <soket/event/handler.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

TEST(Loop, TimersFireInDeadlineOrderOnTheLoopThread) {
  Loop loop;
  std::string order;
  loop.call_after(30ms, [&] {
    order += 'c';
    loop.stop();
  });
  loop.call_after(10ms, [&] {
    EXPECT_TRUE(loop.in_loop_thread());
    order += 'a';
  });
  loop.call_after(20ms, [&] { order += 'b'; });
  TimerId cancelled = loop.call_after(15ms, [&] { order += 'X'; });
  EXPECT_TRUE(loop.cancel(cancelled));
  EXPECT_FALSE(loop.in_loop_thread());
  loop.run();
  EXPECT_EQ(order, "abc");
  EXPECT_FALSE(loop.cancel(cancelled));
}

TEST(Loop, RepeatingTimerAndCancelFromItsCallback) {
  Loop loop;
  int ticks = 0;
  TimerId id;
  id = loop.call_every(1ms, [&] {
    if (++ticks == 5) {
      EXPECT_TRUE(loop.cancel(id));
      loop.call_after(5ms, [&] { loop.stop(); });
    }
  });
  loop.run();
  EXPECT_EQ(ticks, 5);
}

TEST(Loop, PostFromManyThreadsRunsEverythingOnTheLoopThread) {
  Loop loop;
  constexpr int threads = 4, per_thread = 2000;
  int count = 0;  // touched only on the loop thread: TSan checks that
  std::atomic<int> wrong_thread{0};
  std::thread runner([&] { loop.run(); });
  std::vector<std::thread> posters;
  for (int t = 0; t < threads; ++t)
    posters.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i)
        loop.post([&] {
          if (!loop.in_loop_thread()) ++wrong_thread;
          ++count;
        });
    });
  for (auto& p : posters) p.join();
  std::atomic<bool> done{false};
  int seen = 0;
  loop.post([&] {
    seen = count;
    done = true;
    loop.stop();
  });
  runner.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(seen, threads * per_thread);
  EXPECT_EQ(wrong_thread, 0);
}

TEST(Loop, StopBeforeRunReturnsAndPostedWorkStillRuns) {
  Loop loop;
  bool ran = false;
  loop.post([&] { ran = true; });
  loop.stop();
  loop.run();
  EXPECT_TRUE(ran);
}

TEST(Loop, WatcherSeesReadableAndCanBeRemoved) {
  Loop loop;
  auto [a, b] = test::loopback_pair();
  std::string got;
  FunctionWatcher w(b.fileno(), [&](std::uint32_t ready) {
    EXPECT_TRUE(ready & Watcher::readable);
    got += b.recv(100);
    loop.unwatch(w);
    loop.stop();
  });
  loop.watch(w, Watcher::readable);
  EXPECT_TRUE(w.registered());
  a.sendall("ping");
  loop.run();
  EXPECT_EQ(got, "ping");
  EXPECT_FALSE(w.registered());
  FunctionWatcher bad(-1, [](std::uint32_t) {});
  try {
    loop.watch(bad, Watcher::readable);
    FAIL() << "watching fd -1 must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), std::errc::bad_file_descriptor);
    EXPECT_NE(std::string(e.what()).find("watch fd -1"), std::string::npos) << e.what();
  }
}

namespace {

/// Client side of a tiny request/reply: sends "hello", expects it back, closes.
struct HelloClient : Handler {
  Loop* loop = nullptr;
  std::string reply;
  std::error_code connect_error;
  bool opened = false, closed = false;
  void on_open(Connection& c) override {
    opened = true;
    c.send("hello");
  }
  void on_data(Connection& c, Buffer& in) override {
    reply += in.retrieve_as_string(in.readable());
    if (reply.size() >= 5) c.close();
  }
  void on_close(Connection&, std::error_code) override {
    closed = true;
    loop->stop();
  }
  void on_connect_error(const Address&, std::error_code ec) override {
    connect_error = ec;
    loop->stop();
  }
};

}  // namespace

TEST(Loop, ClientConnectAdoptsTheSocketAsAConnection) {
  test::FdLeakGuard fds;
  {
    Socket listener = test::listen_ephemeral();
    std::thread peer([&] {
      auto [conn, addr] = listener.accept();
      std::string got = conn.recv(5);
      conn.sendall(got);
      EXPECT_EQ(conn.recv(10), "");  // the client closes
    });
    Loop loop;
    HelloClient h;
    h.loop = &loop;
    ConnectionOptions opts;
    event::connect(loop, listener.getsockname(), h, opts, 5s);
    loop.run();
    peer.join();
    EXPECT_TRUE(h.opened);
    EXPECT_TRUE(h.closed);
    EXPECT_EQ(h.reply, "hello");
    EXPECT_FALSE(h.connect_error);
    EXPECT_EQ(loop.connection_count(), 0u);
  }
  EXPECT_EQ(fds.leaked(), 0);
}

TEST(Loop, ClientConnectRefusedReachesTheHandler) {
  test::FdLeakGuard fds;
  Address closed_port;
  {
    Socket s = test::listen_ephemeral();
    closed_port = s.getsockname();
  }  // closed: nobody listens there now
  {
    Loop loop;
    HelloClient h;
    h.loop = &loop;
    ConnectionOptions opts;
    event::connect(loop, closed_port, h, opts, 5s);
    loop.run();
    EXPECT_FALSE(h.opened);
    EXPECT_EQ(h.connect_error, std::errc::connection_refused);
  }
  EXPECT_EQ(fds.leaked(), 0);
  // Host names: tests/integration/event_client_test.cpp.
}

TEST(Loop, ClientConnectWorksOverUnixSockets) {
  test::TempUnixPath path;
  Socket listener(Family::unix, Type::stream);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  std::thread peer([&] {
    auto [conn, addr] = listener.accept();
    conn.sendall(conn.recv(5));
    EXPECT_EQ(conn.recv(10), "");
  });
  Loop loop;
  HelloClient h;
  h.loop = &loop;
  ConnectionOptions opts;
  event::connect(loop, Address::unix_path(path.path()), h, opts, 5s);
  loop.run();
  peer.join();
  EXPECT_EQ(h.reply, "hello");
  EXPECT_FALSE(h.connect_error);
  // Nobody listens at a fresh path: the error comes through the handler as well.
  test::TempUnixPath nobody;
  HelloClient h2;
  h2.loop = &loop;
  event::connect(loop, Address::unix_path(nobody.path()), h2, opts, 5s);
  loop.run();
  EXPECT_EQ(h2.connect_error, std::errc::no_such_file_or_directory);
}

TEST(Loop, ClientConnectTimesOutWhenTheBacklogIsFull) {
  soket::test::FullBacklog full;  // a connect neither succeeds nor fails until our timeout
  Loop loop;
  HelloClient h;
  h.loop = &loop;
  ConnectionOptions opts;
  test::FdLeakGuard fds;
  event::connect(loop, full.address(), h, opts, 200ms);
  loop.run();
  EXPECT_FALSE(h.opened);
  EXPECT_EQ(h.connect_error, std::errc::timed_out);
  EXPECT_EQ(fds.leaked(), 0);
}
