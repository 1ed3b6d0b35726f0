// SPDX-License-Identifier: MIT
// The engine's connect scan against listeners the test opens: exactly the open ports are
// found, a listener that never answers is filtered after the timeout, the in-flight bound
// holds, and a scan abandoned halfway leaks nothing.
#include <soket/event/scanner.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <soket/event/loop.hpp>
#include <soket/soket.hpp>

#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;
using event::PortState;

std::vector<std::uint16_t> span_around(const std::set<std::uint16_t>& open, int margin) {
  std::set<std::uint16_t> ports;
  for (auto p : open)
    for (int d = -margin; d <= margin; ++d) {
      int q = p + d;
      if (q >= 1 && q <= 65535) ports.insert(static_cast<std::uint16_t>(q));
    }
  return {ports.begin(), ports.end()};
}

TEST(Scanner, FindsExactlyTheOpenPortsV4AndV6) {
  for (Family f : {Family::inet, Family::inet6}) {
    const char* host = f == Family::inet ? "127.0.0.1" : "::1";
    std::vector<Socket> listeners;
    std::set<std::uint16_t> open;
    for (int i = 0; i < 5; ++i) {
      listeners.push_back(listen_ephemeral(f, host));
      open.insert(listeners.back().getsockname().port());
    }
    auto ports = span_around(open, 20);
    FdLeakGuard leaks;
    auto results = event::scan(Address(host, 0), ports, {.max_in_flight = 16, .timeout = 5s});
    EXPECT_EQ(leaks.leaked(), 0);
    ASSERT_EQ(results.size(), ports.size());
    std::set<std::uint16_t> found;
    for (std::size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].port, ports[i]) << "sorted, one per port";
      if (results[i].state == PortState::open) {
        found.insert(results[i].port);
        EXPECT_FALSE(results[i].error);
      } else if (!open.contains(results[i].port)) {
        // Anything else on loopback is refused at once (or another test's listener: open).
        EXPECT_EQ(results[i].state, PortState::closed) << results[i].port;
        EXPECT_EQ(results[i].error, std::errc::connection_refused);
      }
    }
    for (auto p : open) EXPECT_TRUE(found.contains(p)) << host << " port " << p;
  }
}

TEST(Scanner, AListenerThatNeverAnswersIsFilteredAfterTheTimeout) {
  FullBacklog full;  // SYNs to a full accept queue are dropped: no answer at all
  auto port = full.address().port();
  auto results = event::scan(Address("127.0.0.1", 0), {port}, {.timeout = 300ms});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].state, PortState::filtered);
  EXPECT_EQ(results[0].error, std::errc::timed_out);
}

TEST(Scanner, KeepsAtMostMaxInFlightAndReportsEveryPortOnce) {
  FullBacklog full;  // slow port, keeps connects in flight
  std::vector<Socket> listeners;
  std::vector<std::uint16_t> ports{full.address().port()};
  for (int i = 0; i < 40; ++i) ports.push_back(closed_port());
  for (int i = 0; i < 10; ++i) {
    listeners.push_back(listen_ephemeral());
    ports.push_back(listeners.back().getsockname().port());
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  event::Loop loop;
  std::size_t most = 0;
  std::multiset<std::uint16_t> seen;
  bool done = false;
  event::Scanner scanner(
      loop, Address("127.0.0.1", 0), ports, {.max_in_flight = 3, .timeout = 200ms},
      [&](const event::ScanResult& r) {
        seen.insert(r.port);
        most = std::max(most, scanner.in_flight());
      },
      [&] {
        done = true;
        loop.stop();
      });
  scanner.start();
  EXPECT_TRUE(seen.empty()) << "no callback inside start()";
  loop.call_after(30s, [&] { loop.stop(); });
  loop.run();
  EXPECT_TRUE(done);
  EXPECT_LE(most, 3u);
  EXPECT_EQ(seen, std::multiset<std::uint16_t>(ports.begin(), ports.end()));
}

TEST(Scanner, DestroyedHalfwayClosesItsSocketsAndCallsNothing) {
  FullBacklog full;
  FdLeakGuard leaks;
  int calls = 0;
  {
    event::Loop loop;
    auto scanner = std::make_unique<event::Scanner>(
        loop, Address("127.0.0.1", 0), std::vector<std::uint16_t>{full.address().port()},
        event::ScanOptions{.timeout = 10s}, [&](const event::ScanResult&) { ++calls; },
        [&] { ++calls; });
    scanner->start();
    loop.call_after(100ms, [&] {
      EXPECT_EQ(scanner->in_flight(), 1u);
      scanner.reset();
      loop.stop();
    });
    loop.run();
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(leaks.leaked(), 0);
}

TEST(Scanner, AnEmptyListEndsAtOnceAndAUnixAddressIsRefused) {
  EXPECT_TRUE(event::scan(Address("127.0.0.1", 0), {}).empty());
  event::Loop loop;
  EXPECT_THROW(event::Scanner(loop, Address::abstract("x"), {1}, {}, nullptr, nullptr), Error);
}

}  // namespace
}  // namespace soket::test
