// SPDX-License-Identifier: MIT
// The engine under load: 10,000 concurrent echo connections (client and server in separate
// processes: the descriptor limit is 20,000 here), an EMFILE storm in a server whose
// descriptor limit is lowered, and 100,000 connect/close cycles without a leaked descriptor.
#include <soket/event/server.hpp>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <soket/event/buffer.hpp>
#include <soket/event/loop.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

/// SOKET_TEST_QUICK (or a sanitizer build) scales the counts down, said in the test output.
bool quick() {
  return sanitized || std::getenv("SOKET_TEST_QUICK") != nullptr;
}

void raise_nofile() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

struct Echo : Handler {
  std::atomic<std::size_t> open{0}, peak{0};
  void on_open(Connection&) override {
    std::size_t n = ++open;
    std::size_t p = peak.load();
    while (n > p && !peak.compare_exchange_weak(p, n)) {
    }
  }
  void on_data(Connection& c, Buffer& in) override {
    c.send(in.data());
    in.retrieve_all();
  }
  void on_close(Connection&, std::error_code) override { --open; }
};

/// A server in a forked child. The child reports its port, serves until the parent writes a
/// byte, then reports its peak connection count, refused count and CPU time (µs).
class ServerProcess {
 public:
  ServerProcess(int threads, rlim_t nofile) {
    int a[2], b[2];
    if (::pipe(a) != 0 || ::pipe(b) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::close(a[0]);
      ::close(b[1]);
      child(a[1], b[0], threads, nofile);
    }
    ::close(a[1]);
    ::close(b[0]);
    to_parent_ = a[0];
    to_child_ = b[1];
    long port = 0;
    if (::read(to_parent_, &port, sizeof port) != sizeof port) throw std::runtime_error("child");
    port_ = static_cast<std::uint16_t>(port);
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(to_parent_);
    ::close(to_child_);
  }
  Address address() const { return Address("127.0.0.1", port_); }
  struct Report {
    long peak, refused, cpu_us;
  };
  Report finish() {
    char q = 'q';
    Report r{};
    if (::write(to_child_, &q, 1) != 1 || ::read(to_parent_, &r, sizeof r) != sizeof r)
      throw std::runtime_error("child report");
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    return r;
  }

 private:
  [[noreturn]] static void child(int out, int in, int threads, rlim_t nofile) {
    int code = 0;
    try {
      rlimit r{};
      ::getrlimit(RLIMIT_NOFILE, &r);
      r.rlim_cur = nofile ? nofile : r.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &r);
      Echo h;
      ServerOptions o;
      o.threads = static_cast<std::size_t>(threads);
      Server server(Address("127.0.0.1", 0), h, o);
      server.start();
      long port = server.address().port();
      if (::write(out, &port, sizeof port) != sizeof port) ::_exit(3);
      char q;
      if (::read(in, &q, 1) != 1) ::_exit(4);
      long refused = static_cast<long>(server.refused());
      server.stop(0ms);
      rusage ru{};
      ::getrusage(RUSAGE_SELF, &ru);
      Report rep{static_cast<long>(h.peak.load()), refused,
                 ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec +
                     ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec};
      if (::write(out, &rep, sizeof rep) != sizeof rep) code = 5;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "server child: %s\n", e.what());
      code = 2;
    }
    ::_exit(code);
  }
  pid_t pid_ = -1;
  int to_parent_ = -1, to_child_ = -1;
  std::uint16_t port_ = 0;
};

constexpr std::size_t message_size = 32;

char expected_byte(std::size_t conn, std::size_t offset) {
  return static_cast<char>((conn * 131 + offset * 7 + offset / message_size) & 0xff);
}

/// The client side: every connection sends `messages` messages one at a time and checks
/// every echoed byte.
struct Pinger : Handler {
  Loop* loop = nullptr;
  std::size_t messages = 0, total = 0, finished = 0, corrupt = 0, errors = 0;
  struct State {
    std::size_t index, received = 0;
  };
  std::vector<State> states;
  void send_next(Connection& c, State& s) {
    char msg[message_size];
    std::size_t base = s.received;
    for (std::size_t i = 0; i < message_size; ++i) msg[i] = expected_byte(s.index, base + i);
    c.send(std::string_view(msg, message_size));
  }
  void on_open(Connection& c) override {
    State& s = **c.context<State*>();
    send_next(c, s);
  }
  void on_data(Connection& c, Buffer& in) override {
    State& s = **c.context<State*>();
    std::string_view v = in.view();
    for (std::size_t i = 0; i < v.size(); ++i)
      if (v[i] != expected_byte(s.index, s.received + i)) ++corrupt;
    s.received += v.size();
    in.retrieve_all();
    if (s.received == messages * message_size) {
      c.close();
    } else if (s.received % message_size == 0) {
      send_next(c, s);
    }
  }
  void on_close(Connection& c, std::error_code ec) override {
    if (ec) ++errors;
    State& s = **c.context<State*>();
    if (s.received == messages * message_size) ++finished;
    if (++closed == total) loop->stop();
  }
  std::size_t closed = 0;
};

}  // namespace

TEST(EventStress, TenThousandConcurrentConnectionsEchoEveryByte) {
  const std::size_t conns = quick() ? 1000 : 10000, messages = 100;
  if (quick()) {
    std::printf("quick mode: %zu connections\n", conns);
    std::fflush(stdout);  // before the fork, or the child prints it again
  }
  raise_nofile();
  ServerProcess server(2, 0);
  Loop loop;
  Pinger p;
  p.loop = &loop;
  p.messages = messages;
  p.total = conns;
  p.states.resize(conns);
  ConnectionOptions opts;
  std::vector<Socket> socks;
  socks.reserve(conns);
  // Connect them all first, so all are open at once; then the loop runs every exchange.
  for (std::size_t i = 0; i < conns; ++i) {
    Socket s(Family::inet);
    s.settimeout(30s);
    s.connect(server.address());
    socks.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < conns; ++i) {
    p.states[i].index = i;
    loop.adopt(std::move(socks[i]), p, opts, &p.states[i]);  // on_open sends message 0
  }
  loop.run();
  EXPECT_EQ(p.finished, conns);
  EXPECT_EQ(p.corrupt, 0u);
  EXPECT_EQ(p.errors, 0u);
  auto r = server.finish();
  EXPECT_EQ(r.peak, static_cast<long>(conns));
}

TEST(EventStress, EmfileStormShedsConnectionsWithoutSpinningAndRecovers) {
  ServerProcess server(1, 64);
  constexpr int storm = 200;
  std::vector<Socket> socks;
  for (int i = 0; i < storm; ++i) {
    Socket s(Family::inet);
    s.settimeout(10s);
    s.connect(server.address());  // completes in the kernel's backlog either way
    socks.push_back(std::move(s));
  }
  int served = 0, shed = 0;
  for (auto& s : socks) {
    std::error_code ec;
    s.sendall(std::as_bytes(std::span("a", 1)), 0, ec);
    std::string got = ec ? "" : s.recv(1, 0, ec);
    if (got == "a")
      ++served;
    else
      ++shed;
  }
  EXPECT_GT(served, 10);
  EXPECT_LT(served, 64);
  EXPECT_EQ(served + shed, storm);
  // Stay at the limit for a while: a server that spins on its readable listener would burn
  // this whole second of CPU time.
  std::this_thread::sleep_for(1s);
  socks.clear();
  // Descriptors are free again: it serves new clients.
  for (int i = 0; i < 20; ++i) {
    Socket s(Family::inet);
    s.settimeout(10s);
    s.connect(server.address());
    s.sendall("again");
    std::string got;
    while (got.size() < 5) {
      std::string part = s.recv(5);
      if (part.empty()) break;
      got += part;
    }
    EXPECT_EQ(got, "again") << "client " << i;
  }
  auto r = server.finish();
  EXPECT_GE(r.refused, storm - served);
  EXPECT_LT(r.cpu_us, 500000) << "server used " << r.cpu_us << " us of CPU";
}

namespace {

struct Hello : Handler {
  void on_open(Connection& c) override {
    c.send("x");
    c.close_after_flush();  // the server closes first, so TIME_WAIT stays on its side
  }
  void on_data(Connection&, Buffer& in) override { in.retrieve_all(); }
};

}  // namespace

TEST(EventStress, NoDescriptorLeakAfterManyConnectCloseCycles) {
  const int cycles = quick() ? 20000 : 100000;
  if (quick()) std::printf("quick mode: %d cycles\n", cycles);
  test::FdLeakGuard fds;
  {
    Hello h;
    ServerOptions o;
    o.threads = 1;
    Server server(Address("127.0.0.1", 0), h, o);
    server.start();
    int ok = 0;
    for (int i = 0; i < cycles; ++i) {
      Socket c(Family::inet);
      c.settimeout(10s);
      c.connect(server.address());
      if (c.recv(1) == "x" && c.recv(1).empty()) ++ok;
    }
    EXPECT_EQ(ok, cycles);
    for (int i = 0; i < 1000 && server.connections() > 0; ++i) std::this_thread::sleep_for(2ms);
    EXPECT_EQ(server.connections(), 0u);
    server.stop();
  }
  EXPECT_EQ(fds.leaked(), 0);
}
