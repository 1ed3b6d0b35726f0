// SPDX-License-Identifier: MIT
// event::connect: host names resolved as the core does, and connects in flight freed when
// their Loop is destroyed (or left pending when it is only stopped).
#include <soket/event/client.hpp>

#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>

#include "support/support.hpp"
#include "support/test_resolver.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

/// Records every callback; sends "hello" on open and closes once it is echoed.
struct Recorder : Handler {
  Loop* loop = nullptr;  // stopped on a final event when set
  int opened = 0, closed = 0, failed = 0;
  std::error_code error;
  Address error_address, peer;
  std::string reply;
  void on_open(Connection& c) override {
    ++opened;
    peer = c.peer();
    c.send("hello");
  }
  void on_data(Connection& c, Buffer& in) override {
    reply += in.retrieve_as_string(in.readable());
    if (reply.size() >= 5) c.close();
  }
  void on_close(Connection&, std::error_code) override {
    ++closed;
    if (loop) loop->stop();
  }
  void on_connect_error(const Address& a, std::error_code ec) override {
    ++failed;
    error = ec;
    error_address = a;
    if (loop) loop->stop();
  }
};

using soket::test::FullBacklog;

}  // namespace

TEST(EventConnect, HostNameIsResolvedWithTheSocketFamily) {
  test::FdLeakGuard fds;
  {
    Socket listener = test::listen_ephemeral();
    Loop loop;
    Recorder h;
    h.loop = &loop;
    ConnectionOptions opts;
    event::connect(loop, Address("localhost", listener.getsockname().port()), h, opts, 5s);
    std::thread peer([&] {  // started after connect(), which must not throw
      auto [conn, addr] = listener.accept();
      conn.sendall(conn.recv(5));
      EXPECT_EQ(conn.recv(10), "");  // the client closes
    });
    loop.run();
    peer.join();
    EXPECT_EQ(h.opened, 1);
    EXPECT_EQ(h.failed, 0) << h.error.message();
    EXPECT_EQ(h.reply, "hello");
    EXPECT_EQ(h.peer, listener.getsockname());  // "localhost" with Family::inet: 127.0.0.1
  }
  EXPECT_EQ(fds.leaked(), 0);
}

TEST(EventConnect, HostNameRefusedReportsTheAddressAsGiven) {
  test::FdLeakGuard fds;
  Address target("localhost", test::closed_port());
  {
    Loop loop;
    Recorder h;
    h.loop = &loop;
    ConnectionOptions opts;
    event::connect(loop, target, h, opts, 5s);
    loop.run();
    EXPECT_EQ(h.opened, 0);
    EXPECT_EQ(h.failed, 1);
    EXPECT_EQ(h.error, std::errc::connection_refused);
    EXPECT_EQ(h.error_address, target);
    EXPECT_FALSE(h.error_address.is_resolved());
  }
  EXPECT_EQ(fds.leaked(), 0);
}

TEST(EventConnect, FailedLookupThrowsAndTheCallbackNeverComes) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  test::FdLeakGuard fds;
  Recorder h;
  {
    Loop loop;
    ConnectionOptions opts;
    try {
      event::connect(loop, Address("nosuch.invalid", 80), h, opts, 5s);
      FAIL() << "an unknown host must throw";
    } catch (const gaierror& e) {
      EXPECT_EQ(e.code().category(), gai_category());
      EXPECT_NE(std::string(e.what()).find("getaddrinfo nosuch.invalid: "), std::string::npos)
          << e.what();
    }
    // The family is the socket's, as in Socket::connect: getaddrinfo has none for AF_UNIX.
    try {
      event::connect(loop, Address("localhost", 80), h, opts, 5s, Family::unix);
      FAIL() << "a host name cannot resolve for a Unix socket";
    } catch (const gaierror& e) {
      EXPECT_NE(std::string(e.what()).find("getaddrinfo localhost: "), std::string::npos)
          << e.what();
    }
    loop.call_after(20ms, [&] { loop.stop(); });
    loop.run();
  }
  EXPECT_EQ(h.opened + h.failed, 0);
  EXPECT_EQ(fds.leaked(), 0);
}

TEST(EventConnect, DestroyingTheLoopMidConnectFreesItWithoutCallingTheHandler) {
  FullBacklog full;
  Recorder h;  // outlives the loop, to see that no callback comes
  test::FdLeakGuard fds;
  {
    Loop loop;
    test::FdLeakGuard sockets;
    ConnectionOptions opts;
    for (int i = 0; i < 3; ++i) event::connect(loop, full.address(), h, opts, 30s);
    EXPECT_EQ(sockets.leaked(), 3);  // the three sockets in flight
    loop.call_after(50ms, [&] { loop.stop(); });
    // Run on another thread and destroy on this one after the join (TSan checks the handoff).
    std::thread runner([&] { loop.run(); });
    runner.join();
    EXPECT_EQ(h.opened + h.failed, 0) << "the connects must still be in flight";
  }  // LeakSanitizer reports the connectors if ~Loop does not free them
  EXPECT_EQ(h.opened + h.failed + h.closed, 0);
  EXPECT_EQ(fds.leaked(), 0);
}

TEST(EventConnect, DestroyingTheLoopBeforeItRunsFreesConnectsThatFinishedAtOnce) {
  // Unix connects finish inside connect(2); their outcome waits for the loop's next turn.
  test::TempUnixPath path, nobody;
  Socket listener(Family::unix, Type::stream);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  Recorder h;
  test::FdLeakGuard fds;
  {
    Loop loop;
    ConnectionOptions opts;
    event::connect(loop, Address::unix_path(path.path()), h, opts, 5s);    // connected
    event::connect(loop, Address::unix_path(nobody.path()), h, opts, 5s);  // ENOENT at once
  }
  EXPECT_EQ(h.opened + h.failed + h.closed, 0);
  EXPECT_EQ(fds.leaked(), 0);
}

TEST(EventConnect, StopLeavesTheConnectPendingAndRunResumesIt) {
  FullBacklog full;
  Loop loop;
  Recorder h;
  ConnectionOptions opts;
  test::FdLeakGuard fds;
  event::connect(loop, full.address(), h, opts, 300ms);
  loop.call_after(20ms, [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(h.opened + h.failed, 0);
  EXPECT_EQ(fds.leaked(), 1);  // still connecting
  h.loop = &loop;
  loop.run();  // until the timeout reports
  EXPECT_EQ(h.opened, 0);
  EXPECT_EQ(h.failed, 1);
  EXPECT_EQ(h.error, std::errc::timed_out);
  EXPECT_EQ(h.error_address, full.address());
  EXPECT_EQ(fds.leaked(), 0);
}

namespace {

/// Reconnects whenever its connection closes: also while ~Loop closes it.
struct Reconnector : Recorder {
  Address again;
  ConnectionOptions opts;
  void on_close(Connection& c, std::error_code ec) override {
    Recorder::on_close(c, ec);
    event::connect(c.loop(), again, *this, opts, 30s);
  }
};

}  // namespace

TEST(EventConnect, AConnectStartedByOnCloseDuringLoopDestructionIsFreed) {
  FullBacklog full;
  Socket listener = test::listen_ephemeral();
  Reconnector h;  // outlives the loop: ~Loop runs on_close
  h.again = full.address();
  test::FdLeakGuard fds;
  {
    Loop loop;
    event::connect(loop, listener.getsockname(), h, h.opts, 5s);
    loop.call_every(5ms, [&] {
      if (h.opened || h.failed) loop.stop();
    });
    loop.run();
    ASSERT_EQ(h.opened, 1) << h.error.message();
    EXPECT_EQ(loop.connection_count(), 1u);
  }  // closes the connection; on_close starts a connect the destructor must free
  EXPECT_EQ(h.closed, 1);
  EXPECT_EQ(h.failed, 0);
  EXPECT_EQ(fds.leaked(), 0);
}
