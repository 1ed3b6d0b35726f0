// SPDX-License-Identifier: MIT
// src/linux/signals: BlockedSignals blocks for a scope and restores the mask, wait()/wait_for()
// take a blocked signal (the server's block-then-sigwait idiom), consume() takes only a
// pending one. Internal API: the test includes src/.
#include "linux/signals.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <thread>

using namespace soket::sys;
using namespace std::chrono_literals;

namespace {

bool blocked(int sig) {
  sigset_t now;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return ::sigismember(&now, sig) == 1;
}

}  // namespace

TEST(Signals, BlockedSignalsRestoresTheMaskItFound) {
  ASSERT_FALSE(blocked(SIGUSR1));
  {
    BlockedSignals outer{SIGUSR1};
    EXPECT_TRUE(blocked(SIGUSR1));
    EXPECT_FALSE(outer.was_blocked(SIGUSR1));
    {
      BlockedSignals inner{SIGUSR1, SIGUSR2};
      EXPECT_TRUE(inner.was_blocked(SIGUSR1));
      EXPECT_FALSE(inner.was_blocked(SIGUSR2));
      EXPECT_TRUE(blocked(SIGUSR2));
    }
    EXPECT_TRUE(blocked(SIGUSR1));  // still the outer scope's
    EXPECT_FALSE(blocked(SIGUSR2));
  }
  EXPECT_FALSE(blocked(SIGUSR1));
}

TEST(Signals, WaitForTakesAPendingSignalOrTimesOut) {
  BlockedSignals block{SIGUSR1};
  EXPECT_EQ(block.wait_for(10ms), 0);
  ::pthread_kill(::pthread_self(), SIGUSR1);
  EXPECT_TRUE(pending(SIGUSR1));
  EXPECT_EQ(block.wait_for(0ns), SIGUSR1);
  EXPECT_FALSE(pending(SIGUSR1));
}

// The server's idiom: block in the main thread before starting others (they inherit the
// mask), then one thread waits; a process-directed signal (kill) reaches it.
TEST(Signals, WaitTakesAProcessDirectedSignalSentFromAnotherThread) {
  BlockedSignals block{SIGUSR2};
  std::thread sender([] { ::kill(::getpid(), SIGUSR2); });
  EXPECT_EQ(block.wait(), SIGUSR2);
  sender.join();
}

TEST(Signals, ConsumeTakesOnlyAPendingSignal) {
  BlockedSignals block{SIGUSR1};
  EXPECT_FALSE(consume(SIGUSR1));
  ::pthread_kill(::pthread_self(), SIGUSR1);
  EXPECT_TRUE(consume(SIGUSR1));
  EXPECT_FALSE(pending(SIGUSR1));
}

TEST(Signals, NoSigpipeConsumesItsOwnSigpipeAndRestoresTheMask) {
  ASSERT_FALSE(blocked(SIGPIPE));
  {
    NoSigpipe guard;
    EXPECT_TRUE(blocked(SIGPIPE));
    ::pthread_kill(::pthread_self(), SIGPIPE);  // what a write to a gone peer does
  }
  EXPECT_FALSE(blocked(SIGPIPE));  // and the process is still alive: it was consumed
}
