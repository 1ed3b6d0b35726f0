// SPDX-License-Identifier: MIT
// PEP 475 behaviour: calls interrupted by a signal whose handler was installed without
// SA_RESTART are retried, and with a timeout they keep their original deadline
// (CPython test_socket's InterruptedTimeoutBase / test_eintr).
#include <soket/socket.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/message.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::listen_ephemeral;
using soket::test::TempUnixPath;

namespace {

std::atomic<int> signals_seen{0};
extern "C" void count_signal(int) {
  signals_seen.fetch_add(1, std::memory_order_relaxed);
}

// Installs a no-op SIGUSR1 handler WITHOUT SA_RESTART (so blocking calls fail with EINTR) for
// the life of the object.
class NoRestartHandler {
 public:
  NoRestartHandler() {
    struct sigaction sa {};
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    ::sigaction(SIGUSR1, &sa, &old_);
    signals_seen = 0;
  }
  ~NoRestartHandler() { ::sigaction(SIGUSR1, &old_, nullptr); }
  NoRestartHandler(const NoRestartHandler&) = delete;
  NoRestartHandler& operator=(const NoRestartHandler&) = delete;

 private:
  struct sigaction old_ {};
};

// Signals `target` every few milliseconds from another thread, up to `max_signals` times or
// until stop(). After `then_after` signals (or when it runs out, so that a target that was
// never interrupted is still released) it runs `then` once, e.g. to send the data the target
// waits for. exhausted() tells whether it ran out of signals before stop().
class Interrupter {
 public:
  Interrupter(pthread_t target, int max_signals, int then_after, std::function<void()> then = {})
      : thread_([=, this] {
          bool done = !then;
          for (int i = 0; i < max_signals && !stop_; ++i) {
            ::pthread_kill(target, SIGUSR1);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            if (!done && i + 1 >= then_after) {
              done = true;
              then();
            }
          }
          if (!stop_) exhausted_ = true;
          if (!done) then();
        }) {}
  ~Interrupter() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  bool exhausted() const { return exhausted_; }

 private:
  std::atomic<bool> stop_{false}, exhausted_{false};
  std::thread thread_;
};

}  // namespace

TEST(Eintr, TheSignalReallyInterruptsARawBlockingRecv) {
  // The control experiment: without a retry loop, recv(2) fails with EINTR here.
  NoRestartHandler handler;
  auto [a, b] = socketpair();
  Socket& sender = a;
  // If the signal did not interrupt recv, the byte sent when the signals run out releases it.
  Interrupter interrupter(::pthread_self(), 400, 401, [&] { sender.send("x"); });
  char c;
  ssize_t n = ::recv(b.fileno(), &c, 1, 0);
  int err = errno;
  interrupter.stop();
  EXPECT_EQ(n, -1);
  EXPECT_EQ(err, EINTR);
}

TEST(Eintr, BlockingRecvIsRetriedAndGetsTheData) {
  NoRestartHandler handler;
  auto [a, b] = socketpair();
  Socket& sender = a;
  Interrupter interrupter(::pthread_self(), 400, 20, [&] { sender.send("after the signals"); });
  std::string got = b.recv(100);
  interrupter.stop();
  EXPECT_EQ(got, "after the signals");
  EXPECT_GE(signals_seen.load(), 10);
}

TEST(Eintr, RecvWithATimeoutKeepsItsDeadlineUnderASignalStorm) {
  NoRestartHandler handler;
  auto [a, b] = socketpair();
  b.settimeout(0.3);
  // 2000 signals 5 ms apart outlast the 0.3 s timeout many times over. Restarting the full
  // timeout after each EINTR would never time out while they last, and the interrupter would
  // run out first.
  Interrupter interrupter(::pthread_self(), 2000, 0);
  EXPECT_THROW(b.recv(100), TimeoutError);
  bool exhausted = interrupter.exhausted();
  interrupter.stop();
  EXPECT_FALSE(exhausted) << "the timeout restarted on every signal";
  EXPECT_GE(signals_seen.load(), 1);
}

TEST(Eintr, RecvmsgWithATimeoutAlsoKeepsItsDeadline) {
  NoRestartHandler handler;
  auto [a, b] = socketpair();
  b.settimeout(0.3);
  Interrupter interrupter(::pthread_self(), 2000, 0);
  try {
    b.recvmsg(100, cmsg_space(sizeof(int)));
    FAIL() << "recvmsg returned";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "recvmsg: timed out");
  }
  bool exhausted = interrupter.exhausted();
  interrupter.stop();
  EXPECT_FALSE(exhausted);
}

TEST(Eintr, BlockingAcceptAndRecvFdsAreRetried) {
  NoRestartHandler handler;
  Socket listener = listen_ephemeral();
  Address where = listener.getsockname();
  Socket client;
  Interrupter interrupter(::pthread_self(), 400, 20, [&] {
    client = Socket(Family::inet);
    client.connect(where);
  });
  auto [conn, addr] = listener.accept();
  interrupter.stop();
  EXPECT_EQ(addr, client.getsockname());

  auto [a, b] = socketpair();
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  Socket& sender = a;
  std::array<int, 1> fds{p[0]};
  Interrupter again(::pthread_self(), 400, 20, [&] { send_fds(sender, "fd", fds); });
  ReceivedFds got = recv_fds(b, 16, 1);
  again.stop();
  EXPECT_EQ(got.data, "fd");
  EXPECT_EQ(got.fds.size(), 1u);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(Eintr, BlockingSendallAndSendfileCompleteUnderSignals) {
  NoRestartHandler handler;
  auto [a, b] = socketpair();
  Socket& rx = b;
  const std::size_t size = 8u << 20;  // far more than the socket buffer: sends must block
  std::vector<std::byte> data(size, std::byte{0x5a});
  std::size_t received = 0;
  std::thread reader([&] {
    std::vector<std::byte> buf(1 << 16);
    for (;;) {
      std::size_t n = rx.recv_into(buf);
      if (n == 0) break;
      received += n;
    }
  });
  {
    Interrupter interrupter(::pthread_self(), 100000, 0);
    a.sendall(data);
    TempUnixPath dir;
    std::string file = dir.dir() + "/f";
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), size), static_cast<ssize_t>(size));
    EXPECT_EQ(a.sendfile(fd), size);
    ::close(fd);
    interrupter.stop();
  }
  a.shutdown(Shut::wr);
  reader.join();
  EXPECT_EQ(received, 2 * size);
  EXPECT_GE(signals_seen.load(), 1);
}
