// SPDX-License-Identifier: MIT
// compile_filter: libpcap's compiler turns tcpdump expressions into classic BPF that keeps
// exactly what it names; bad expressions are refused with libpcap's reason.
#include <soket/diag/filter.hpp>

#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

#include "support/support.hpp"
#include "unit/frames.hpp"

using namespace soket::test;
using soket::diag::compile_filter;
using soket::diag::LinkType;

namespace {

bool keeps(const std::string& expression, const Frame& f) {
  auto program = compile_filter(expression, LinkType::ethernet, 262144);
  return soket::diag::run_filter(program, f, static_cast<std::uint32_t>(f.size())) != 0;
}

TEST(Filter, KeepsExactlyWhatItNames) {
  Frame http = ipv4(6, tcp(40000, 80, 1, 0, 0x02));
  Frame other = ipv4(6, tcp(40000, 81, 1, 0, 0x02));
  Frame dns = ipv4(17, udp(1000, 53, "q"));
  EXPECT_TRUE(keeps("tcp port 80", http));
  EXPECT_FALSE(keeps("tcp port 80", other));
  EXPECT_FALSE(keeps("tcp port 80", dns));
  EXPECT_TRUE(keeps("udp and dst port 53", dns));
  EXPECT_TRUE(keeps("arp", arp(1)));
  EXPECT_FALSE(keeps("arp", dns));
  EXPECT_TRUE(keeps("ip6 and udp port 6000", ipv6(17, udp(5000, 6000, "x"))));
  EXPECT_TRUE(keeps("host 127.0.0.2 and not port 81", http));
  EXPECT_TRUE(keeps("", other));  // no expression: everything
}

TEST(Filter, ProgramIsClassicBpfEndingInAReturn) {
  auto program = compile_filter("tcp port 80", LinkType::ethernet, 262144);
  ASSERT_FALSE(program.empty());
  EXPECT_EQ(program.back().code & 0x07, 0x06);  // BPF_RET
}

TEST(Filter, BadExpressionsNameTheExpressionAndTheReason) {
  for (const char* bad : {"tcp prot 80", "port 99999", "host 300.1.1.1", "(tcp", "&&"}) {
    std::string what = error_of([&] { compile_filter(bad, LinkType::ethernet, 262144); });
    EXPECT_EQ(what.rfind(std::string("filter '") + bad + "': ", 0), 0u) << what;
    EXPECT_GT(what.size(), std::string(bad).size() + 12) << what;
  }
}

}  // namespace
