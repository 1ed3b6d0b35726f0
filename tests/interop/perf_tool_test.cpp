// SPDX-License-Identifier: MIT
// `soket perf` as the benchmarks use it: warm-up not counted, a timed run ended by a half-close
// (the server sees EOF, never a reset), checked from Python's socketserver on the other end.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

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
  Child perf({tool(), "perf", "127.0.0.1:" + *port, "-c", "2", "-d", "1", "-s", "64", "-w", "0.5",
              "-t", "0.3", "--nodelay", "--json"});
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
  Child with_n({tool(), "perf", "127.0.0.1:1", "-n", "5", "-w", "1"});
  EXPECT_EQ(with_n.wait(), 1);
  EXPECT_NE(with_n.read_stderr().find("--warmup takes seconds >= 0 and goes with -t, not -n"),
            std::string::npos);
  Child negative({tool(), "perf", "127.0.0.1:1", "-w", "-1"});
  EXPECT_EQ(negative.wait(), 1);
  EXPECT_NE(negative.read_stderr().find("--warmup takes seconds >= 0"), std::string::npos);
}

}  // namespace
}  // namespace soket::test
