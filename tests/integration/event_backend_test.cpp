// SPDX-License-Identifier: MIT
// The Loop's two pollers: choosing one (option, SOKET_BACKEND), falling back from io_uring
// where it is forbidden, and the cases where a completion-based poller could go wrong
// (stale completions after unwatch, fd reuse in one batch, a closed socket still held by a
// poll request, more ready descriptors than the ring has entries). The rest of the engine's
// tests run on both pollers through their ".uring" copies (tests/event.cmake).
#include <soket/event/loop.hpp>

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <soket/event/server.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

// Whether this kernel lets us set up a ring at all (the test's own probe, not the library's).
bool kernel_has_uring() {
  io_uring_params p{};
  long fd = ::syscall(__NR_io_uring_setup, 4, &p);
  if (fd < 0) return false;
  ::close(static_cast<int>(fd));
  return true;
}

// Sets SOKET_BACKEND for one scope, restoring what was there.
class BackendEnv {
 public:
  explicit BackendEnv(const char* value) {
    if (const char* old = std::getenv("SOKET_BACKEND")) old_ = old;
    if (value)
      ::setenv("SOKET_BACKEND", value, 1);
    else
      ::unsetenv("SOKET_BACKEND");
  }
  ~BackendEnv() {
    if (old_)
      ::setenv("SOKET_BACKEND", old_->c_str(), 1);
    else
      ::unsetenv("SOKET_BACKEND");
  }
  BackendEnv(const BackendEnv&) = delete;
  BackendEnv& operator=(const BackendEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

class Pollers : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::uring && !kernel_has_uring())
      GTEST_SKIP() << "io_uring_setup refused here: only the epoll poller can run";
  }
};

}  // namespace

TEST(Backend, TheOptionPicksThePollerAndEpollIsTheDefault) {
  BackendEnv env(nullptr);
  EXPECT_EQ(Loop().backend(), Backend::epoll);
  EXPECT_EQ(Loop(Backend::epoll).backend(), Backend::epoll);
  if (!kernel_has_uring()) GTEST_SKIP() << "io_uring_setup refused here";
  EXPECT_EQ(Loop(Backend::uring).backend(), Backend::uring);
}

TEST(Backend, EnvironmentDecidesOnlyWhenTheOptionIsAutomatic) {
  {
    BackendEnv env("epoll");
    EXPECT_EQ(Loop().backend(), Backend::epoll);
  }
  if (!kernel_has_uring()) GTEST_SKIP() << "io_uring_setup refused here";
  BackendEnv env("uring");
  EXPECT_EQ(Loop().backend(), Backend::uring);
  EXPECT_EQ(Loop(Backend::epoll).backend(), Backend::epoll);
  ServerOptions options;
  options.threads = 2;
  options.backend = Backend::epoll;
  struct Nothing : Handler {
    void on_data(Connection&, Buffer&) override {}
  } handler;
  Server server(Address("127.0.0.1", 0), handler, options);
  EXPECT_EQ(server.loops().loop(1).backend(), Backend::epoll);
}

TEST(Backend, AnUnknownEnvironmentValueIsAOneLineError) {
  BackendEnv env("kqueue");
  std::string what = test::error_of([] { Loop loop; });
  EXPECT_EQ(what, "SOKET_BACKEND: unknown backend 'kqueue' (epoll or uring)");
  EXPECT_THROW(Loop(), std::invalid_argument);
  EXPECT_EQ(Loop(Backend::epoll).backend(), Backend::epoll);  // an explicit choice ignores it
}

// A child forbidden io_uring_setup (seccomp, as container runtimes do) asks for uring and
// gets a working epoll loop.
TEST(Backend, UringFallsBackToEpollWhereIoUringIsForbidden) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(10);
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) ::_exit(11);
    if (kernel_has_uring()) ::_exit(12);  // the filter must really forbid it
    try {
      Loop loop(Backend::uring);
      if (loop.backend() != Backend::epoll) ::_exit(13);
      auto [a, b] = socketpair();
      std::string got;
      FunctionWatcher w(b.fileno(), [&](std::uint32_t) {
        got = b.recv(16);
        loop.stop();
      });
      loop.watch(w, Watcher::readable);
      a.sendall("x");
      loop.run();
      loop.unwatch(w);
      ::_exit(got == "x" ? 0 : 14);
    } catch (...) {
      ::_exit(15);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10/11: seccomp refused, 12: filter ineffective, "
                                       "13: not epoll, 14: no data, 15: threw";
}

// Level-triggered on both: a watcher that leaves data unread is called again next turn.
TEST_P(Pollers, UnreadDataIsReportedAgain) {
  Loop loop(GetParam());
  auto [a, b] = socketpair();
  int calls = 0;
  FunctionWatcher w(b.fileno(), [&](std::uint32_t ready) {
    EXPECT_TRUE(ready & Watcher::readable);
    if (++calls == 3) {
      EXPECT_EQ(b.recv(16), "abc");
      loop.stop();
    }
  });
  loop.watch(w, Watcher::readable);
  a.sendall("abc");
  loop.run();
  loop.unwatch(w);
  EXPECT_EQ(calls, 3);
}

// Interest changes: writable only, then readable only, then nothing (quiet but registered).
TEST_P(Pollers, ModifyChangesWhatIsReported) {
  Loop loop(GetParam());
  auto [a, b] = socketpair();
  std::string seen;
  FunctionWatcher w(b.fileno(), [&](std::uint32_t ready) {
    if (ready & Watcher::writable) {
      seen += 'w';
      loop.watch(w, Watcher::readable);
      a.sendall("r");
    } else if (ready & Watcher::readable) {
      seen += 'r';
      EXPECT_EQ(b.recv(4), "r");
      loop.watch(w, 0);
      a.sendall("q");  // not reported: no interest
      loop.call_after(50ms, [&] { loop.stop(); });
    }
  });
  loop.watch(w, Watcher::writable);
  loop.run();
  EXPECT_EQ(seen, "wr");
  EXPECT_TRUE(w.registered());
  loop.unwatch(w);
}

// In one batch the first watcher unwatches the second, closes its descriptor and watches a
// new socket that got the same number: the old readiness must not reach the new watcher.
TEST_P(Pollers, AStaleEventNeverReachesAWatcherThatReusedTheDescriptor) {
  Loop loop(GetParam());
  auto p1 = socketpair();
  auto p2 = std::make_unique<std::pair<Socket, Socket>>(socketpair());
  std::optional<std::pair<Socket, Socket>> p3;
  int second_calls = 0, third_calls = 0;
  std::unique_ptr<FunctionWatcher> second, third;
  FunctionWatcher first(p1.second.fileno(), [&](std::uint32_t) {
    p1.second.recv(16);
    if (second) {
      int old_fd = second->fd();
      loop.unwatch(*second);
      second.reset();
      p2.reset();  // closes old_fd: the next socket reuses the number
      p3.emplace(socketpair());
      int reused = p3->second.fileno() == old_fd ? p3->second.fileno() : p3->first.fileno();
      EXPECT_EQ(reused, old_fd) << "descriptor numbers not reused: the test proves nothing";
      third = std::make_unique<FunctionWatcher>(reused, [&](std::uint32_t) { ++third_calls; });
      loop.watch(*third, Watcher::readable);  // nothing to read on it
      loop.call_after(50ms, [&] { loop.stop(); });
    }
  });
  second = std::make_unique<FunctionWatcher>(p2->second.fileno(), [&](std::uint32_t) {
    ++second_calls;
    p2->second.recv(16);
  });
  loop.watch(first, Watcher::readable);
  loop.watch(*second, Watcher::readable);
  // Both ready before the first wait, so both events come in the same batch (whichever runs
  // first; if the second runs first it just reads).
  p2->first.sendall("2");
  p1.first.sendall("1");
  loop.run();
  EXPECT_EQ(third_calls, 0);
  EXPECT_LE(second_calls, 1);
  loop.unwatch(first);
  loop.unwatch(*third);
}

// Unwatch, then close, with the loop not running: the peer must see the end of the stream
// now, not when the loop next turns (a poll request in the kernel holds the file).
TEST_P(Pollers, CloseAfterUnwatchReachesThePeerWithoutAnotherTurn) {
  Loop loop(GetParam());
  auto [client, server] = test::loopback_pair();
  FunctionWatcher w(server.fileno(), [](std::uint32_t) {});
  loop.watch(w, Watcher::readable);
  loop.call_after(1ms, [&] { loop.stop(); });
  loop.run();  // one turn: the poll request is in the kernel
  loop.unwatch(w);
  server.close();
  client.settimeout(10s);
  EXPECT_EQ(client.recv(16), "");  // EOF, not a timeout
}

// More ready descriptors than the ring's 256 submission entries: all are served, each once.
TEST_P(Pollers, MoreReadyWatchersThanRingEntries) {
  Loop loop(GetParam());
  constexpr int n = 600;
  std::vector<std::pair<Socket, Socket>> pairs;
  std::vector<std::unique_ptr<FunctionWatcher>> watchers;
  std::vector<int> calls(n, 0);
  int served = 0;
  for (int i = 0; i < n; ++i) {
    pairs.push_back(socketpair());
    auto& s = pairs.back().second;
    watchers.push_back(std::make_unique<FunctionWatcher>(s.fileno(), [&, i](std::uint32_t) {
      ++calls[static_cast<std::size_t>(i)];
      EXPECT_EQ(pairs[static_cast<std::size_t>(i)].second.recv(8), "x");
      if (++served == n) loop.stop();
    }));
    loop.watch(*watchers.back(), Watcher::readable);
  }
  for (auto& p : pairs) p.first.sendall("x");
  loop.call_after(20s, [&] { loop.stop(); });  // bounded: a lost event ends the test, failed
  loop.run();
  EXPECT_EQ(served, n);
  for (int c : calls) EXPECT_EQ(c, 1);
  for (auto& w : watchers) loop.unwatch(*w);
}

// Watching a descriptor twice, or one that is not open, fails at once on both pollers.
TEST_P(Pollers, BadWatchesFailAtOnce) {
  Loop loop(GetParam());
  auto [a, b] = socketpair();
  FunctionWatcher w1(b.fileno(), [](std::uint32_t) {}), w2(b.fileno(), [](std::uint32_t) {});
  loop.watch(w1, Watcher::readable);
  EXPECT_EQ(test::error_of([&] { loop.watch(w2, Watcher::readable); }),
            "watch fd " + std::to_string(b.fileno()) + ": File exists");
  int closed = ::dup(b.fileno());
  ::close(closed);
  FunctionWatcher gone(closed, [](std::uint32_t) {});
  EXPECT_EQ(test::error_of([&] { loop.watch(gone, Watcher::readable); }),
            "watch fd " + std::to_string(closed) + ": Bad file descriptor");
  loop.unwatch(w1);
}

// Cross-thread wake-ups on the ring: stop() from another thread ends a wait with no timer.
TEST_P(Pollers, StopFromAnotherThreadWakesAnEndlessWait) {
  Loop loop(GetParam());
  std::thread stopper([&] {
    while (!loop.running()) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(20ms);
    loop.stop();
  });
  loop.run();
  stopper.join();
  SUCCEED();
}

// A Loop built (and its first watcher added) on one thread, run on another, and cleaned up
// on the first after run() returned: the io_uring ring is a single issuer's (bound to the
// thread that first submits), so set-up must not bind it and clean-up must still close.
TEST_P(Pollers, ALoopBuiltOnOneThreadRunsOnAnotherAndIsClosedOnTheFirst) {
  auto loop = std::make_unique<Loop>(GetParam());
  auto [client, server] = test::loopback_pair();
  int calls = 0;
  FunctionWatcher w(server.fileno(), [&](std::uint32_t) {
    EXPECT_EQ(server.recv(16), "hi");
    if (++calls == 1) loop->stop();
  });
  loop->watch(w, Watcher::readable);
  auto [a, b] = socketpair();
  FunctionWatcher other(b.fileno(), [](std::uint32_t) {});
  loop->watch(other, Watcher::readable);
  loop->unwatch(other);                          // a removal before the loop ever ran
  loop->call_after(10s, [&] { loop->stop(); });  // bounded: a lost event ends the test
  client.sendall("hi");
  std::thread runner([&] { loop->run(); });
  runner.join();
  EXPECT_EQ(calls, 1);
  loop->unwatch(w);
  server.close();
  client.settimeout(10s);
  EXPECT_EQ(client.recv(16), "");  // EOF, not a timeout
  loop.reset();
}

// Run on one thread, then on another: the second run either serves its watchers (epoll, a
// shared ring) or says why it cannot (a single issuer's ring) — never a loop that turns
// without serving anything.
TEST_P(Pollers, RunAgainOnAnotherThreadServesOrSaysWhy) {
  Loop loop(GetParam());
  auto [client, server] = test::loopback_pair();
  int calls = 0;
  FunctionWatcher w(server.fileno(), [&](std::uint32_t) {
    server.recv(16);
    ++calls;
    loop.stop();
  });
  loop.watch(w, Watcher::readable);
  std::thread first([&] {
    loop.call_after(1ms, [&] { loop.stop(); });
    loop.run();
  });
  first.join();
  client.sendall("x");
  loop.call_after(10s, [&] { loop.stop(); });
  std::string error;
  std::thread second([&] { error = test::error_of([&] { loop.run(); }); });
  second.join();
  if (error == "(no error)") {
    EXPECT_EQ(calls, 1);
  } else {
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(error,
              "io_uring: this Loop's ring belongs to the thread that first ran it: File exists");
  }
  loop.unwatch(w);
}

INSTANTIATE_TEST_SUITE_P(Both, Pollers, ::testing::Values(Backend::epoll, Backend::uring),
                         [](const auto& p) { return std::string(to_string(p.param)); });
