// SPDX-License-Identifier: MIT
// Capture on loopback (needs root or CAP_NET_RAW; skips otherwise): datagrams this test sends
// arrive once each (loopback's outgoing duplicates dropped), the kernel filter keeps only what
// it names, with the ring and without it.
#include <soket/diag/capture.hpp>

#include <gtest/gtest.h>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <soket/diag/filter.hpp>
#include <soket/diag/packet.hpp>
#include <soket/error.hpp>
#include <soket/soket.hpp>

#include "support/support.hpp"

using soket::diag::Capture;

namespace {

std::optional<Capture> open_or_skip(Capture::Options options, std::string& why) {
  try {
    return std::optional<Capture>(std::in_place, options);
  } catch (const soket::PermissionError& e) {
    why = e.what();
  }
  return std::nullopt;
}

class CaptureTest : public ::testing::TestWithParam<bool> {};

TEST_P(CaptureTest, FilterKeepsOnlyTheNamedPortAndEachPacketOnce) {
  soket::Socket target(soket::Family::inet, soket::Type::dgram);
  target.bind({"127.0.0.1", 0});
  soket::Socket other(soket::Family::inet, soket::Type::dgram);
  other.bind({"127.0.0.1", 0});
  auto port = target.getsockname().port();
  Capture::Options options;
  options.interface = "lo";
  options.ring = GetParam();
  options.filter = soket::diag::compile_filter("udp dst port " + std::to_string(port),
                                               soket::diag::LinkType::ethernet, options.snaplen);
  std::string why;
  auto cap = open_or_skip(options, why);
  if (!cap) GTEST_SKIP() << "capture needs root or CAP_NET_RAW: " << why;
  EXPECT_EQ(cap->link_type(), soket::diag::LinkType::ethernet);
  EXPECT_EQ(cap->uses_ring(), GetParam());

  soket::Socket sender(soket::Family::inet, soket::Type::dgram);
  for (int i = 1; i <= 5; ++i) {
    sender.sendto(std::string(static_cast<std::size_t>(i), 'a'), target.getsockname());
    sender.sendto("noise", other.getsockname());
  }
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (lines.size() < 5 && std::chrono::steady_clock::now() < deadline) {
    cap->dispatch(std::chrono::milliseconds(200), [&](const soket::diag::CapturedPacket& p) {
      lines.push_back(soket::diag::describe_packet(p.data, cap->link_type(), p.wire_length));
    });
  }
  // Anything more (a duplicate, the noise) would arrive within the ring's 50 ms block timeout.
  cap->dispatch(std::chrono::milliseconds(300), [&](const soket::diag::CapturedPacket& p) {
    lines.push_back(soket::diag::describe_packet(p.data, cap->link_type(), p.wire_length));
  });
  ASSERT_EQ(lines.size(), 5u);
  auto from = std::to_string(sender.getsockname().port());
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ(lines[i], "IP 127.0.0.1." + from + " > 127.0.0.1." + std::to_string(port) +
                            ": UDP, length " + std::to_string(i + 1));
  EXPECT_EQ(cap->stats().received, 5u);
}

INSTANTIATE_TEST_SUITE_P(RingAndRecvfrom, CaptureTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "ring" : "recvfrom";
                         });

TEST(Capture, UnknownInterfaceIsNamed) {
  Capture::Options options;
  options.interface = "nosuch0";
  std::string what = soket::test::error_of([&] { Capture c(options); });
  EXPECT_EQ(what, "capture on nosuch0: No such device");
  options.interface = "any";
  EXPECT_EQ(soket::test::error_of([&] { Capture c(options); }),
            "capture on any: Operation not supported");
}

}  // namespace
