// SPDX-License-Identifier: MIT
// TimerQueue and Buffer: pure logic, no descriptors.
#include <soket/event/timer_queue.hpp>

#include <gtest/gtest.h>
#include <string>
#include <vector>

#include <soket/event/buffer.hpp>

using soket::event::Buffer;
using soket::event::TimerId;
using soket::event::TimerQueue;
using namespace std::chrono_literals;

TEST(TimerQueue, RunsInDeadlineOrderAndTiesInInsertionOrder) {
  TimerQueue q;
  auto t0 = TimerQueue::Clock::now();
  std::string order;
  q.add(t0 + 30ms, {}, [&] { order += 'c'; });
  q.add(t0 + 10ms, {}, [&] { order += 'a'; });
  q.add(t0 + 20ms, {}, [&] { order += 'b'; });
  q.add(t0 + 20ms, {}, [&] { order += 'B'; });
  EXPECT_EQ(q.next_deadline(), t0 + 10ms);
  EXPECT_EQ(q.run_expired(t0 + 5ms), 0u);
  EXPECT_EQ(q.run_expired(t0 + 20ms), 3u);
  EXPECT_EQ(order, "abB");
  EXPECT_EQ(q.run_expired(t0 + 1s), 1u);
  EXPECT_EQ(order, "abBc");
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.next_deadline());
}

TEST(TimerQueue, CancelledTimersNeverRunAndStaleIdsAreIgnored) {
  TimerQueue q;
  auto t0 = TimerQueue::Clock::now();
  int ran = 0;
  TimerId a = q.add(t0 + 1ms, {}, [&] { ran += 1; });
  TimerId b = q.add(t0 + 2ms, {}, [&] { ran += 10; });
  EXPECT_TRUE(q.cancel(a));
  EXPECT_FALSE(q.cancel(a));               // twice
  EXPECT_EQ(q.next_deadline(), t0 + 2ms);  // the cancelled entry no longer shortens the wait
  q.run_expired(t0 + 5ms);
  EXPECT_EQ(ran, 10);
  EXPECT_FALSE(q.cancel(b));  // already ran
  // A freed slot is reused: the stale ids must not cancel the new timer.
  TimerId c = q.add(t0 + 6ms, {}, [&] { ran += 100; });
  EXPECT_TRUE(c.slot == a.slot || c.slot == b.slot);
  EXPECT_FALSE(q.cancel(a));
  EXPECT_FALSE(q.cancel(b));
  q.run_expired(t0 + 10ms);
  EXPECT_EQ(ran, 110);
  EXPECT_FALSE(q.cancel(TimerId{}));
}

TEST(TimerQueue, RepeatingTimerRepeatsUntilItCancelsItself) {
  TimerQueue q;
  auto t0 = TimerQueue::Clock::now();
  int ran = 0;
  TimerId id;
  id = q.add(t0 + 10ms, 10ms, [&] {
    if (++ran == 3) {
      EXPECT_TRUE(q.cancel(id));
    }
  });
  for (int i = 1; i <= 10; ++i) q.run_expired(t0 + i * 10ms);
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(q.size(), 0u);
}

TEST(TimerQueue, CallbacksMayAddTimers) {
  TimerQueue q;
  auto t0 = TimerQueue::Clock::now();
  std::vector<int> seen;
  q.add(t0, {}, [&] {
    seen.push_back(1);
    for (int i = 0; i < 100; ++i) q.add(t0, {}, [&seen, i] { seen.push_back(10 + i); });
  });
  q.run_expired(t0);
  ASSERT_EQ(seen.size(), 101u);
  EXPECT_EQ(seen[1], 10);
  EXPECT_EQ(seen[100], 109);
}

TEST(Buffer, AppendRetrieveAndReclaimWithoutGrowing) {
  Buffer b;
  EXPECT_TRUE(b.empty());
  b.append("hello world");
  EXPECT_EQ(b.view(), "hello world");
  EXPECT_EQ(b.retrieve_as_string(6), "hello ");
  EXPECT_EQ(b.view(), "world");
  auto cap = b.capacity();
  // Consume as fast as we append: the consumed prefix is reclaimed, capacity stays.
  for (int i = 0; i < 1000; ++i) {
    b.append("xxxxx");
    b.retrieve(5);
  }
  EXPECT_EQ(b.capacity(), cap);
  EXPECT_EQ(b.view(), "xxxxx");
  b.append("world");
  EXPECT_EQ(b.find("rl"), 7u);
  EXPECT_FALSE(b.find("zz"));
  b.retrieve(100);
  EXPECT_TRUE(b.empty());
}

TEST(Buffer, GrowsKeepsBytesAndTrimsOnlyWhenEmpty) {
  Buffer b;
  std::string big(100000, 'a');
  big[99999] = 'z';
  b.append(big);
  EXPECT_GE(b.capacity(), 100000u);
  EXPECT_EQ(b.view(), big);
  b.trim(1024);
  EXPECT_EQ(b.readable(), 100000u);  // not empty: kept
  Buffer moved = std::move(b);
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(moved.view().back(), 'z');
  moved.retrieve_all();
  moved.trim(1024);
  EXPECT_EQ(moved.capacity(), 0u);
}
