// SPDX-License-Identifier: MIT
// describe_packet: tcpdump -n -S lines for hand-built frames, and no crash, no over-read and a
// "[|proto]" marker for every frame cut short.
#include <soket/diag/packet.hpp>

#include <gtest/gtest.h>
#include <string>

#include "unit/frames.hpp"

using namespace soket::test;
using soket::diag::describe_packet;
using soket::diag::LinkType;

namespace {

std::string describe(const Frame& f) {
  return describe_packet(f, LinkType::ethernet, f.size());
}

Frame syn_options() {
  Frame o = {2, 4, 0xff, 0xd7, 4, 2, 8, 10};
  put32(o, 1000);
  put32(o, 0);
  put(o, {1, 3, 3, 7});
  return o;
}

TEST(PacketDescribe, TcpSynWithOptions) {
  Frame f = ipv4(6, tcp(40000, 8080, 123456, 0, 0x02, syn_options()));
  EXPECT_EQ(describe(f),
            "IP 127.0.0.1.40000 > 127.0.0.2.8080: Flags [S], seq 123456, win 65495, options "
            "[mss 65495,sackOK,TS val 1000 ecr 0,nop,wscale 7], length 0");
}

TEST(PacketDescribe, TcpDataAckAndFlagsInTcpdumpOrder) {
  EXPECT_EQ(describe(ipv4(6, tcp(1, 2, 100, 7, 0x18, {}, "hello"))),
            "IP 127.0.0.1.1 > 127.0.0.2.2: Flags [P.], seq 100:105, ack 7, win 65495, length 5");
  EXPECT_EQ(describe(ipv4(6, tcp(1, 2, 100, 7, 0x10))),
            "IP 127.0.0.1.1 > 127.0.0.2.2: Flags [.], ack 7, win 65495, length 0");
  EXPECT_EQ(describe(ipv4(6, tcp(1, 2, 5, 6, 0x11))),
            "IP 127.0.0.1.1 > 127.0.0.2.2: Flags [F.], seq 5, ack 6, win 65495, length 0");
  EXPECT_EQ(describe(ipv4(6, tcp(1, 2, 5, 0, 0x04))),
            "IP 127.0.0.1.1 > 127.0.0.2.2: Flags [R], seq 5, win 65495, length 0");
  EXPECT_EQ(describe(ipv4(6, tcp(1, 2, 5, 0, 0x00))),
            "IP 127.0.0.1.1 > 127.0.0.2.2: Flags [none], win 65495, length 0");
}

TEST(PacketDescribe, UdpOverIpv4AndIpv6) {
  EXPECT_EQ(describe(ipv4(17, udp(5353, 9999, "abc"))),
            "IP 127.0.0.1.5353 > 127.0.0.2.9999: UDP, length 3");
  EXPECT_EQ(describe(ipv6(17, udp(5000, 6000, "hello"))), "IP6 ::1.5000 > ::2.6000: UDP, length 5");
}

TEST(PacketDescribe, Icmp) {
  EXPECT_EQ(describe(ipv4(1, icmp_echo(8, 77, 3, 56))),
            "IP 127.0.0.1 > 127.0.0.2: ICMP echo request, id 77, seq 3, length 64");
  EXPECT_EQ(describe(ipv4(1, icmp_echo(0, 77, 3, 56))),
            "IP 127.0.0.1 > 127.0.0.2: ICMP echo reply, id 77, seq 3, length 64");
  EXPECT_EQ(describe(ipv6(58, icmp_echo(128, 1, 2, 8))),
            "IP6 ::1 > ::2: ICMP6, echo request, id 1, seq 2, length 16");
  // Port unreachable quotes the offending datagram: name its destination and port.
  Frame quoted = ipv4(17, udp(4000, 9, "x"), {127, 0, 0, 2}, {127, 0, 0, 1});
  Frame unreach = {3, 3, 0, 0, 0, 0, 0, 0};
  unreach.insert(unreach.end(), quoted.begin() + 14, quoted.end());
  EXPECT_EQ(describe(ipv4(1, unreach)),
            "IP 127.0.0.1 > 127.0.0.2: ICMP 127.0.0.1 udp port 9 unreachable, length 37");
}

TEST(PacketDescribe, Arp) {
  EXPECT_EQ(describe(arp(1)), "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28");
  EXPECT_EQ(describe(arp(2)), "ARP, Reply 10.0.0.1 is-at 02:00:00:00:00:01, length 28");
}

TEST(PacketDescribe, VlanTagAndUnknownEthertype) {
  Frame f = ipv4(17, udp(1, 2, ""));
  Frame tagged(f.begin(), f.begin() + 12);
  put(tagged, {0x81, 0x00, 0x20, 0x0a});  // priority 1, VLAN 10
  tagged.insert(tagged.end(), f.begin() + 12, f.end());
  EXPECT_EQ(describe(tagged), "vlan 10, p 1, IP 127.0.0.1.1 > 127.0.0.2.2: UDP, length 0");
  Frame lldp = ethernet(0x88cc);
  lldp.resize(60);
  EXPECT_EQ(describe(lldp), "ethertype 0x88cc, length 46");
}

TEST(PacketDescribe, RawAndCookedLinkTypes) {
  Frame f = ipv4(17, udp(1, 2, "zz"));
  Frame raw(f.begin() + 14, f.end());
  EXPECT_EQ(describe_packet(raw, LinkType::raw, raw.size()),
            "IP 127.0.0.1.1 > 127.0.0.2.2: UDP, length 2");
  Frame sll = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
  sll.insert(sll.end(), raw.begin(), raw.end());
  EXPECT_EQ(describe_packet(sll, LinkType::linux_sll, sll.size()),
            "IP 127.0.0.1.1 > 127.0.0.2.2: UDP, length 2");
}

TEST(PacketDescribe, SnappedFrameSaysHowMuchWasCaptured) {
  Frame f = ipv4(17, udp(1, 2, std::string(100, 'p')));
  EXPECT_EQ(describe_packet(std::span(f).first(60), LinkType::ethernet, f.size()),
            "IP 127.0.0.1.1 > 127.0.0.2.2: UDP, length 100 [captured 60 of 142]");
}

// Hostile input: every prefix of every frame, and lying length fields.
TEST(PacketDescribe, EveryTruncationEndsInAMarkerNeverACrash) {
  const Frame frames[] = {ipv4(6, tcp(1, 2, 3, 4, 0x12, syn_options(), "data")),
                          ipv6(17, udp(1, 2, "x")), ipv4(1, icmp_echo(8, 1, 1, 8)), arp(1),
                          ipv6(58, icmp_echo(128, 1, 1, 4))};
  for (const Frame& f : frames) {
    for (std::size_t n = 0; n < f.size(); ++n) {
      Frame cut(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
      std::string line = describe_packet(cut, LinkType::ethernet, cut.size());
      EXPECT_FALSE(line.empty());
      // A cut inside a header says so; a cut in the payload is still a whole description.
      if (n < 14) {
        EXPECT_EQ(line, "[|ether]");
      }
    }
  }
  Frame liar = ipv4(6, tcp(1, 2, 3, 4, 0x10));
  liar[14] = 0x4f;                   // IHL 60 bytes: more than the frame has
  liar[16] = 0xff, liar[17] = 0xff;  // total length 65535
  EXPECT_NO_THROW(describe(liar));
  Frame bad_hlen = ipv4(6, tcp(1, 2, 3, 4, 0x10));
  bad_hlen[14] = 0x41;
  EXPECT_EQ(describe(bad_hlen), "IP bad-hlen 4");
  Frame tcp_doff = ipv4(6, tcp(1, 2, 3, 4, 0x10));
  tcp_doff[14 + 20 + 12] = 0x10;  // data offset 4 bytes
  EXPECT_NE(describe(tcp_doff).find("bad hdr length 4"), std::string::npos);
  Frame opts = ipv4(6, tcp(1, 2, 3, 4, 0x02, {2, 0, 1, 1}));  // option length 0
  EXPECT_NE(describe(opts).find("[|tcp]"), std::string::npos) << describe(opts);
}

}  // namespace
