// SPDX-License-Identifier: MIT
// pcap files: what PcapWriter writes, parse_pcap and tshark read back identically; damaged
// files are refused with a message naming the record.
#include <soket/diag/pcap_file.hpp>

#include <gtest/gtest.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <soket/diag/packet.hpp>
#include <soket/error.hpp>

#include "support/support.hpp"
#include "unit/frames.hpp"

using namespace soket::test;
using soket::diag::LinkType;
using soket::diag::parse_pcap;
using soket::diag::PcapWriter;

namespace {

struct TempFile {
  TempUnixPath dir;  // a private directory, removed with its contents
  std::string path = dir.dir() + "/capture.pcap";
  ~TempFile() { std::remove(path.c_str()); }
};

std::vector<std::uint8_t> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const Frame& sample(int i) {
  static const Frame frames[] = {ipv4(6, tcp(40000, 80, 1, 0, 0x02)), ipv4(17, udp(1, 53, "q")),
                                 ipv6(17, udp(5000, 6000, "hello")), arp(1)};
  return frames[i];
}

TEST(PcapFile, WrittenRecordsParseBack) {
  TempFile f;
  {
    PcapWriter w(f.path, LinkType::ethernet, 65535);
    for (int i = 0; i < 4; ++i)
      w.write(1700000000 + i, 123456u + static_cast<unsigned>(i), sample(i),
              static_cast<std::uint32_t>(sample(i).size()));
    w.close();
  }
  auto file = parse_pcap(slurp(f.path));
  EXPECT_EQ(file.link, LinkType::ethernet);
  EXPECT_EQ(file.snaplen, 65535u);
  ASSERT_EQ(file.records.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(file.records[static_cast<std::size_t>(i)].data, sample(i));
    EXPECT_EQ(file.records[static_cast<std::size_t>(i)].seconds, 1700000000 + i);
    EXPECT_EQ(file.records[static_cast<std::size_t>(i)].microseconds,
              123456u + static_cast<unsigned>(i));
  }
}

TEST(PcapFile, SnaplenCutsRecordsAndKeepsTheWireLength) {
  TempFile f;
  Frame big = ipv4(17, udp(1, 2, std::string(500, 'x')));
  {
    PcapWriter w(f.path, LinkType::ethernet, 100);
    w.write(1, 0, big, static_cast<std::uint32_t>(big.size()));
  }
  auto file = parse_pcap(slurp(f.path));
  ASSERT_EQ(file.records.size(), 1u);
  EXPECT_EQ(file.records[0].data.size(), 100u);
  EXPECT_EQ(file.records[0].wire_length, big.size());
}

TEST(PcapFile, TsharkReadsWhatWeWrite) {
  if (::access("/usr/bin/tshark", X_OK) != 0) GTEST_SKIP() << "tshark is not installed";
  TempFile f;
  {
    PcapWriter w(f.path, LinkType::ethernet, 262144);
    for (int i = 0; i < 4; ++i)
      w.write(1700000000, static_cast<unsigned>(i), sample(i),
              static_cast<std::uint32_t>(sample(i).size()));
  }
  Child t({"tshark", "-n", "-r", f.path, "-T", "fields", "-e", "frame.len", "-e", "frame.protocols",
           "-e", "udp.dstport", "-e", "arp.dst.proto_ipv4"});
  std::string out = t.read_all(std::chrono::seconds(60));
  ASSERT_EQ(t.wait(std::chrono::seconds(60)), 0) << t.read_stderr();
  std::ostringstream want;
  want << sample(0).size() << "\teth:ethertype:ip:tcp\t\t\n"
       << sample(1).size() << "\teth:ethertype:ip:udp:dns\t53\t\n"
       << sample(2).size() << "\teth:ethertype:ipv6:udp:data\t6000\t\n"
       << sample(3).size() << "\teth:ethertype:arp\t\t10.0.0.2\n";
  EXPECT_EQ(out, want.str());
}

TEST(PcapFile, DamagedFilesAreRefusedNamingTheRecord) {
  TempFile f;
  {
    PcapWriter w(f.path, LinkType::ethernet, 1000);
    w.write(1, 0, sample(0), 54);
    w.write(2, 0, sample(1), 43);
  }
  auto image = slurp(f.path);
  auto error = [](std::vector<std::uint8_t> bytes) { return error_of([&] { parse_pcap(bytes); }); };
  EXPECT_EQ(error({}), "pcap header: truncated");
  auto bad_magic = image;
  bad_magic[0] ^= 0xff;
  EXPECT_EQ(error(bad_magic), "pcap header: not a pcap file (bad magic)");
  auto cut = image;
  cut.resize(cut.size() - 1);
  EXPECT_EQ(error(cut), "pcap record 2: truncated");
  auto half_header = image;
  half_header.resize(24 + 16 + 54 + 8);
  EXPECT_EQ(error(half_header), "pcap record 2: header truncated");
  auto huge = image;
  huge[24 + 8] = 0xff, huge[24 + 9] = 0xff, huge[24 + 10] = 0xff, huge[24 + 11] = 0x7f;
  EXPECT_EQ(error(huge), "pcap record 1: length 2147483647 exceeds the snapshot length");
  auto bad_time = image;
  bad_time[24 + 4] = 0xff, bad_time[24 + 5] = 0xff, bad_time[24 + 6] = 0xff;
  EXPECT_EQ(error(bad_time), "pcap record 1: bad timestamp");
}

TEST(PcapFile, OtherByteOrderAndNanosecondFilesAreRead) {
  // A big-endian nanosecond-resolution file, as another machine might write it.
  Frame image;
  put32(image, 0xa1b23c4d);
  put16(image, 2);
  put16(image, 4);
  put32(image, 0);
  put32(image, 0);
  put32(image, 65535);
  put32(image, 1);
  Frame frame = sample(1);
  put32(image, 42);
  put32(image, 123456789);
  put32(image, static_cast<std::uint32_t>(frame.size()));
  put32(image, static_cast<std::uint32_t>(frame.size()));
  image.insert(image.end(), frame.begin(), frame.end());
  auto file = parse_pcap(image);
  ASSERT_EQ(file.records.size(), 1u);
  EXPECT_EQ(file.records[0].seconds, 42);
  EXPECT_EQ(file.records[0].microseconds, 123456u);
  EXPECT_EQ(file.records[0].data, frame);
}

TEST(PcapFile, UnwritablePathIsAnErrorNamingIt) {
  std::string what =
      error_of([] { PcapWriter w("/nonexistent-dir/x.pcap", LinkType::ethernet, 100); });
  EXPECT_EQ(what, "create /nonexistent-dir/x.pcap: No such file or directory");
  EXPECT_EQ(error_of([] { soket::diag::read_pcap("/nonexistent-dir/x.pcap"); }),
            "open /nonexistent-dir/x.pcap: No such file or directory");
}

TEST(PcapFile, FullDiskIsReported) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  std::string what = error_of([] {
    PcapWriter w("/dev/full", LinkType::ethernet, 100);
    w.write(1, 0, sample(0), 54);
    w.close();
  });
  EXPECT_EQ(what, "write /dev/full: No space left on device");
}

}  // namespace
