// SPDX-License-Identifier: MIT
// `soket sniff` on loopback while this test makes traffic: the pcap it writes is read by
// tshark with exactly the packets the filter names, its lines agree with tshark field by
// field, -r reads files back, and every bad option or file fails with one line. Capturing
// needs root or CAP_NET_RAW: those tests skip without it.
#include <gtest/gtest.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <soket/soket.hpp>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

using soket::test::Child;
using soket::test::soket_tool;

namespace {

bool have_tshark() {
  return ::access("/usr/bin/tshark", X_OK) == 0;
}

struct TempDir {
  soket::test::TempUnixPath dir;
  std::string file(const std::string& name) const { return dir.dir() + "/" + name; }
};

// `soket sniff ARGS` started and ready (its "listening on" line read), or a reason to skip.
struct Sniffer {
  explicit Sniffer(std::vector<std::string> args) {
    args.insert(args.begin(), {soket_tool(), "sniff"});
    child.emplace(args);
    auto line = child->read_err_line();
    if (line && line->rfind("listening on ", 0) == 0) return;
    skip = line.value_or("") + child->read_stderr();
  }
  std::optional<Child> child;
  std::string skip;  // why capture could not start (no privilege)
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One TCP exchange on loopback: connect, "hello", reply "world", close both ways.
void tcp_exchange(soket::Socket& listener) {
  soket::Socket client(soket::Family::inet);
  client.connect(listener.getsockname());
  auto [served, peer] = listener.accept();
  client.sendall("hello");
  EXPECT_EQ(served.recv(16), "hello");
  served.sendall("world");
  EXPECT_EQ(client.recv(16), "world");
  client.close();
  EXPECT_EQ(served.recv(16), "");
  served.close();
}

TEST(SniffTool, PcapOfTcpExchangeIsReadByTsharkAndFilterKeepsOnlyItsPort) {
  if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
  TempDir dir;
  std::string pcap = dir.file("tcp.pcap");
  soket::Socket listener(soket::Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(1);
  auto port = std::to_string(listener.getsockname().port());
  // SYN, SYN-ACK, ACK, data+ACK each way, FIN/ACK each way: at least 9 segments; capture 9.
  Sniffer s({"-i", "lo", "-c", "9", "-w", pcap, "tcp", "port", port});
  if (!s.skip.empty()) GTEST_SKIP() << "capture not possible here: " << s.skip;
  soket::Socket udp(soket::Family::inet, soket::Type::dgram);
  udp.sendto("noise", {"127.0.0.1", soket::test::closed_port()});  // not TCP: filtered out
  tcp_exchange(listener);
  ASSERT_EQ(s.child->wait(std::chrono::seconds(30)), 0) << s.child->read_stderr();
  std::string stats = s.child->read_stderr();
  EXPECT_NE(stats.find("9 packets captured"), std::string::npos) << stats;

  Child t({"tshark", "-n", "-r", pcap, "-T", "fields", "-e", "ip.proto", "-e", "tcp.srcport", "-e",
           "tcp.dstport", "-e", "tcp.payload"});
  auto out = lines_of(t.read_all(std::chrono::seconds(60)));
  ASSERT_EQ(t.wait(std::chrono::seconds(60)), 0) << t.read_stderr();
  ASSERT_EQ(out.size(), 9u);
  int hello = 0, world = 0;
  for (const auto& line : out) {
    EXPECT_EQ(line.rfind("6\t", 0), 0u) << line;  // TCP only
    EXPECT_NE(line.find("\t" + port + "\t"), std::string::npos) << line;
    hello += line.find("68656c6c6f") != std::string::npos;
    world += line.find("776f726c64") != std::string::npos;
  }
  EXPECT_EQ(hello, 1);
  EXPECT_EQ(world, 1);
}

// The lines `soket sniff -r` prints and tshark's fields for the same file, packet by packet.
TEST(SniffTool, LinesAgreeWithTsharkFieldByField) {
  if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
  TempDir dir;
  std::string pcap = dir.file("mixed.pcap");
  soket::Socket listener(soket::Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(1);
  soket::Socket u6(soket::Family::inet6, soket::Type::dgram);
  u6.bind({"::1", 0});
  auto tport = std::to_string(listener.getsockname().port());
  auto uport = std::to_string(u6.getsockname().port());
  Sniffer s({"-i", "lo", "-c", "11", "-w", pcap, "tcp port " + tport + " or udp port " + uport});
  if (!s.skip.empty()) GTEST_SKIP() << "capture not possible here: " << s.skip;
  soket::Socket sender(soket::Family::inet6, soket::Type::dgram);
  sender.sendto("abc", u6.getsockname());
  sender.sendto("", u6.getsockname());
  tcp_exchange(listener);
  ASSERT_EQ(s.child->wait(std::chrono::seconds(30)), 0) << s.child->read_stderr();

  Child ours({soket_tool(), "sniff", "-r", pcap});
  auto mine = lines_of(ours.read_all());
  ASSERT_EQ(ours.wait(), 0) << ours.read_stderr();
  Child t({"tshark", "-n",
           "-r",     pcap,
           "-T",     "fields",
           "-E",     "separator=|",
           "-e",     "ip.src",
           "-e",     "ipv6.src",
           "-e",     "tcp.srcport",
           "-e",     "udp.srcport",
           "-e",     "ip.dst",
           "-e",     "ipv6.dst",
           "-e",     "tcp.dstport",
           "-e",     "udp.dstport",
           "-e",     "tcp.seq_raw",
           "-e",     "tcp.ack_raw",
           "-e",     "tcp.window_size_value",
           "-e",     "tcp.len",
           "-e",     "udp.length",
           "-e",     "tcp.flags.syn",
           "-e",     "tcp.flags.fin",
           "-e",     "tcp.flags.push",
           "-e",     "tcp.flags.ack"});
  auto theirs = lines_of(t.read_all(std::chrono::seconds(60)));
  ASSERT_EQ(t.wait(std::chrono::seconds(60)), 0) << t.read_stderr();
  ASSERT_EQ(mine.size(), 11u);
  ASSERT_EQ(theirs.size(), mine.size());
  const std::regex tcp_line(
      R"(^\d\d:\d\d:\d\d\.\d{6} IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([SFRP.]+)\](, seq (\d+)(:\d+)?)?(, ack (\d+))?, win (\d+)(, options \[.*\])?, length (\d+)$)");
  const std::regex udp_line(
      R"(^\d\d:\d\d:\d\d\.\d{6} IP6 (\S+)\.(\d+) > (\S+)\.(\d+): UDP, length (\d+)$)");
  for (std::size_t i = 0; i < mine.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream in(theirs[i]);
    for (std::string field; std::getline(in, field, '|');) f.push_back(field);
    f.resize(17);
    std::smatch m;
    if (std::regex_match(mine[i], m, udp_line)) {
      EXPECT_EQ(m[1], f[1]);
      EXPECT_EQ(m[2], f[3]);
      EXPECT_EQ(m[3], f[5]);
      EXPECT_EQ(m[4], f[7]);
      EXPECT_EQ(std::stoi(m[5]), std::stoi(f[12]) - 8);
      continue;
    }
    ASSERT_TRUE(std::regex_match(mine[i], m, tcp_line)) << mine[i];
    EXPECT_EQ(m[1], f[0]) << mine[i];
    EXPECT_EQ(m[2], f[2]) << mine[i];
    EXPECT_EQ(m[3], f[4]) << mine[i];
    EXPECT_EQ(m[4], f[6]) << mine[i];
    std::string flags = m[5];
    EXPECT_EQ(flags.find('S') != std::string::npos, f[13] == "1" || f[13] == "True") << mine[i];
    EXPECT_EQ(flags.find('F') != std::string::npos, f[14] == "1" || f[14] == "True") << mine[i];
    EXPECT_EQ(flags.find('P') != std::string::npos, f[15] == "1" || f[15] == "True") << mine[i];
    EXPECT_EQ(flags.find('.') != std::string::npos, f[16] == "1" || f[16] == "True") << mine[i];
    if (m[7].matched) {
      EXPECT_EQ(m[7], f[8]) << mine[i];
    }
    if (m[10].matched) {
      EXPECT_EQ(m[10], f[9]) << mine[i];
    }
    EXPECT_EQ(m[11], f[10]) << mine[i];
    EXPECT_EQ(m[13], f[11]) << mine[i];
  }
  // -r with a filter keeps only what it names: the two datagrams.
  Child only_udp({soket_tool(), "sniff", "-r", pcap, "udp"});
  auto udp_lines = lines_of(only_udp.read_all());
  EXPECT_EQ(only_udp.wait(), 0);
  ASSERT_EQ(udp_lines.size(), 2u);
  EXPECT_TRUE(std::regex_match(udp_lines[0], udp_line)) << udp_lines[0];
  EXPECT_NE(udp_lines[0].find("UDP, length 3"), std::string::npos);
  EXPECT_NE(udp_lines[1].find("UDP, length 0"), std::string::npos);
}

TEST(SniffTool, LinesOnStdoutAndStatisticsOnInterrupt) {
  soket::Socket target(soket::Family::inet, soket::Type::dgram);
  target.bind({"127.0.0.1", 0});
  auto port = std::to_string(target.getsockname().port());
  Sniffer s({"-i", "lo", "udp", "port", port});
  if (!s.skip.empty()) GTEST_SKIP() << "capture not possible here: " << s.skip;
  soket::Socket sender(soket::Family::inet, soket::Type::dgram);
  sender.sendto("one", target.getsockname());
  sender.sendto("four", target.getsockname());
  auto first = s.child->read_line();
  auto second = s.child->read_line();
  ASSERT_TRUE(first && second);
  auto from = std::to_string(sender.getsockname().port());
  std::regex line(R"(^\d\d:\d\d:\d\d\.\d{6} IP 127\.0\.0\.1\.)" + from + R"( > 127\.0\.0\.1\.)" +
                  port + R"(: UDP, length (\d)$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(*first, m, line)) << *first;
  EXPECT_EQ(m[1], "3");
  ASSERT_TRUE(std::regex_match(*second, m, line)) << *second;
  EXPECT_EQ(m[1], "4");
  s.child->signal(SIGINT);
  EXPECT_EQ(s.child->wait(), 0);
  std::string err = s.child->read_stderr();
  EXPECT_NE(
      err.find("2 packets captured\n2 packets received by filter\n0 packets dropped by kernel"),
      std::string::npos)
      << err;
}

TEST(SniffTool, JsonIsOneObjectPerPacket) {
  soket::Socket target(soket::Family::inet, soket::Type::dgram);
  target.bind({"127.0.0.1", 0});
  auto port = std::to_string(target.getsockname().port());
  Sniffer s({"-i", "lo", "-c", "1", "--json", "udp dst port " + port});
  if (!s.skip.empty()) GTEST_SKIP() << "capture not possible here: " << s.skip;
  soket::Socket sender(soket::Family::inet, soket::Type::dgram);
  sender.sendto("json", target.getsockname());
  std::string out = s.child->read_all();
  EXPECT_EQ(s.child->wait(), 0);
  Child py(soket::test::python_argv(
      "import json,sys\nd=json.loads(sys.stdin.read())\nprint(d['wire_length'], d['captured'], "
      "d['summary'].endswith('UDP, length 4'))\n"));
  py.write_stdin(out);
  py.close_stdin();
  EXPECT_EQ(py.read_all(), "46 46 True\n") << out;
}

struct Failure {
  std::vector<std::string> args;
  int status;
  std::string message;  // the start of stderr's first line
};

TEST(SniffTool, BadInputFailsWithOneLine) {
  TempDir dir;
  std::string garbage = dir.file("garbage.pcap");
  std::FILE* f = std::fopen(garbage.c_str(), "w");
  std::fputs("this is not a capture file at all", f);
  std::fclose(f);
  const Failure cases[] = {
      {{"-c", "0"}, 2, "soket: "},
      {{"-c", "-1"}, 2, "soket: "},
      {{"-s", "10"}, 2, "soket: "},
      {{"-s", "nan"}, 2, "soket: "},
      {{"-r", garbage, "-w", dir.file("x.pcap")}, 2, "soket: "},
      {{"-r", dir.file("missing.pcap")}, 1, "soket sniff: open " + dir.file("missing.pcap")},
      {{"-r", garbage}, 1, "soket sniff: " + garbage + ": pcap header: not a pcap file"},
      {{"-i", "nosuch0", "-c", "1"}, 1, "soket sniff: capture on nosuch0: No such device"},
      {{"-i", "lo", "tcp", "prot", "80"}, 2, "soket: filter 'tcp prot 80': "},
  };
  for (const auto& c : cases) {
    auto args = c.args;
    args.insert(args.begin(), {soket_tool(), "sniff"});
    Child child(args);
    std::string out = child.read_all();
    std::string err = child.read_stderr();
    EXPECT_EQ(child.wait(), c.status) << args[2] << ": " << err;
    EXPECT_EQ(err.rfind(c.message, 0), 0u) << args[2] << ": " << err;
    EXPECT_TRUE(out.empty()) << out;
  }
}

}  // namespace

namespace {

// Without CAP_NET_RAW the capture cannot open: one line saying what is needed, exit 1. (Run as
// "nobody" through setpriv when this test is root; skipped otherwise.)
TEST(SniffTool, WithoutPrivilegeSaysWhatIsNeeded) {
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0)
    GTEST_SKIP() << "needs root and setpriv to drop privileges";
  Child c({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
           "--inh-caps=-all", soket_tool(), "sniff", "-i", "lo", "-c", "1"});
  std::string out = c.read_all();
  std::string err = c.read_stderr();
  if (err.find("setpriv") != std::string::npos) GTEST_SKIP() << err;
  EXPECT_EQ(c.wait(), 1) << err;
  EXPECT_EQ(err,
            "soket sniff: capture on lo: socket(AF_PACKET) (needs root or CAP_NET_RAW): "
            "Operation not permitted\n");
  EXPECT_TRUE(out.empty());
}

}  // namespace
