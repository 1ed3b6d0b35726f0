// SPDX-License-Identifier: MIT
// `soket connect` / `soket listen` against OpenBSD nc and socat, in both roles, over TCP, UDP
// and Unix sockets: 10 MiB of random bytes arrive identical, half-close behaves as nc -N, and
// the options (-z -w -k -C -u -U -4/-6) and their failures do what they say.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// 10 MiB over TCP; 1 MiB in sanitizer builds, whose slowed peers would make the runs long.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::size_t payload_size = 1u << 20;
#else
constexpr std::size_t payload_size = 10u << 20;
#endif
// 1 MiB over UDP: it fits in the receivers' 4 MiB buffers (about 1.3 MiB of kernel memory as
// 16 KiB datagrams), so a receiver starved of CPU on a loaded machine still loses nothing.
constexpr std::size_t udp_payload_size = 1u << 20;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A shell command line run as a child: redirections to files keep 10 MiB out of pipes.
std::vector<std::string> sh(const std::string& script) {
  return {"/bin/sh", "-c", script};
}

std::string soket() {
  return "'" + soket_tool() + "'";
}

// Reads the child's stderr until a line matches `re`; its first group is the answer (a port).
std::string wait_for_line(Child& c, const std::string& re) {
  std::regex pattern(re);
  std::string seen;
  for (int i = 0; i < 20; ++i) {
    auto line = c.read_err_line(30s);
    if (!line) break;
    std::smatch m;
    if (std::regex_search(*line, m, pattern)) return m.size() > 1 ? m[1].str() : *line;
    seen += *line + "\n";
  }
  ADD_FAILURE() << "no line matching /" << re << "/ on stderr; saw:\n" << seen;
  return "";
}

// A port no one uses, for the peers that cannot listen on port 0 and say which they got.
std::uint16_t free_port(Type type) {
  Socket s(Family::inet, type);
  s.bind({"127.0.0.1", 0});
  return s.getsockname().port();
}

// A private directory with the 10 MiB input, the received output and a Unix socket path.
class NcTool : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* p : {"nc", "socat"})
      if (!have(p)) GTEST_SKIP() << p << " is not installed (scripts/setup.sh installs it)";
    std::string dir = tmp_.dir();
    in_ = dir + "/in.bin";
    out_ = dir + "/out.bin";
    sock_ = tmp_.path();
    std::mt19937_64 gen(std::random_device{}());
    std::string data(payload_size, '\0');
    for (auto& c : data) c = static_cast<char>(gen());
    std::ofstream(in_, std::ios::binary) << data;
  }
  // The UDP tests send the first udp_payload_size bytes of the input.
  void use_udp_payload() {
    fs::resize_file(in_, udp_payload_size);
    expected_ = udp_payload_size;
  }
  // The sender ends first, having sent all of in.bin, then the receiver: both exit 0 and the
  // receiver wrote exactly what was sent.
  void expect_transfer(Child& sender, Child& receiver) {
    EXPECT_EQ(sender.wait(120s), 0) << sender.read_stderr();
    EXPECT_EQ(receiver.wait(60s), 0) << receiver.read_stderr();
    expect_identical();
  }
  void expect_identical() {
    std::string a = slurp(in_), b = slurp(out_);
    EXPECT_EQ(b.size(), a.size());
    EXPECT_TRUE(a == b) << "the received bytes differ from the sent ones";
  }
  // UDP has no end of stream: wait until the receiver has written everything (or stops
  // growing for a few seconds, a lost datagram).
  bool wait_for_output_size() {
    std::uintmax_t last = 0;
    for (int still = 0; still < 50;) {
      std::error_code ec;
      std::uintmax_t size = fs::file_size(out_, ec);
      if (!ec && size >= expected_) return true;
      still = size == last ? still + 1 : 0;
      last = size;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  TempUnixPath tmp_;
  std::string in_, out_, sock_;
  std::size_t expected_ = payload_size;
};

// ---- TCP ----

TEST_F(NcTool, TcpConnectToOpenBsdNcListener) {
  std::string port = std::to_string(free_port(Type::stream));
  Child peer(sh("exec nc -n -l -v 127.0.0.1 " + port + " < /dev/null > " + out_));
  wait_for_line(peer, "Listening on");
  Child me(sh("exec " + soket() + " connect 127.0.0.1 " + port + " < " + in_));
  expect_transfer(me, peer);
}

TEST_F(NcTool, TcpOpenBsdNcConnectsToListen) {
  Child me(sh("exec " + soket() + " listen -v 127.0.0.1 0 < /dev/null > " + out_));
  std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
  Child peer(sh("exec nc -n -N 127.0.0.1 " + port + " < " + in_ + " > /dev/null"));
  expect_transfer(peer, me);
}

TEST_F(NcTool, TcpConnectToSocatListener) {
  Child peer(sh("exec socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1 CREATE:" + out_));
  std::string port = wait_for_line(peer, R"(listening on AF=2 127\.0\.0\.1:(\d+))");
  Child me(sh("exec " + soket() + " connect 127.0.0.1 " + port + " < " + in_));
  expect_transfer(me, peer);
}

TEST_F(NcTool, TcpSocatConnectsToListen) {
  Child me(sh("exec " + soket() + " listen -v 0 < /dev/null > " + out_));
  std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
  Child peer(sh("exec socat -u FILE:" + in_ + " TCP:127.0.0.1:" + port));
  expect_transfer(peer, me);
}

TEST_F(NcTool, Ipv6OpenBsdNcConnectsToListen) {
  Child me(sh("exec " + soket() + " listen -6 -v 0 < /dev/null > " + out_));
  std::string port = wait_for_line(me, R"(Listening on ::1 (\d+)$)");
  Child peer(sh("exec nc -6 -n -N ::1 " + port + " < " + in_ + " > /dev/null"));
  expect_transfer(peer, me);
}

TEST_F(NcTool, Ipv6ConnectToOpenBsdNcListener) {
  std::string port = std::to_string(free_port(Type::stream));
  Child peer(sh("exec nc -6 -n -l -v ::1 " + port + " < /dev/null > " + out_));
  wait_for_line(peer, "Listening on");
  Child me(sh("exec " + soket() + " connect -6 ::1 " + port + " < " + in_));
  expect_transfer(me, peer);
}

// ---- Unix stream ----

TEST_F(NcTool, UnixConnectToOpenBsdNcListener) {
  Child peer(sh("exec nc -l -v -U " + sock_ + " < /dev/null > " + out_));
  wait_for_line(peer, "Listening on");
  Child me(sh("exec " + soket() + " connect -U " + sock_ + " < " + in_));
  expect_transfer(me, peer);
}

TEST_F(NcTool, UnixOpenBsdNcConnectsToListen) {
  Child me(sh("exec " + soket() + " listen -v -U " + sock_ + " < /dev/null > " + out_));
  wait_for_line(me, "Bound on");
  Child peer(sh("exec nc -N -U " + sock_ + " < " + in_ + " > /dev/null"));
  expect_transfer(peer, me);
  EXPECT_FALSE(fs::exists(sock_)) << "listen -U leaves no socket file behind";
}

TEST_F(NcTool, UnixSocatBothRoles) {
  {
    Child peer(sh("exec socat -d -d -u UNIX-LISTEN:" + sock_ + " CREATE:" + out_));
    wait_for_line(peer, "listening on");
    Child me(sh("exec " + soket() + " connect -U " + sock_ + " < " + in_));
    expect_transfer(me, peer);
  }
  fs::remove(out_);
  fs::remove(sock_);
  Child me(sh("exec " + soket() + " listen -v -U " + sock_ + " < /dev/null > " + out_));
  wait_for_line(me, "Bound on");
  Child peer(sh("exec socat -u FILE:" + in_ + " UNIX-CONNECT:" + sock_));
  expect_transfer(peer, me);
}

// ---- UDP ----
// A datagram the receiver had no room for is lost, which is UDP, not a bug: the receivers get
// 4 MiB buffers (nc -I, socat rcvbuf, listen's own) and a run that lost one is tried again.
// What must never happen is a byte arriving different.

constexpr int udp_attempts = 5;

TEST_F(NcTool, UdpConnectToOpenBsdNcListener) {
  use_udp_payload();
  bool complete = false;
  for (int attempt = 0; attempt < udp_attempts && !complete; ++attempt) {
    std::string port = std::to_string(free_port(Type::dgram));
    Child peer(sh("exec nc -n -u -l -v -I 4194304 127.0.0.1 " + port + " < /dev/null > " + out_));
    wait_for_line(peer, "Bound on");
    Child me(sh("exec " + soket() + " connect -u -w 1 127.0.0.1 " + port + " < " + in_));
    EXPECT_EQ(me.wait(120s), 0) << me.read_stderr();
    complete = wait_for_output_size();
  }
  expect_identical();
}

TEST_F(NcTool, UdpOpenBsdNcConnectsToListen) {
  use_udp_payload();
  bool complete = false;
  for (int attempt = 0; attempt < udp_attempts && !complete; ++attempt) {
    Child me(sh("exec " + soket() + " listen -u -v -w 3 127.0.0.1 0 < /dev/null > " + out_));
    std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
    Child peer(sh("exec nc -n -u -w 1 127.0.0.1 " + port + " < " + in_ + " > /dev/null"));
    EXPECT_EQ(peer.wait(120s), 0);
    EXPECT_EQ(me.wait(120s), 0) << me.read_stderr();  // -w 3: ends once the sender stops
    complete = fs::file_size(out_) == expected_;
  }
  expect_identical();
}

TEST_F(NcTool, UdpSocatBothRoles) {
  use_udp_payload();
  bool complete = false;
  for (int attempt = 0; attempt < udp_attempts && !complete; ++attempt) {
    std::string port = std::to_string(free_port(Type::dgram));
    // -b: socat reads 8 KiB by default and would cut each 16 KiB datagram in half.
    Child peer(sh("exec socat -d -d -b 65536 -u UDP-RECV:" + port +
                  ",bind=127.0.0.1,rcvbuf=4194304 CREATE:" + out_));
    wait_for_line(peer, "starting data transfer loop");
    Child me(sh("exec " + soket() + " connect -u -w 1 127.0.0.1 " + port + " < " + in_));
    EXPECT_EQ(me.wait(120s), 0) << me.read_stderr();
    complete = wait_for_output_size();
  }
  expect_identical();
  fs::remove(out_);
  complete = false;
  for (int attempt = 0; attempt < udp_attempts && !complete; ++attempt) {
    Child me(sh("exec " + soket() + " listen -u -v -w 3 0 < /dev/null > " + out_));
    std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
    // 64000-byte datagrams: fewer of them for the receiver to keep up with.
    Child peer(sh("exec socat -b 64000 -u FILE:" + in_ + " UDP-SENDTO:127.0.0.1:" + port));
    EXPECT_EQ(peer.wait(120s), 0);
    EXPECT_EQ(me.wait(120s), 0) << me.read_stderr();
    complete = fs::file_size(out_) == expected_;
  }
  expect_identical();
}

// ---- Half-close, as OpenBSD nc -N ----

// A server that answers only after reading to EOF (wc -c): the reply shows the peer saw our
// half-close and that we still read after it. OpenBSD nc -N gives the same answer.
TEST(NcHalfClose, ConnectSendsEofAndTheReplyStillArrivesAsNcN) {
  if (!have("socat") || !have("nc")) GTEST_SKIP() << "needs socat and nc";
  for (std::string client : {"soket", "nc"}) {
    Child server(sh("exec socat -d -d TCP-LISTEN:0,bind=127.0.0.1 EXEC:'wc -c'"));
    std::string port = wait_for_line(server, R"(listening on AF=2 127\.0\.0\.1:(\d+))");
    std::string out;
    if (client == "soket") {
      ToolRun r = run_tool({"connect", "127.0.0.1", port}, "hello world");
      EXPECT_EQ(r.status, 0) << r.err;
      out = r.out;
    } else {
      Child nc({"nc", "-N", "127.0.0.1", port});
      nc.write_stdin("hello world");
      nc.close_stdin();
      out = nc.read_all(60s);
      EXPECT_EQ(nc.wait(60s), 0);
    }
    EXPECT_EQ(out, "11\n") << client;
    EXPECT_EQ(server.wait(60s), 0);
  }
}

TEST(NcHalfClose, ListenSendsEofAndTheReplyStillArrives) {
  if (!have("socat")) GTEST_SKIP() << "needs socat";
  Child me({soket_tool(), "listen", "-v", "0"});
  std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
  Child client(sh("exec socat TCP:127.0.0.1:" + port + " EXEC:'wc -c'"));
  me.write_stdin("twelve bytes");
  me.close_stdin();
  EXPECT_EQ(me.read_all(60s), "12\n");
  EXPECT_EQ(me.wait(60s), 0);
  EXPECT_EQ(client.wait(60s), 0);
}

// The listener's stdin is empty, so it half-closes at once: the connector must still send
// everything it has (a bug once: the connector ended at the listener's EOF and sent nothing).
TEST(NcHalfClose, AListenerWithNothingToSayStillGetsEverything) {
  Child me({soket_tool(), "listen", "-v", "0"});
  me.close_stdin();
  std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
  ToolRun r = run_tool({"connect", "127.0.0.1", port}, "hello from connect\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(me.read_all(60s), "hello from connect\n");
  EXPECT_EQ(me.wait(60s), 0);
}

// ---- Options ----

TEST(NcOptions, CrlfTurnsLineEndsIntoCrlf) {
  if (!have("socat")) GTEST_SKIP() << "needs socat";
  Child server(sh("exec socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1 -"));
  std::string port = wait_for_line(server, R"(listening on AF=2 127\.0\.0\.1:(\d+))");
  ToolRun r = run_tool({"connect", "-C", "127.0.0.1", port}, "HELO me\nQUIT\r\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(server.read_all(60s), "HELO me\r\nQUIT\r\n");
}

TEST(NcOptions, ZeroProbesWithoutSending) {
  Socket listener = listen_ephemeral();
  std::string port = std::to_string(listener.getsockname().port());
  ToolRun open = run_tool({"connect", "-z", "-v", "127.0.0.1", port});
  EXPECT_EQ(open.status, 0) << open.err;
  EXPECT_NE(open.err.find("Connection to 127.0.0.1 " + port + " port [tcp] succeeded!"),
            std::string::npos)
      << open.err;
  auto [conn, peer] = listener.accept();
  EXPECT_EQ(conn.recv(100), "");  // nothing was sent, the connection just closed

  std::string closed = std::to_string(closed_port());
  ToolRun refused = run_tool({"connect", "-z", "127.0.0.1", closed});
  EXPECT_EQ(refused.status, 1);
  EXPECT_EQ(refused.err,
            "soket connect: connect to 127.0.0.1:" + closed + ": Connection refused\n");
}

TEST(NcOptions, WaitBoundsTheConnect) {
  FullBacklog full;  // SYNs are dropped: the connect can only time out
  ToolRun r =
      run_tool({"connect", "-w", "0.5", "127.0.0.1", std::to_string(full.address().port())});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
}

TEST(NcOptions, WaitEndsAnIdleConnection) {
  Socket listener = listen_ephemeral();
  // stdin stays open and the server says nothing: only -w ends this
  Child me({soket_tool(), "connect", "-v", "-w", "0.3", "127.0.0.1",
            std::to_string(listener.getsockname().port())});
  auto [conn, peer] = listener.accept();
  EXPECT_EQ(me.wait(60s), 0);
  EXPECT_NE(me.read_stderr().find("Idle"), std::string::npos);
}

TEST(NcOptions, KeepOpenServesOneClientAfterAnother) {
  Child me({soket_tool(), "listen", "-k", "-v", "0"});
  me.close_stdin();
  std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
  for (std::string word : {"one", "two", "three"}) {
    Socket c(Family::inet);
    c.connect({"127.0.0.1", std::stoi(port)});
    c.sendall(word + "\n");
    c.shutdown(Shut::wr);
    EXPECT_EQ(c.recv(100), "");  // listen closes once we are done: the next may come
    EXPECT_EQ(me.read_line(), word);
  }
  me.signal(SIGTERM);
  me.wait();
}

TEST(NcOptions, UdpKeepOpenHearsEverySenderAndAnswersTheLatest) {
  Child me({soket_tool(), "listen", "-u", "-k", "-v", "0"});
  std::string port = wait_for_line(me, R"(Listening on 127\.0\.0\.1 (\d+)$)");
  Address where{"127.0.0.1", std::stoi(port)};
  Socket a(Family::inet, Type::dgram), b(Family::inet, Type::dgram);
  a.bind({"127.0.0.1", 0});
  b.bind({"127.0.0.1", 0});
  a.sendto(std::string_view("from a\n"), where);
  EXPECT_EQ(me.read_line(), "from a");
  b.sendto(std::string_view("from b\n"), where);
  EXPECT_EQ(me.read_line(), "from b");
  EXPECT_EQ(wait_for_line(me, "Datagram from 127.0.0.1 (\\d+)"),
            std::to_string(a.getsockname().port()));
  EXPECT_EQ(wait_for_line(me, "Datagram from 127.0.0.1 (\\d+)"),
            std::to_string(b.getsockname().port()));
  me.write_stdin("back to b\n");
  b.settimeout(30.0);
  EXPECT_EQ(b.recv(100), "back to b\n");
  me.signal(SIGTERM);
  me.wait();
}

// ---- Failures: usage errors exit 2, runtime failures exit 1, one line each ----

TEST(NcErrors, HostileArgumentsAreUsageErrors) {
  const std::vector<std::vector<std::string>> table = {
      {"connect"},
      {"connect", "127.0.0.1"},
      {"connect", "127.0.0.1", "1", "2"},
      {"connect", "127.0.0.1", "0"},
      {"connect", "127.0.0.1", "70000"},
      {"connect", "127.0.0.1", "99999999999999999999"},
      {"connect", "127.0.0.1", "-1"},
      {"connect", "127.0.0.1", "nan"},
      {"connect", "127.0.0.1", "1e400"},
      {"connect", "127.0.0.1", "no-such-service"},
      {"connect", "-w", "-1", "127.0.0.1", "80"},
      {"connect", "-w", "nan", "127.0.0.1", "80"},
      {"connect", "-w", "1e400", "127.0.0.1", "80"},
      {"connect", "-4", "-6", "127.0.0.1", "80"},
      {"connect", "-U", "", "x"},
      {"connect", "-U", "/tmp/x", "127.0.0.1", "80"},
      {"connect", "-U", "/tmp/x", "-6"},
      {"connect", "-z", "-u", "127.0.0.1", "80"},
      {"listen"},
      {"listen", "a", "b", "c"},
      {"listen", "65536"},
      {"listen", "--join", "239.1.2.3", "5000"},
      {"listen", "-u", "--join", "10.0.0.1", "5000"},
      {"listen", "-u", "--join", "nonsense", "5000"},
      {"listen", "-u", "--join", "239.1.2.3", "-U", "/tmp/x"},
      {"listen", "-u", "--join", "239.1.2.3", "--interface", "ff::1", "5000"},
      {"broadcast"},
      {"broadcast", "255.255.255.255"},
      {"broadcast", "255.255.255.255", "0"},
      {"broadcast", "255.255.255.255", "5000", "--ttl", "256"},
      {"broadcast", "255.255.255.255", "5000", "--ttl", "-1"},
      {"broadcast", "255.255.255.255", "5000", "--no-loop"},
      {"broadcast", "255.255.255.255", "5000", "-w", "nan"},
      {"broadcast", "239.1.2.3", "5000", "--interface", "eth0"},
  };
  for (const auto& args : table) {
    ToolRun r = run_tool(args);
    std::string cmdline;
    for (const auto& a : args) cmdline += " " + a;
    EXPECT_EQ(r.status, 2) << cmdline << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("soket", 0), 0u) << cmdline << "\n" << r.err;
    EXPECT_EQ(r.out, "") << cmdline;
  }
}

TEST(NcErrors, RuntimeFailuresNameWhatFailed) {
  Socket taken = listen_ephemeral();
  std::string port = std::to_string(taken.getsockname().port());
  ToolRun busy = run_tool({"listen", port});
  EXPECT_EQ(busy.status, 1);
  EXPECT_EQ(busy.err, "soket listen: bind to 127.0.0.1:" + port + ": Address already in use\n");

  TempUnixPath tmp;
  ToolRun missing = run_tool({"connect", "-U", tmp.path()});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err,
            "soket connect: connect to " + tmp.path() + ": No such file or directory\n");

  // A UDP peer that is not there: the ICMP port-unreachable comes back as "refused".
  std::string nobody = std::to_string(free_port(Type::dgram));
  ToolRun refused = run_tool({"connect", "-u", "-w", "5", "127.0.0.1", nobody}, "anyone?\n");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("Connection refused"), std::string::npos) << refused.err;
}

TEST(NcErrors, AClosedStdoutIsBrokenPipeAndExitOne) {
  Socket listener = listen_ephemeral();
  std::string port = std::to_string(listener.getsockname().port());
  Child me(sh("exec " + soket() + " connect 127.0.0.1 " + port + " | true"));
  auto [conn, peer] = listener.accept();
  // More than the pipe holds: soket blocks on it until `true` has gone, then sees EPIPE.
  conn.sendall(std::string(1 << 20, 'x'));
  EXPECT_EQ(me.wait(60s), 0);  // the pipeline's status is true's; ours is on stderr
  EXPECT_NE(me.read_stderr().find("soket connect: write to output: Broken pipe"),
            std::string::npos);
}

}  // namespace
}  // namespace soket::test
