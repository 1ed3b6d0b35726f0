// SPDX-License-Identifier: MIT
// `soket broadcast` and `soket listen -u --join` between two hosts: two network namespaces
// this test creates (each held by a `sleep`), joined by a veth pair on 10.77.0.0/24. Needs
// root (CAP_SYS_ADMIN and CAP_NET_ADMIN); skips with the reason otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

std::string netns_of(pid_t pid) {
  char buf[64] = {};
  std::string link = "/proc/" + std::to_string(pid) + "/ns/net";
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

// A host: a process asleep in a network namespace of its own.
struct Host {
  Host() : sleeper({"unshare", "-n", "sleep", "600"}) {
    std::string ours = netns_of(::getpid());
    for (int i = 0; i < 500 && (netns_of(sleeper.pid()).empty() || netns_of(sleeper.pid()) == ours);
         ++i)
      std::this_thread::sleep_for(10ms);
    ready = !netns_of(sleeper.pid()).empty() && netns_of(sleeper.pid()) != ours;
  }
  std::string pid() const { return std::to_string(sleeper.pid()); }
  // argv run inside this host's namespace.
  std::vector<std::string> in(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"nsenter", "-t", pid(), "-n"});
    return argv;
  }
  int run(std::vector<std::string> argv) const {
    Child c(in(std::move(argv)));
    c.close_stdin();
    c.read_all(30s);
    return c.wait(30s);
  }
  std::string output(std::vector<std::string> argv) const {
    Child c(in(std::move(argv)));
    c.close_stdin();
    std::string out = c.read_all(30s);
    c.wait(30s);
    return out;
  }
  Child sleeper;
  bool ready = false;
};

struct Result {
  int status;
  std::string out, err;
};

Result finish(Child& c) {
  Result r;
  r.out = c.read_all(60s);
  r.err = c.read_stderr(10s);
  r.status = c.wait(60s);
  return r;
}

// Hosts a (10.77.0.1) and b (10.77.0.2) on one link.
class BroadcastTool : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces";
    if (std::system("command -v nsenter >/dev/null && command -v ip >/dev/null") != 0)
      GTEST_SKIP() << "needs nsenter (util-linux) and ip (iproute2)";
    a_ = std::make_unique<Host>();
    b_ = std::make_unique<Host>();
    if (!a_->ready || !b_->ready) GTEST_SKIP() << "unshare -n failed: no network namespaces here";
    ASSERT_EQ(a_->run({"ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns",
                       b_->pid()}),
              0);
    for (auto [host, dev, ip] :
         {std::tuple{a_.get(), "va", "10.77.0.1/24"}, std::tuple{b_.get(), "vb", "10.77.0.2/24"}}) {
      ASSERT_EQ(host->run({"ip", "link", "set", "lo", "up"}), 0);
      ASSERT_EQ(host->run({"ip", "addr", "add", ip, "brd", "+", "dev", dev}), 0);
      ASSERT_EQ(host->run({"ip", "link", "set", dev, "up"}), 0);
    }
    // A veth end comes up a moment after `ip link set up`; what is sent before is dropped.
    for (auto [host, dev] : {std::pair{a_.get(), "va"}, std::pair{b_.get(), "vb"}}) {
      bool up = false;
      for (int i = 0; i < 1000 && !up; ++i) {
        up = host->output({"ip", "-o", "link", "show", "dev", dev}).find("state UP") !=
             std::string::npos;
        if (!up) std::this_thread::sleep_for(10ms);
      }
      ASSERT_TRUE(up) << dev << " did not come up";
    }
  }
  // `soket ARGS` on host h.
  std::vector<std::string> soket(const Host& h, std::vector<std::string> args) {
    args.insert(args.begin(), soket_tool());
    return h.in(std::move(args));
  }
  std::unique_ptr<Host> a_, b_;
};

TEST_F(BroadcastTool, BroadcastReachesTheOtherHostAndItsReplyComesBack) {
  Child listener(soket(*b_, {"listen", "-u", "-k", "-v", "0.0.0.0", "5000"}));
  ASSERT_NE(listener.read_err_line().value_or(""), "") << listener.read_stderr();
  Child sender(soket(*a_, {"broadcast", "-w", "10", "--json", "10.77.0.255", "5000"}));
  sender.write_stdin("anyone?\n");  // each stdin line is one datagram
  sender.close_stdin();
  EXPECT_EQ(listener.read_line(), "anyone?");
  listener.write_stdin("me, b\n");  // goes back to the latest sender: the broadcaster
  Result r = finish(sender);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, R"({"data":"me, b\n","from":"10.77.0.2","port":5000})"
                   "\n");
  listener.signal(SIGTERM);
  listener.wait();
}

TEST_F(BroadcastTool, WithoutSoBroadcastTheKernelWouldRefuseItSoTheToolSetsIt) {
  // Linux refuses sendto a broadcast address without SO_BROADCAST (EACCES): the plain
  // datagram client shows the refusal the broadcast command exists to avoid.
  Child client(soket(*a_, {"client", "--proto", "udp", "-w", "1", "10.77.0.255:5000", "x"}));
  Result plain = finish(client);
  EXPECT_EQ(plain.status, 1);
  EXPECT_NE(plain.err.find("Permission denied"), std::string::npos) << plain.err;
  Child sender(soket(*a_, {"broadcast", "10.77.0.255", "5000", "x"}));
  EXPECT_EQ(finish(sender).status, 0);
}

TEST_F(BroadcastTool, MulticastReachesAMemberOfTheGroup) {
  Child member(soket(
      *b_, {"listen", "-u", "-v", "--join", "239.1.2.3", "--interface", "10.77.0.2", "5000"}));
  ASSERT_NE(member.read_err_line().value_or(""), "") << member.read_stderr();
  // The join is the kernel's: b's link now lists the group.
  Child maddr(b_->in({"ip", "maddr", "show", "dev", "vb"}));
  EXPECT_NE(maddr.read_all(30s).find("239.1.2.3"), std::string::npos);
  Child sender(soket(
      *a_, {"broadcast", "-v", "--ttl", "1", "--interface", "10.77.0.1", "239.1.2.3", "5000"}));
  sender.write_stdin("to the group\n");  // each stdin line is one datagram
  sender.close_stdin();
  Result r = finish(sender);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "Sent 1 datagram(s) to 239.1.2.3 5000\n");
  EXPECT_EQ(member.read_line(), "to the group") << member.read_stderr();
  member.signal(SIGTERM);
  member.wait();
}

TEST_F(BroadcastTool, MulticastLoopDecidesWhetherThisHostHearsItself) {
  for (bool loop : {true, false}) {
    // -w 3: the member gives up once nothing has come for 3 s.
    Child member(soket(*a_, {"listen", "-u", "-v", "-w", "3", "--join", "239.1.2.4", "--interface",
                             "10.77.0.1", "5001"}));
    ASSERT_NE(member.read_err_line().value_or(""), "") << member.read_stderr();
    std::vector<std::string> args = {"broadcast", "--interface", "10.77.0.1",
                                     "239.1.2.4", "5001",        "echo"};
    if (!loop) args.insert(args.begin() + 1, "--no-loop");
    Child sender(soket(*a_, args));
    EXPECT_EQ(finish(sender).status, 0);
    Result heard = finish(member);
    EXPECT_EQ(heard.status, 0) << heard.err;
    EXPECT_EQ(heard.out, loop ? "echo" : "") << (loop ? "loop on" : "--no-loop");
  }
}

TEST_F(BroadcastTool, MulticastWithoutARouteIsAOneLineError) {
  // Host a has no default route and no multicast route: the kernel has nowhere to send.
  Child sender(soket(*a_, {"broadcast", "239.1.2.3", "5000", "x"}));
  Result r = finish(sender);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "soket broadcast: sendto 239.1.2.3:5000: Network is unreachable\n");
}

}  // namespace
}  // namespace soket::test
