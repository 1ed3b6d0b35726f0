// SPDX-License-Identifier: MIT
// `soket serve` under hostile use (issue 8 §1b): what is at a Unix path, stops that must end,
// clients that never read or never leave, a log nobody reads, floods and large datagrams. Every
// engine: the socketserver engine threaded and forking, and the event engine.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <soket/options.hpp>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

// The three ways to run a stream server.
const std::vector<std::vector<std::string>> stream_engines = {
    {"--engine", "socketserver"}, {"--engine", "socketserver", "--forking"}, {"--engine", "event"}};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + ' ';
  return s;
}

// `soket serve ARGS...`, started through `launcher` (a Python prologue that execs the tool, so
// the pid is the server's): reads "Listening on ..." from stderr.
struct Server {
  explicit Server(const std::vector<std::string>& args, const std::string& launcher = "",
                  std::vector<std::string> launcher_args = {})
      : child(argv(args, launcher, std::move(launcher_args))) {
    Listening l = read_listening(child, "soket serve");
    listening = l.line;
    port = l.port;
  }
  static std::vector<std::string> argv(const std::vector<std::string>& args,
                                       const std::string& launcher,
                                       std::vector<std::string> launcher_args) {
    auto cmd = concat({soket_tool(), "serve"}, args);
    if (launcher.empty()) return cmd;
    return python_argv(launcher, concat(std::move(launcher_args), cmd));
  }
  // Sends `sig`; the exit status, or -1 if it did not end within 20 s (a hang).
  int stop(int sig = SIGTERM) {
    child.signal(sig);
    return child.wait(20s);
  }
  Address address() const { return Address("127.0.0.1", port); }
  Child child;
  std::string listening;
  std::uint16_t port = 0;
};

// Everything a server sends until it closes (bounded by the socket's timeout).
std::string read_to_eof(Socket& s) {
  std::string all;
  for (std::string d; !(d = s.recv(65536)).empty();) all += d;
  return all;
}

std::string greet_once(const Address& a) {
  Socket c(a.family());
  c.settimeout(20.0);
  c.connect(a);
  return read_to_eof(c);
}

// -- what is at a Unix path ------------------------------------------------------------------

const std::vector<std::vector<std::string>> unix_setups = {
    {"--engine", "socketserver", "--proto", "unix"},
    {"--engine", "socketserver", "--proto", "unixgram"},
    {"--engine", "event", "--proto", "unix"},
    {"--engine", "event", "--proto", "unixgram"}};

TEST(SoketServeUnix, RefusesToReplaceWhatIsNotASocket) {
  for (const auto& setup : unix_setups) {
    for (std::string kind : {"file", "directory", "symlink"}) {
      SCOPED_TRACE(joined(setup) + kind);
      TempUnixPath path;
      const std::string target = path.dir() + "/target";
      if (kind == "file") {
        std::ofstream(path.path()) << "precious";
      } else if (kind == "directory") {
        ASSERT_EQ(::mkdir(path.path().c_str(), 0700), 0);
      } else {
        std::ofstream(target) << "precious";
        ASSERT_EQ(::symlink(target.c_str(), path.path().c_str()), 0);
      }
      Child c(concat(concat({soket_tool(), "serve"}, setup), {"--unix", path.path()}));
      EXPECT_EQ(c.wait(), 1);
      std::string err = c.read_stderr();
      EXPECT_NE(err.find(path.path()), std::string::npos) << err;
      EXPECT_NE(err.find("not a socket"), std::string::npos) << err;
      struct stat st {};
      ASSERT_EQ(::lstat(path.path().c_str(), &st), 0) << "removed";
      if (kind == "file") {
        EXPECT_TRUE(S_ISREG(st.st_mode));
        std::string content;
        std::ifstream(path.path()) >> content;
        EXPECT_EQ(content, "precious");
      } else if (kind == "directory") {
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        ::rmdir(path.path().c_str());
      } else {
        EXPECT_TRUE(S_ISLNK(st.st_mode));
        ::unlink(target.c_str());
      }
    }
  }
}

// A socket file left by a dead server is replaced; one that a live server answers on is not.
TEST(SoketServeUnix, ReplacesStaleSocketRefusesLiveOne) {
  for (const auto& setup : unix_setups) {
    SCOPED_TRACE(joined(setup));
    const bool stream = setup.back() == "unix";
    const Type type = stream ? Type::stream : Type::dgram;
    TempUnixPath path;
    Address where = Address::unix_path(path.path());
    {
      Socket dead(Family::unix, type);
      dead.bind(where);
    }  // closed: the file stays behind, nothing answers on it
    {
      Server s(concat(setup, {"--mode", "echo", "--unix", path.path()}));
      EXPECT_EQ(s.listening, "Listening on '" + path.path() + "'");
      Socket c(Family::unix, type);
      c.settimeout(20.0);
      if (!stream) c.bind(Address::unix_path(path.dir() + "/client"));
      c.connect(where);
      c.sendall("hi\n");
      EXPECT_EQ(c.recv(100), "hi\n");
      EXPECT_EQ(s.stop(), 0);
    }
    EXPECT_NE(::access(path.path().c_str(), F_OK), 0);  // removed on the way out
    ::unlink((path.dir() + "/client").c_str());

    Socket live(Family::unix, type);
    live.bind(where);
    if (stream) live.listen(5);
    Child c(concat(concat({soket_tool(), "serve"}, setup), {"--unix", path.path()}));
    EXPECT_EQ(c.wait(), 1);
    std::string err = c.read_stderr();
    EXPECT_NE(err.find(path.path()), std::string::npos) << err;
    EXPECT_NE(err.find("in use"), std::string::npos) << err;
    // Still the live server's: a client reaches it.
    Socket probe(Family::unix, type);
    if (!stream) probe.bind(Address::unix_path(path.dir() + "/probe"));
    std::error_code ec;
    probe.connect(where, ec);
    EXPECT_FALSE(ec) << ec.message();
    ::unlink((path.dir() + "/probe").c_str());
  }
}

TEST(SoketServeUnix, AtNameMeansAbstract) {
  for (const auto& engine : {"socketserver", "event"}) {
    SCOPED_TRACE(engine);
    const std::string name = "soket-test-" + std::to_string(::getpid()) + "-" + engine;
    ::unlink(("@" + name).c_str());
    Server s({"--engine", engine, "--unix", "@" + name});
    EXPECT_EQ(greet_once(Address::abstract(name)), "Thank you for connecting");
    EXPECT_EQ(s.stop(), 0);
    EXPECT_NE(::access(("@" + name).c_str(), F_OK), 0) << "a file named @" << name;
    ::unlink(("@" + name).c_str());
  }
}

// -- stops that must end -----------------------------------------------------------------------

// The echo handler is blocked in send: the client sends and never reads what comes back.
TEST(SoketServeStop, SigtermWithClientThatNeverReadsEnds) {
  for (const auto& engine : stream_engines) {
    SCOPED_TRACE(joined(engine));
    Server s(concat(engine, {"--mode", "echo", "-a", "127.0.0.1:0"}));
    Socket c(Family::inet);
    c.setsockopt(opt::receive_buffer_size, 4096);
    c.settimeout(20.0);
    c.connect(s.address());
    c.setblocking(false);
    const std::string line = std::string(1000, 'x') + "\n";
    const auto bytes = std::as_bytes(std::span(line.data(), line.size()));
    std::size_t sent = 0;
    // Until both directions are full: the server's reply is stuck, then its reads.
    for (int idle_rounds = 0; idle_rounds < 20 && sent < (64u << 20);) {
      std::error_code ec;
      std::size_t n = c.send(bytes, 0, ec);
      if (ec) {
        ++idle_rounds;
        std::this_thread::sleep_for(20ms);
      } else {
        sent += n;
        idle_rounds = 0;
      }
    }
    EXPECT_EQ(s.stop(), 0);
  }
}

TEST(SoketServeStop, SighupStopsLikeSigtermRemovingSocketAndChildren) {
  for (const auto& engine : stream_engines) {
    SCOPED_TRACE(joined(engine));
    TempUnixPath path;
    Server s(concat(engine, {"--mode", "echo", "--unix", path.path()}));
    Socket c(Family::unix);
    c.settimeout(20.0);
    c.connect(Address::unix_path(path.path()));
    c.sendall("hi\n");
    EXPECT_EQ(c.recv(100), "hi\n");
    EXPECT_EQ(s.stop(SIGHUP), 0);
    EXPECT_EQ(c.recv(100), "");  // the request (a forked child) ended with the server
    EXPECT_NE(::access(path.path().c_str(), F_OK), 0);
  }
}

// -- clients that never leave ------------------------------------------------------------------

TEST(SoketServeLoad, FortyIdleClientsDoNotBlockTheNext) {
  for (const auto& engine : stream_engines) {
    SCOPED_TRACE(joined(engine));
    Server s(concat(engine, {"--mode", "echo", "-a", "127.0.0.1:0"}));
    std::vector<Socket> idle;
    for (int i = 0; i < 45; ++i) {
      idle.emplace_back(Family::inet);
      idle.back().settimeout(20.0);
      idle.back().connect(s.address());
      idle.back().sendall("idle\n");
      EXPECT_EQ(idle.back().recv(100), "idle\n");
    }
    Socket next(Family::inet);
    next.settimeout(20.0);
    next.connect(s.address());
    next.sendall("next\n");
    std::string reply;
    try {
      reply = next.recv(100);
    } catch (const TimeoutError&) {
      reply = "(timed out)";
    }
    EXPECT_EQ(reply, "next\n");
    EXPECT_EQ(s.stop(), 0);
  }
}

// The tool listens with a backlog fit for a burst of clients (Python's default is 5): the
// listen queue's size is what ss shows as Send-Q for a listener.
TEST(SoketServeLoad, ListensWithALargeBacklog) {
  for (const auto& engine : stream_engines) {
    SCOPED_TRACE(joined(engine));
    Server s(concat(engine, {"-a", "127.0.0.1:0"}));
    Child ss({"ss", "-ltnH", "sport = :" + std::to_string(s.port)});
    std::string out = ss.read_all();
    EXPECT_EQ(ss.wait(), 0);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(LISTEN\s+\d+\s+(\d+))"))) << out;
    EXPECT_GE(std::stoi(m[1]), 128) << out;
    EXPECT_EQ(s.stop(), 0);
  }
}

// -- a log nobody reads ------------------------------------------------------------------------

// Execs the tool with stdout on a one-page pipe that is closed (argv[1] == "closed") or that
// nobody reads (its read end is kept open in the server itself).
const char* stdout_launcher = R"(
import fcntl, os, sys
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: the smallest pipe, so it fills after a few lines
os.dup2(w, 1)
os.close(w)
if sys.argv[1] == 'closed':
    os.close(r)
else:
    os.set_inheritable(r, True)
os.execv(sys.argv[2], sys.argv[2:])
)";

TEST(SoketServeLog, ClosedOrStalledStdoutNeverStopsServing) {
  for (std::string how : {"closed", "stalled"}) {
    for (const auto& engine : stream_engines) {
      SCOPED_TRACE(how + " " + joined(engine));
      Server s(concat(engine, {"-a", "127.0.0.1:0"}), stdout_launcher, {how});
      int served = 0;
      for (int i = 0; i < 400; ++i) {
        try {
          if (greet_once(s.address()) == "Thank you for connecting") ++served;
        } catch (const Error&) {
          break;  // the server died
        }
      }
      EXPECT_EQ(served, 400);
      EXPECT_EQ(s.stop(), 0);
    }
  }
}

// -- datagrams ---------------------------------------------------------------------------------

TEST(SoketServeUdp, LargestDatagramEchoedWhole) {
  for (const auto& engine : {"socketserver", "event"}) {
    SCOPED_TRACE(engine);
    Server s({"--engine", engine, "--proto", "udp", "--mode", "echo", "-a", "127.0.0.1:0"});
    Socket c(Family::inet, Type::dgram);
    c.settimeout(20.0);
    std::string big(65507, 'x');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    c.sendto(big, s.address());
    std::string back = c.recv(65536);
    EXPECT_EQ(back.size(), big.size());
    EXPECT_TRUE(back == big);
    EXPECT_EQ(s.stop(), 0);
  }
}

TEST(SoketServeUdp, FloodDoesNotBecomeALineADatagram) {
  for (const auto& engine : {"socketserver", "event"}) {
    SCOPED_TRACE(engine);
    Server s({"--engine", engine, "--proto", "udp", "--mode", "echo", "-a", "127.0.0.1:0"});
    Socket c(Family::inet, Type::dgram);
    c.settimeout(20.0);
    c.connect(s.address());
    const int sent = 3000;
    for (int i = 0; i < sent; ++i) {
      c.send("x");
      EXPECT_EQ(c.recv(10), "x");
    }
    EXPECT_EQ(s.stop(), 0);
    std::string out = s.child.read_all();
    int lines = 0;
    for (std::size_t p = 0; (p = out.find('\n', p)) != std::string::npos; ++p) ++lines;
    EXPECT_GT(lines, 0);
    EXPECT_LT(lines, sent / 10) << out.substr(0, 2000);
    // The summary still accounts for every datagram.
    EXPECT_NE(out.find(std::to_string(sent)), std::string::npos) << out.substr(0, 2000);
  }
}

// -- descriptors running out ---------------------------------------------------------------------

const char* rlimit_launcher = R"(
import os, resource, sys
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
os.execv(sys.argv[2], sys.argv[2:])
)";

TEST(SoketServeLog, SheddingClientsForLackOfDescriptorsIsLogged) {
#ifdef __SANITIZE_ADDRESS__
  // The tool is built like this test: the ASan/UBSan runtimes (the vptr check's pipe, the
  // leak checker at exit) need descriptors of their own, which this test takes away.
  GTEST_SKIP() << "needs a server with no spare descriptors; not under ASan/UBSan";
#endif
  Server s({"--mode", "echo", "-a", "127.0.0.1:0"}, rlimit_launcher, {"32"});
  std::vector<Socket> clients;
  for (int i = 0; i < 60; ++i) {
    clients.emplace_back(Family::inet);
    clients.back().settimeout(20.0);
    clients.back().connect(s.address());
  }
  std::optional<std::string> line;
  while ((line = s.child.read_err_line(20s)) && line->find("descriptors") == std::string::npos) {
  }
  EXPECT_TRUE(line) << "nothing said about running out of descriptors";
  clients.clear();
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace
}  // namespace soket::test
