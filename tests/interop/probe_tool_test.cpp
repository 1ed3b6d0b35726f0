// SPDX-License-Identifier: MIT
// `soket ping`, `soket scan` and `soket port` against the tools people know: iputils ping's
// output line by line (same regex per line, same fields), nmap -sT's open ports, sysctl's
// port ranges; the datagram ICMP socket and the "needs privilege" error in a network
// namespace the test makes; duplicates injected by a raw-socket peer; Ctrl-C statistics.
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  int status;
  std::string out, err;
};

Outcome run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 60s) {
  Child c(std::move(argv));
  c.close_stdin();
  Outcome r;
  r.out = c.read_all(timeout);
  r.err = c.read_stderr(10s);
  r.status = c.wait(timeout);
  return r;
}

Outcome tool(std::vector<std::string> args) {
  args.insert(args.begin(), soket_tool());
  return run(std::move(args));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// iputils 20221126's lines, one regex each (ping_common.c / ping.c / ping6_common.c).
const std::vector<std::pair<std::string, std::regex>>& shapes() {
  static const std::vector<std::pair<std::string, std::regex>> table = {
      {"head4", std::regex(R"(^PING (\S+) \((\S+)\) (\d+)\((\d+)\) bytes of data\.$)")},
      {"head6", std::regex(R"(^PING (\S+)\((\S+)\) (\d+) data bytes$)")},
      {"reply", std::regex(R"(^(\d+) bytes from (\S+|\S+ \(\S+\)): icmp_seq=(\d+) ttl=(\d+))"
                           R"(( time=(\d+|\d+\.\d{1,3}) ms)?( \(DUP!\))?$)")},
      {"blank", std::regex(R"(^$)")},
      {"stats", std::regex(R"(^--- (\S+) ping statistics ---$)")},
      {"summary", std::regex(R"(^(\d+) packets transmitted, (\d+) received(, \+(\d+) duplicates)?)"
                             R"(, (\d+(\.\d+)?)% packet loss, time (\d+)ms$)")},
      {"rtt",
       std::regex(R"(^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms$)")},
  };
  return table;
}

struct Line {
  std::string kind;
  std::smatch m;
  std::string text;
};

std::vector<Line> classify(const std::string& out) {
  std::vector<Line> result;
  for (auto& text : lines_of(out)) {
    Line l;
    l.text = text;
    for (const auto& [kind, re] : shapes())
      if (std::regex_match(l.text, l.m, re)) {
        l.kind = kind;
        break;
      }
    EXPECT_FALSE(l.kind.empty()) << "a line in no iputils shape: '" << text << "'";
    result.push_back(std::move(l));
  }
  // smatch points into text: rebuild after the vector settled.
  for (auto& l : result)
    for (const auto& [kind, re] : shapes())
      if (kind == l.kind) std::regex_match(l.text, l.m, re);
  return result;
}

std::vector<std::string> kinds(const std::vector<Line>& lines) {
  std::vector<std::string> k;
  for (const auto& l : lines) k.push_back(l.kind);
  return k;
}

// The same run of iputils ping and soket ping: same line kinds in the same order, and the same
// fields except times.
void same_as_iputils(const std::vector<std::string>& args) {
  std::vector<std::string> theirs{"ping"}, ours{soket_tool(), "ping"};
  theirs.insert(theirs.end(), args.begin(), args.end());
  ours.insert(ours.end(), args.begin(), args.end());
  Outcome a = run(theirs), b = run(ours);
  if (a.status != 0 && a.out.empty()) GTEST_SKIP() << "iputils ping failed here: " << a.err;
  SCOPED_TRACE("iputils:\n" + a.out + "soket:\n" + b.out + b.err);
  EXPECT_EQ(a.status, b.status);
  auto x = classify(a.out), y = classify(b.out);
  ASSERT_EQ(kinds(x), kinds(y));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto& k = x[i].kind;
    if (k == "head4" || k == "head6" || k == "stats") {
      EXPECT_EQ(x[i].text, y[i].text);
    } else if (k == "reply") {
      for (int g : {1, 2, 3, 4}) EXPECT_EQ(x[i].m[g], y[i].m[g]) << "group " << g;
      EXPECT_EQ(x[i].m[5].matched, y[i].m[5].matched) << "time shown by both or neither";
    } else if (k == "summary") {
      for (int g : {1, 2, 3, 5}) EXPECT_EQ(x[i].m[g], y[i].m[g]) << "group " << g;
    }
  }
}

TEST(PingTool, V4LinesMatchIputils) {
  same_as_iputils({"-c", "3", "-i", "0.2", "127.0.0.1"});
}

TEST(PingTool, V6LinesMatchIputils) {
  same_as_iputils({"-c", "3", "-i", "0.2", "::1"});
}

TEST(PingTool, QuietAndSizeAndTtlMatchIputils) {
  same_as_iputils({"-q", "-c", "2", "-i", "0.2", "-s", "300", "127.0.0.1"});
  same_as_iputils({"-c", "2", "-i", "0.2", "-s", "1200", "-t", "3", "::1"});
}

TEST(PingTool, SmallPayloadHasNoTimesAsIputils) {
  same_as_iputils({"-c", "2", "-i", "0.2", "-s", "8", "127.0.0.1"});
}

TEST(PingTool, LocalhostByNameMatchesIputils) {
  same_as_iputils({"-c", "2", "-i", "0.2", "-4", "localhost"});
}

// A peer on a raw socket answers every echo request to 127.0.0.7 a second time: each tool
// must print "(DUP!)" lines and count them in "+N duplicates".
TEST(PingTool, DuplicatesAreReportedAsIputilsDoes) {
  const char* echoer = R"(
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.bind(("127.0.0.7", 0))
print("ready", flush=True)
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
while True:
    pkt, (src, _) = s.recvfrom(65535)
    ihl = (pkt[0] & 15) * 4
    if pkt[16:20] != socket.inet_aton("127.0.0.7") or pkt[ihl] != 8: continue
    icmp = bytearray(pkt[ihl:])
    icmp[0] = 0; icmp[2:4] = b"\0\0"
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    s.sendto(bytes(icmp), (src, 0))
)";
  Child peer(python_argv(echoer));
  auto ready = peer.read_line(10s);
  if (!ready || *ready != "ready")
    GTEST_SKIP() << "no raw socket for the duplicating peer: " << peer.read_stderr();
  for (const std::string& program : {std::string("ping"), soket_tool()}) {
    std::vector<std::string> argv{program};
    if (program != "ping") argv.push_back("ping");
    for (const char* a : {"-c", "3", "-i", "0.3", "127.0.0.7"}) argv.emplace_back(a);
    Outcome r = run(argv);
    SCOPED_TRACE(program + ":\n" + r.out + r.err);
    auto lines = classify(r.out);
    int dups = 0;
    std::string counted;
    for (const auto& l : lines) {
      if (l.kind == "reply" && l.m[7].matched) ++dups;
      if (l.kind == "summary") counted = l.m[4];
    }
    EXPECT_GE(dups, 1);
    EXPECT_EQ(counted, std::to_string(dups));
    EXPECT_EQ(r.status, 0);
  }
}

TEST(PingTool, CtrlCPrintsTheStatistics) {
  Child c({soket_tool(), "ping", "-i", "0.2", "127.0.0.1"});
  ASSERT_TRUE(c.read_line());  // PING ...
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(c.read_line()) << "reply " << i;
  c.signal(SIGINT);
  std::string rest = c.read_all(20s);
  EXPECT_EQ(c.wait(20s), 0);
  auto k = kinds(classify(rest));
  // Perhaps one more reply arrived before the signal; then the statistics.
  while (!k.empty() && k.front() == "reply") k.erase(k.begin());
  EXPECT_EQ(k, (std::vector<std::string>{"blank", "stats", "summary", "rtt"})) << rest;
}

// `unshare -n` gives a namespace of our own, where ping_group_range can be set and only
// loopback exists; `setpriv` drops to nobody, who has no CAP_NET_RAW.
Outcome as_nobody_in_netns(const std::string& group_range, const std::vector<std::string>& args) {
  std::string cmd = "ip link set lo up && sysctl -qw net.ipv4.ping_group_range='" + group_range +
                    "' && exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all";
  for (const auto& a : args) cmd += " '" + a + "'";
  return run({"unshare", "-n", "sh", "-c", cmd});
}

bool can_make_netns() {
  return ::geteuid() == 0 && run({"unshare", "-n", "true"}).status == 0 &&
         run({"setpriv", "--version"}).status == 0;
}

TEST(PingTool, UnprivilegedUsesTheDatagramSocketWhereTheRangeAllowsIt) {
  if (!can_make_netns()) GTEST_SKIP() << "needs root, unshare -n and setpriv";
  Outcome r = as_nobody_in_netns("0 2147483647",
                                 {soket_tool(), "ping", "-c", "2", "-i", "0.2", "127.0.0.1"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  auto k = kinds(classify(r.out));
  EXPECT_EQ(std::count(k.begin(), k.end(), "reply"), 2) << r.out;
  // The same for iputils, to be sure the namespace really allowed it.
  Outcome theirs = as_nobody_in_netns("0 2147483647", {"ping", "-c", "1", "127.0.0.1"});
  EXPECT_EQ(theirs.status, 0) << theirs.out << theirs.err;
}

TEST(PingTool, NeitherSocketAllowedIsOneLineSayingWhatIsNeeded) {
  if (!can_make_netns()) GTEST_SKIP() << "needs root, unshare -n and setpriv";
  Outcome r = as_nobody_in_netns("1 0", {soket_tool(), "ping", "-c", "1", "127.0.0.1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("soket ping: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("ping_group_range, now 1 0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CAP_NET_RAW"), std::string::npos) << r.err;
}

TEST(PingTool, NoReplyIsTotalLossAndExitOneAsIputils) {
  if (!can_make_netns() || run({"nft", "--version"}).status != 0)
    GTEST_SKIP() << "needs root, unshare -n and nft";
  std::string drop =
      "ip link set lo up && nft add table ip t && nft add chain ip t c "
      "'{ type filter hook input priority 0; }' && nft add rule ip t c icmp type echo-reply drop"
      " && exec ";
  Outcome a = run({"unshare", "-n", "sh", "-c", drop + "ping -c 2 -i 0.2 -W 1 127.0.0.1"});
  Outcome b = run({"unshare", "-n", "sh", "-c",
                   drop + "'" + soket_tool() + "' ping -c 2 -i 0.2 -W 1 127.0.0.1"});
  EXPECT_EQ(a.status, 1);
  EXPECT_EQ(b.status, 1);
  auto x = classify(a.out), y = classify(b.out);
  EXPECT_EQ(kinds(x), kinds(y)) << a.out << "\n" << b.out;
  for (const auto& l : y)
    if (l.kind == "summary") {
      EXPECT_EQ(l.m[5], "100") << l.text;
    }
}

TEST(PingTool, HostileOptionsAreUsageErrors) {
  struct Bad {
    std::vector<std::string> args;
    std::string name;  // the option the message names
  };
  const std::vector<Bad> table = {
      {{"-c", "-1"}, "--count"},      {{"-c", "0"}, "--count"},        {{"-c", "1e400"}, "--count"},
      {{"-i", "nan"}, "--interval"},  {{"-i", "0.001"}, "--interval"}, {{"-i", "-1"}, "--interval"},
      {{"-W", "1e400"}, "--timeout"}, {{"-W", "0"}, "--timeout"},      {{"-s", "70000"}, "--size"},
      {{"-s", "-1"}, "--size"},       {{"-t", "0"}, "--ttl"},          {{"-t", "256"}, "--ttl"},
      {{"-4", "-6"}, "-6"},
  };
  for (auto bad : table) {
    bad.args.insert(bad.args.begin(), "ping");
    bad.args.push_back("127.0.0.1");
    Outcome r = tool(bad.args);
    EXPECT_EQ(r.status, 2) << bad.name << ": " << r.err;
    EXPECT_NE(r.err.find(bad.name), std::string::npos) << r.err;
  }
  Outcome r = tool({"ping", ""});
  EXPECT_EQ(r.status, 2);
  r = tool({"ping", "-6", "-c", "1", "127.0.0.1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "soket ping: 127.0.0.1 with -6: Address family not supported by protocol\n");
}

std::set<int> open_in_json(const std::string& out) {
  std::set<int> open;
  auto j = nlohmann::json::parse(out);
  for (const auto& p : j.at("ports"))
    if (p.at("state") == "open") open.insert(p.at("port").get<int>());
  return open;
}

std::set<int> open_in_nmap(const std::string& grepable) {
  // "Host: 127.0.0.1 ()	Ports: 22/open/tcp//ssh///, 8080/open/tcp//http-proxy///"
  std::set<int> open;
  std::regex re(R"((\d+)/open/tcp)");
  for (std::sregex_iterator it(grepable.begin(), grepable.end(), re), end; it != end; ++it)
    open.insert(std::stoi((*it)[1]));
  return open;
}

// In a namespace of its own only the test's listeners exist: a scan of all 65,535 ports by
// soket and by nmap must both find exactly them.
TEST(ScanTool, FindsExactlyTheListenersAllPortsAndNmapAgrees) {
  if (!can_make_netns()) GTEST_SKIP() << "needs root and unshare -n";
  if (run({"nmap", "--version"}).status != 0) GTEST_SKIP() << "nmap not installed";
  const char* script = R"(
import json, socket, subprocess, sys
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
ls = []
for port in [0, 0, 0, 22, 65535]:
    s = socket.socket(); s.bind(("127.0.0.1", port)); s.listen(); ls.append(s)
mine = subprocess.run([sys.argv[1], "scan", "--json", "127.0.0.1", "-"], capture_output=True, text=True)
nmap = subprocess.run(["nmap", "-sT", "-p-", "-n", "-oG", "-", "127.0.0.1"], capture_output=True, text=True)
print(json.dumps({"listeners": sorted(s.getsockname()[1] for s in ls), "soket": mine.stdout,
                  "soket_status": mine.returncode, "soket_err": mine.stderr, "nmap": nmap.stdout}))
)";
  Outcome r = run({"unshare", "-n", SOKET_PYTHON, "-c", script, soket_tool()}, 200s);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("soket_status"), 0) << j.at("soket_err");
  std::set<int> listeners;
  for (const auto& p : j.at("listeners")) listeners.insert(p.get<int>());
  auto soket = nlohmann::json::parse(j.at("soket").get<std::string>());
  EXPECT_EQ(soket.at("scanned"), 65535);
  EXPECT_EQ(soket.at("open"), listeners.size());
  EXPECT_EQ(soket.at("filtered"), 0);
  EXPECT_EQ(open_in_json(j.at("soket")), listeners);
  EXPECT_EQ(open_in_nmap(j.at("nmap")), listeners) << j.at("nmap");
}

TEST(ScanTool, TextOutputNamesServicesAndAgreesWithNmapOnLoopback) {
  std::vector<Socket> listeners;
  std::set<int> mine;
  for (int i = 0; i < 3; ++i) {
    listeners.push_back(listen_ephemeral());
    mine.insert(listeners.back().getsockname().port());
  }
  std::string range = std::to_string(*mine.begin()) + "-" + std::to_string(*mine.rbegin());
  std::string list;
  for (int p : mine) list += (list.empty() ? "" : ",") + std::to_string(p);
  Outcome r = tool({"scan", "127.0.0.1", list + ",ssh"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0], "Scan of 127.0.0.1: 4 ports");
  EXPECT_EQ(lines[1], "PORT       STATE     SERVICE");
  std::size_t i = 2;
  for (int p : mine) {
    std::string port = std::to_string(p) + "/tcp";
    EXPECT_EQ(lines[i++].substr(0, 20), port + std::string(11 - port.size(), ' ') + "open     ");
  }
  EXPECT_TRUE(std::regex_match(
      lines.back(), std::regex(R"(3 open, \d closed, 0 filtered; 4 ports in \d+\.\d\d s)")))
      << lines.back();
  // --all lists port 22 (ssh) too, whatever its state here.
  r = tool({"scan", "--all", "127.0.0.1", "ssh"});
  EXPECT_NE(r.out.find("22/tcp"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ssh"), std::string::npos) << r.out;
  // nmap agrees on our listeners (other tests may open ports in the range meanwhile).
  if (run({"nmap", "--version"}).status != 0) GTEST_SKIP() << "nmap not installed";
  Outcome n = run({"nmap", "-sT", "-n", "-p", list, "-oG", "-", "127.0.0.1"});
  EXPECT_EQ(open_in_nmap(n.out), mine) << n.out;
}

TEST(ScanTool, HostileArgumentsAreUsageErrors) {
  const std::vector<std::vector<std::string>> table = {
      {"127.0.0.1", "0"},
      {"127.0.0.1", "70000"},
      {"127.0.0.1", "5-1"},
      {"127.0.0.1", ""},
      {"127.0.0.1", "80,,81"},
      {"127.0.0.1", "nosuchservice-x"},
      {"127.0.0.1", "80", "-n", "0"},
      {"127.0.0.1", "80", "-w", "nan"},
      {"127.0.0.1", "80", "-w", "1e400"},
      {"", "80"},
  };
  for (auto args : table) {
    args.insert(args.begin(), "scan");
    Outcome r = tool(args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(lines_of(r.err).size(), 2u) << r.err;  // the message and "Run 'soket help'"
  }
}

TEST(PortTool, SaysWhatThePortIsHere) {
  Outcome r = tool({"port", "ssh"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0], "port:       22");
  EXPECT_EQ(lines[1], "category:   well-known (0-1023)");
  EXPECT_EQ(lines[2].rfind("services:   ssh/tcp", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("ephemeral:  no", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("privileged: yes", 0), 0u) << lines[4];
  r = tool({"port", "--json", "60000"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("category"), "dynamic");
  EXPECT_EQ(j.at("needs_privilege"), false);
  EXPECT_EQ(j.at("can_bind_here"), true);
  Outcome sysctl = run({"sysctl", "-n", "net.ipv4.ip_local_port_range"});
  if (sysctl.status == 0) {
    std::istringstream in(sysctl.out);
    int lo = 0, hi = 0;
    in >> lo >> hi;
    EXPECT_EQ(j.at("ephemeral_range"), nlohmann::json::array({lo, hi}));
    EXPECT_EQ(j.at("ephemeral"), lo <= 60000 && 60000 <= hi);
  }
  for (const char* bad : {"0", "70000", "1-5", "nosuchservice-x", "-1", "22-", "22,23"}) {
    Outcome b = tool({"port", bad});
    EXPECT_EQ(b.status, 2) << bad << ": " << b.err;
  }
}

}  // namespace
}  // namespace soket::test
