// SPDX-License-Identifier: MIT
// event::connect: host names resolved as the core does, and connects in flight freed when
// their Loop is destroyed (or left pending when it is only stopped).
#include <soket/event/client.hpp>

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/resolver.hpp>

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

// The lookup runs on a helper thread and its failure comes back through on_connect_error,
// like every other failure (it used to block the loop thread and throw from connect()).
TEST(EventConnect, FailedLookupIsReportedThroughOnConnectError) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  test::FdLeakGuard fds;
  {
    Loop loop;
    Recorder h;
    h.loop = &loop;
    ConnectionOptions opts;
    Address target("nosuch.invalid", 80);
    EXPECT_NO_THROW(event::connect(loop, target, h, opts, 5s));
    loop.run();
    EXPECT_EQ(h.opened, 0);
    EXPECT_EQ(h.failed, 1);
    EXPECT_EQ(h.error.category(), gai_category()) << h.error.message();
    EXPECT_EQ(h.error_address, target);
    // The family is the socket's, as in Socket::connect: getaddrinfo has none for AF_UNIX.
    Recorder u;
    u.loop = &loop;
    event::connect(loop, Address("localhost", 80), u, opts, 5s, Family::unix);
    loop.run();
    EXPECT_EQ(u.opened, 0);
    EXPECT_EQ(u.failed, 1);
    EXPECT_EQ(u.error.category(), gai_category()) << u.error.message();
  }
  EXPECT_EQ(fds.leaked(), 0);
}

// Every resolved address is tried in order, as create_connection does (it used to try only
// the first). A private /etc/hosts (user and mount namespace, in a child) names two
// addresses; only the second listens.
TEST(EventConnect, EveryResolvedAddressIsTriedInOrder) {
  Socket listener(Family::inet, Type::stream);
  listener.bind(Address("127.0.0.3", 0));
  listener.listen();
  std::uint16_t port = listener.getsockname().port();
  char hosts[] = "/tmp/soket-hosts-XXXXXX";
  int hfd = ::mkstemp(hosts);
  ASSERT_GE(hfd, 0);
  // glibc sorts 127.0.0.1 first (RFC 6724): nothing listens there on `port`.
  std::string text = "127.0.0.3 twohosts\n127.0.0.1 twohosts\n";
  ASSERT_EQ(::write(hfd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(hfd);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) ::_exit(77);
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(77);
    if (::mount(hosts, "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) ::_exit(77);
    int code = 1;
    try {
      Recorder h;  // outlives the loop, whose destructor closes the connection
      ConnectionOptions opts;
      Loop loop;
      h.loop = &loop;
      event::connect(loop, Address("twohosts", port), h, opts, 5s, Family::inet);
      loop.call_every(5ms, [&] {
        if (h.opened || h.failed) loop.stop();
      });
      loop.call_after(10s, [&] { loop.stop(); });
      loop.run();
      if (h.opened == 1 && h.peer == Address("127.0.0.3", port)) code = 0;
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::unlink(hosts);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no user/mount namespaces here";
  EXPECT_EQ(WEXITSTATUS(status), 0);
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
    loop.call_after(50ms, [&] { loop.stop(); });
    // Run on another thread and destroy on this one after the join (TSan checks the handoff).
    std::thread runner([&] { loop.run(); });
    runner.join();
    EXPECT_EQ(sockets.leaked(), 3);  // the three sockets in flight (opened on the first turn)
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
