// SPDX-License-Identifier: MIT
// `soket perf` as the benchmarks use it: warm-up not counted, a timed run ended by a half-close
// (the server sees EOF, never a reset), checked from Python's socketserver on the other end.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

std::string tool() {
  return built_program("tools/soket");
}

// A ThreadingTCPServer echo that holds each echo 10 ms (so a message is in flight when the
// run stops) and, per connection, prints the bytes it echoed and how the client left: "clean"
// if no reset arrived in the 100 ms after EOF, else "reset".
constexpr const char* slow_echo = R"(
import socket, socketserver, sys, threading, time
lock = threading.Lock()
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        s, echoed, how = self.request, 0, "clean"
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                time.sleep(0.01)
                s.sendall(data)
                echoed += len(data)
            time.sleep(0.1)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                how = "reset"
        except OSError:
            how = "reset"
        with lock:
            print(echoed, how, flush=True)
class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
with Server(("127.0.0.1", 0), Echo) as srv:
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
)";

TEST(PerfTool, WarmupIsNotCountedAndTheRunEndsWithEofNotReset) {
  Child server(python_argv(slow_echo));
  auto port = server.read_line();
  ASSERT_TRUE(port) << server.read_stderr();
  Child perf({tool(), "perf", "127.0.0.1:" + *port, "-c", "2", "-d", "1", "-s", "64", "--warmup",
              "0.5", "-t", "0.3", "--nodelay", "--json"});
  std::string out = perf.read_all(30s);
  EXPECT_EQ(perf.wait(30s), 0) << perf.read_stderr();
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["errors"], 0);
  EXPECT_EQ(j["corrupt_bytes"], 0);
  EXPECT_GT(j["messages"].get<std::uint64_t>(), 0u);
  std::uint64_t echoed = 0;
  for (int i = 0; i < 2; ++i) {
    auto line = server.read_line(20s);
    ASSERT_TRUE(line) << server.read_stderr();
    std::istringstream in(*line);
    std::uint64_t bytes = 0;
    std::string how;
    in >> bytes >> how;
    EXPECT_EQ(how, "clean") << *line;
    echoed += bytes;
  }
  // The server echoed the warm-up's messages (about 50 per connection) too; perf counted
  // only those of the measured 0.3 s (and not the last echo, read after the stop).
  EXPECT_GE(echoed, j["bytes_received"].get<std::uint64_t>() + 2 * 5 * 64);
  server.signal(SIGTERM);
  server.wait();
}

TEST(PerfTool, WarmupNeedsATimedRun) {
  Child with_n({tool(), "perf", "127.0.0.1:1", "-n", "5", "--warmup", "1"});
  EXPECT_EQ(with_n.wait(), 2);
  EXPECT_NE(with_n.read_stderr().find("--warmup goes with a timed run (-t), not -n"),
            std::string::npos);
  Child negative({tool(), "perf", "127.0.0.1:1", "--warmup", "-1"});
  EXPECT_EQ(negative.wait(), 2);
  EXPECT_NE(negative.read_stderr().find("--warmup: '-1' is out of range"), std::string::npos);
}

struct PerfRun {
  int status;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out, nullptr, false); }
};

PerfRun run_perf(std::vector<std::string> args) {
  args.insert(args.begin(), {tool(), "perf"});
  Child perf(args);
  PerfRun r;
  r.out = perf.read_all(60s);
  r.err = perf.read_stderr(10s);
  r.status = perf.wait(30s);  // -1 if it hangs: every mode has a deadline
  return r;
}

// `--mode echo` echoes bytes on both engines, so perf measures real numbers against either
// (the socketserver engine echoed lines: perf measured 0 msg/s, or hung with -n).
class PerfAgainstEcho : public ::testing::TestWithParam<const char*> {};

TEST_P(PerfAgainstEcho, MeasuresEveryEchoedMessage) {
  ServedByTool s({"--engine", GetParam(), "--mode", "echo", "-a", "127.0.0.1:0"});
  ASSERT_NE(s.port, 0) << s.listening;
  PerfRun n = run_perf({s.address(), "-c", "2", "-d", "4", "-s", "100", "-n", "100", "--json"});
  EXPECT_EQ(n.status, 0) << n.err;
  auto j = n.json();
  ASSERT_TRUE(j.is_object()) << n.out;
  EXPECT_EQ(j["messages"], 2 * 100);
  EXPECT_EQ(j["bytes_received"], 2 * 100 * 100);
  EXPECT_EQ(j["corrupt_bytes"], 0);
  PerfRun timed = run_perf({s.address(), "-t", "0.3"});
  EXPECT_EQ(timed.status, 0) << timed.err;
  EXPECT_NE(timed.out.find("messages/s: "), std::string::npos) << timed.out;
  EXPECT_EQ(timed.out.find("messages/s: 0 "), std::string::npos) << timed.out;
  EXPECT_EQ(s.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, PerfAgainstEcho, ::testing::Values("socketserver", "event"));

// A server that does not echo is an error that says so, in every mode, never a hang and
// never inf or nan.
TEST(PerfTool, ServerThatDoesNotEchoIsAnError) {
  ServedByTool discard({"--mode", "discard", "-a", "127.0.0.1:0"});
  PerfRun timed = run_perf({discard.address(), "-t", "0.3"});
  EXPECT_EQ(timed.status, 1);
  EXPECT_NE(timed.err.find("nothing was echoed"), std::string::npos) << timed.err;
  PerfRun counted = run_perf({discard.address(), "-n", "5", "-w", "0.5"});
  EXPECT_EQ(counted.status, 1);  // was: waited forever
  EXPECT_NE(counted.err.find("no progress for 0.5 s (--timeout): the server stopped echoing"),
            std::string::npos)
      << counted.err;
  ServedByTool greet({"--mode", "greet", "-a", "127.0.0.1:0"});
  PerfRun greeted = run_perf({greet.address(), "-t", "0.3", "--json"});
  EXPECT_EQ(greeted.status, 1);
  EXPECT_NE(greeted.err.find("the server closed 1 of 1 connections before the run ended"),
            std::string::npos)
      << greeted.err;
  for (const auto* r : {&timed, &counted, &greeted}) {
    EXPECT_EQ(r->out.find("inf"), std::string::npos) << r->out;
    EXPECT_EQ(r->out.find("nan"), std::string::npos) << r->out;
  }
  EXPECT_EQ(discard.stop(), 0);
  EXPECT_EQ(greet.stop(), 0);
}

TEST(PerfTool, ServerKilledMidRunIsAnError) {
  Child server(python_argv(slow_echo));
  auto port = server.read_line();
  ASSERT_TRUE(port) << server.read_stderr();
  Child perf({tool(), "perf", "127.0.0.1:" + *port, "-c", "2", "-t", "60", "-i", "0.1"});
  auto first = perf.read_line(30s);  // an interval report: the run is under way
  ASSERT_TRUE(first) << perf.read_stderr();
  EXPECT_EQ(first->rfind("[", 0), 0u) << *first;
  server.signal(SIGKILL);
  server.wait();
  std::string out = perf.read_all(30s);
  EXPECT_EQ(perf.wait(30s), 1);
  std::string err = perf.read_stderr();
  EXPECT_TRUE(err.find("the server closed 2 of 2 connections") != std::string::npos ||
              err.find("connection errors") != std::string::npos)
      << err;
  EXPECT_EQ(out.find("inf"), std::string::npos) << out;
  EXPECT_EQ(out.find("nan"), std::string::npos) << out;
}

// "localhost" is resolved and every address tried, as `soket client` does (it failed with
// "Address family not supported").
TEST(PerfTool, HostNameIsResolved) {
  ServedByTool s({"--engine", "event", "--mode", "echo", "-a", "127.0.0.1:0"});
  PerfRun r = run_perf({"localhost:" + std::to_string(s.port), "-n", "10", "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.json()["messages"], 10);
  EXPECT_EQ(s.stop(), 0);
}

TEST(PerfTool, IntervalReportsBulkSizeAndIdleCount) {
  ServedByTool s({"--engine", "event", "--mode", "echo", "-a", "127.0.0.1:0"});
  PerfRun timed = run_perf({s.address(), "-t", "0.5", "-i", "0.1"});
  EXPECT_EQ(timed.status, 0) << timed.err;
  std::istringstream lines(timed.out);
  int intervals = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("[", 0) == 0 && line.find(" s] messages/s: ") != std::string::npos) ++intervals;
  EXPECT_GE(intervals, 2) << timed.out;
  PerfRun json = run_perf({s.address(), "-t", "0.3", "-i", "0.1", "--json"});
  EXPECT_EQ(json.status, 0) << json.err;
  EXPECT_GE(json.json()["intervals"].size(), 1u) << json.out;
  // --bulk writes iperf3's 128 KiB blocks unless -s says otherwise.
  PerfRun bulk = run_perf({s.address(), "--bulk", "-t", "0.2", "--json"});
  EXPECT_EQ(bulk.status, 0) << bulk.err;
  EXPECT_EQ(bulk.json()["size"], 128 * 1024);
  EXPECT_EQ(bulk.json()["bytes_sent"].get<std::uint64_t>() % (128 * 1024), 0u);
  PerfRun idle = run_perf({s.address(), "--idle", "-c", "5", "-t", "0.3"});
  EXPECT_EQ(idle.status, 0) << idle.err;
  EXPECT_NE(idle.out.find("holding 5 connections"), std::string::npos) << idle.out;
  EXPECT_NE(idle.out.find("held 5 of 5 connections"), std::string::npos) << idle.out;
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace
}  // namespace soket::test
