// SPDX-License-Identifier: MIT
// Selectors over real loopback sockets, for both backends (epoll and poll).
#include <soket/io/selector.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/support.hpp"

namespace soket::selectors {
namespace {

using namespace std::chrono_literals;
using soket::test::FdLeakGuard;
using soket::test::loopback_pair;

template <class T>
class SelectorTest : public ::testing::Test {};
using Backends = ::testing::Types<EpollSelector, PollSelector>;
TYPED_TEST_SUITE(SelectorTest, Backends);

TYPED_TEST(SelectorTest, ReadReadinessAfterPeerSends) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(b, EVENT_READ, std::string("conn-b"));
  EXPECT_TRUE(sel.select(0s).empty());  // nothing sent yet: a poll returns nothing
  a.sendall("ping");
  auto ready = sel.select(5s);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].key.fd, b.fileno());
  EXPECT_EQ(ready[0].key.fileobj, &b);
  EXPECT_EQ(ready[0].events, EVENT_READ);
  EXPECT_EQ(std::any_cast<std::string>(ready[0].key.data), "conn-b");
  EXPECT_EQ(b.recv(16), "ping");
  EXPECT_TRUE(sel.select(0s).empty());
}

TYPED_TEST(SelectorTest, WriteReadinessAndModify) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(a.fileno(), EVENT_WRITE, 7);
  auto ready = sel.select(5s);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].events, EVENT_WRITE);
  EXPECT_EQ(ready[0].key.fileobj, nullptr);  // registered by descriptor
  // Switch to read interest: a writable but unreadable socket is not reported.
  auto& key = sel.modify(a.fileno(), EVENT_READ);
  EXPECT_EQ(key.events, EVENT_READ);
  EXPECT_EQ(std::any_cast<int>(key.data), 7);  // data kept when not replaced
  EXPECT_TRUE(sel.select(0s).empty());
  b.sendall("x");
  ready = sel.select(5s);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].events, EVENT_READ);
  sel.modify(a.fileno(), EVENT_READ | EVENT_WRITE, std::any(std::string("new")));
  ready = sel.select(5s);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].events, EVENT_READ | EVENT_WRITE);
  EXPECT_EQ(std::any_cast<std::string>(sel.get_key(a).data), "new");
}

TYPED_TEST(SelectorTest, UnregisterStopsReports) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(b, EVENT_READ, 1);
  a.sendall("data");
  auto old = sel.unregister(b);
  EXPECT_EQ(old.fd, b.fileno());
  EXPECT_EQ(std::any_cast<int>(old.data), 1);
  EXPECT_TRUE(sel.select(0s).empty());
  EXPECT_TRUE(sel.get_map().empty());
  // Registering again after unregister is allowed.
  sel.register_(b, EVENT_READ);
  EXPECT_EQ(sel.select(5s).size(), 1u);
}

// bpo-19876: a socket closed while registered can still be unregistered (found by its key,
// not by its descriptor), and a new socket that reuses the descriptor number is then
// registered and reported.
TYPED_TEST(SelectorTest, UnregisterAfterCloseDropsKeyAndFreesTheNumber) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  const int old_fd = b.fileno();
  sel.register_(b, EVENT_READ, std::string("old"));
  b.close();
  auto old = sel.unregister(b);
  EXPECT_EQ(old.fd, old_fd);
  EXPECT_EQ(std::any_cast<std::string>(old.data), "old");
  EXPECT_TRUE(sel.get_map().empty());

  Socket reused(Family::inet, Type::dgram);
  if (reused.fileno() != old_fd)  // not the lowest free number: move it there
    reused = Socket::adopt(::dup3(reused.fileno(), old_fd, O_CLOEXEC));
  ASSERT_EQ(reused.fileno(), old_fd);
  reused.bind(Address("127.0.0.1", 0));
  sel.register_(reused, EVENT_READ, std::string("new"));
  Socket sender(Family::inet, Type::dgram);
  sender.sendto("x", reused.getsockname());
  auto ready = sel.select(5s);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].key.fileobj, &reused);
  EXPECT_EQ(std::any_cast<std::string>(ready[0].key.data), "new");
}

TYPED_TEST(SelectorTest, HangupReportsReadable) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(b, EVENT_READ);
  a.close();
  auto ready = sel.select(5s);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].events, EVENT_READ);
  EXPECT_EQ(b.recv(16), "");  // EOF
}

TYPED_TEST(SelectorTest, TimeoutExpiresWithNothingReady) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(b, EVENT_READ);
  EXPECT_TRUE(sel.select(std::chrono::microseconds(100)).empty());  // rounded up to 1 ms
  EXPECT_TRUE(sel.select(-1s).empty());                             // negative polls
  EXPECT_TRUE(sel.select(20ms).empty());
}

// PEP 475: a signal during the wait is not an error; the wait goes on with the time left.
TYPED_TEST(SelectorTest, SignalDuringWaitIsRetried) {
  struct sigaction sa {};
  sa.sa_handler = [](int) {};  // no SA_RESTART: epoll_wait/poll fail with EINTR
  struct sigaction old {};
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(b, EVENT_READ, 5);
  pthread_t waiter = ::pthread_self();
  std::thread interrupter([&, &a = a] {
    for (int i = 0; i < 20; ++i) {
      ::pthread_kill(waiter, SIGUSR1);
      std::this_thread::sleep_for(5ms);
    }
    a.sendall("after signals");
  });
  std::vector<Ready> ready;
  EXPECT_NO_THROW(ready = sel.select(std::nullopt));  // blocks through the signals
  interrupter.join();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(std::any_cast<int>(ready[0].key.data), 5);
  ::sigaction(SIGUSR1, &old, nullptr);
}

TYPED_TEST(SelectorTest, ManyDescriptorsAllReported) {
  std::vector<std::pair<Socket, Socket>> pairs;
  TypeParam sel;
  for (int i = 0; i < 50; ++i) {
    pairs.push_back(loopback_pair());
    sel.register_(pairs.back().second, EVENT_READ, i);
  }
  for (int i = 0; i < 50; i += 2) pairs[static_cast<std::size_t>(i)].first.sendall("x");
  auto ready = sel.select(5s);
  // Data may still be in flight on loopback for a moment: collect until all 25 are seen.
  std::set<int> seen;
  for (int round = 0; round < 100 && seen.size() < 25; ++round) {
    for (auto [key, events] : ready) seen.insert(std::any_cast<int>(key.data));
    if (seen.size() < 25) ready = sel.select(100ms);
  }
  EXPECT_EQ(seen.size(), 25u);
  for (int i : seen) EXPECT_EQ(i % 2, 0);
}

TYPED_TEST(SelectorTest, ErrorsNameTheDescriptor) {
  auto [a, b] = loopback_pair();
  TypeParam sel;
  sel.register_(a, EVENT_READ);
  try {
    sel.register_(a, EVENT_WRITE);
    FAIL() << "registering twice must throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "selector: fd " + std::to_string(a.fileno()) + " is already registered");
  }
  try {
    sel.unregister(b);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "selector: fd " + std::to_string(b.fileno()) + " is not registered");
  }
  EXPECT_THROW(sel.modify(b, EVENT_READ), std::invalid_argument);
  EXPECT_THROW(sel.get_key(b), std::invalid_argument);
  EXPECT_THROW(sel.register_(b, 0), std::invalid_argument);
  EXPECT_THROW(sel.register_(b, 4), std::invalid_argument);
  EXPECT_THROW(sel.register_(-1, EVENT_READ), std::invalid_argument);
  EXPECT_THROW(sel.modify(a, 8), std::invalid_argument);
  // The failed calls changed nothing.
  EXPECT_EQ(sel.get_map().size(), 1u);
}

TEST(EpollSelector, KernelRefusalIsReported) {
  // epoll refuses regular files (EPERM); Python raises PermissionError the same way.
  EpollSelector sel;
  soket::test::TempUnixPath tmp;
  std::string path = tmp.dir() + "/file";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  try {
    sel.register_(::fileno(f), EVENT_READ);
    FAIL();
  } catch (const PermissionError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("selector register fd ", 0), 0u) << e.what();
  }
  std::fclose(f);
  std::remove(path.c_str());
  EXPECT_TRUE(sel.get_map().empty());
}

TEST(EpollSelector, CloseReleasesDescriptorAndIsIdempotent) {
  FdLeakGuard guard;
  {
    EpollSelector sel;
    EXPECT_GE(sel.fileno(), 0);
    EXPECT_EQ(sel.name(), "epoll");
    sel.close();
    EXPECT_EQ(sel.fileno(), -1);
    EXPECT_TRUE(sel.closed());
    sel.close();
    EXPECT_THROW(sel.select(0s), std::logic_error);
  }
  EXPECT_EQ(guard.leaked(), 0);
}

TEST(DefaultSelector, IsEpoll) {
  DefaultSelector sel;
  EXPECT_EQ(sel.name(), "epoll");
}

}  // namespace
}  // namespace soket::selectors
