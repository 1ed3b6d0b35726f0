// SPDX-License-Identifier: MIT
// Python's socketserver on real sockets: TCP, UDP, Unix stream and datagram servers, threaded
// and forking, under many concurrent clients; shutdown, handler errors, idle and over-long
// input.
#include <soket/server/threading.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <soket/options.hpp>
#include <soket/server/forking.hpp>
#include <soket/server/request_handler.hpp>
#include <soket/server/stop_signals.hpp>

#include "support/support.hpp"

namespace soket::server {
namespace {

using namespace std::chrono_literals;
using soket::test::FdLeakGuard;
using soket::test::TempUnixPath;

// serve_forever on a thread; shutdown, join and server_close on destruction (CPython's
// run_server).
template <class S>
class Running {
 public:
  template <class... A>
  explicit Running(A&&... args) : server(std::forward<A>(args)...) {
    thread_ = std::thread([this] { server.serve_forever(); });
  }
  ~Running() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server.shutdown();
    thread_.join();
    server.server_close();
  }
  S server;

 private:
  std::thread thread_;
};

// A server whose listen backlog fits a burst of clients (Python's default of 5 makes the kernel
// drop SYNs, which only slows the test down).
template <class S>
class Backlogged : public S {
 public:
  Backlogged(Address address, HandlerFactory factory)
      : S(std::move(address), std::move(factory), false) {
    this->request_queue_size = 256;
    this->server_bind();
    this->server_activate();
  }
};

class EchoLines : public StreamRequestHandler {
 public:
  void handle() override {
    for (std::string line; !(line = readline()).empty();) wfile->write(line);
  }
};

class EchoDatagram : public DatagramRequestHandler {
 public:
  void handle() override { wfile << packet(); }
};

// `clients` connections, driven by `threads` threads in lockstep, each exchanging `messages`
// lines; every reply is checked. Returns the number of verified replies.
int exchange_lines(const std::function<Socket()>& connect, int clients, int messages, int threads) {
  std::atomic<int> verified{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        std::vector<std::unique_ptr<Socket>> socks;
        std::vector<std::unique_ptr<io::SocketFile>> files;
        for (int c = t; c < clients; c += threads) {
          socks.push_back(std::make_unique<Socket>(connect()));
          socks.back()->settimeout(60.0);  // a lost reply fails the test instead of hanging it
          files.push_back(std::make_unique<io::SocketFile>(*socks.back()));
        }
        for (int m = 0; m < messages; ++m) {
          for (std::size_t i = 0; i < socks.size(); ++i)
            socks[i]->sendall("client " + std::to_string(t) + "/" + std::to_string(i) +
                              " message " + std::to_string(m) + "\n");
          for (std::size_t i = 0; i < socks.size(); ++i) {
            std::string expect = "client " + std::to_string(t) + "/" + std::to_string(i) +
                                 " message " + std::to_string(m) + "\n";
            if (files[i]->readline() == expect) ++verified;
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& th : pool) th.join();
  return verified.load();
}

TEST(ThreadingTCPServer, TwoHundredClientsHundredMessagesEach) {
  FdLeakGuard guard;
  {
    Running<Backlogged<ThreadingTCPServer>> r(Address("127.0.0.1", 0), handler<EchoLines>());
    Address addr = r.server.server_address;
    EXPECT_NE(addr.port(), 0);
    int ok = exchange_lines(
        [&] {
          Socket s(Family::inet);
          s.connect(addr);
          return s;
        },
        200, 100, 8);
    EXPECT_EQ(ok, 200 * 100);
  }
  EXPECT_EQ(guard.leaked(), 0);
}

TEST(ThreadingUnixStreamServer, TwoHundredClientsHundredMessagesEach) {
  TempUnixPath path;
  FdLeakGuard guard;
  {
    Running<Backlogged<ThreadingUnixStreamServer>> r(Address::unix_path(path.path()),
                                                     handler<EchoLines>());
    int ok = exchange_lines(
        [&] {
          Socket s(Family::unix);
          s.connect(Address::unix_path(path.path()));
          return s;
        },
        200, 100, 8);
    EXPECT_EQ(ok, 200 * 100);
  }
  EXPECT_EQ(guard.leaked(), 0);
}

// Datagram clients in lockstep, 25 per thread. A loopback receive queue holds only ~100 small
// datagrams, so 200 in flight can overflow it: like any UDP client, resend after a silence and
// skip stale duplicate replies. Returns the number of verified replies.
int exchange_datagrams(const std::function<Socket()>& make, const Address& server, int clients,
                       int messages, int threads, std::atomic<int>& resent) {
  std::atomic<int> verified{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        std::vector<Socket> socks;
        for (int c = t; c < clients; c += threads) socks.push_back(make());
        auto text = [t](std::size_t i, int m) {
          return "dgram " + std::to_string(t) + "/" + std::to_string(i) + " #" + std::to_string(m);
        };
        for (int m = 0; m < messages; ++m) {
          for (std::size_t i = 0; i < socks.size(); ++i) socks[i].sendto(text(i, m), server);
          for (std::size_t i = 0; i < socks.size(); ++i) {
            for (int attempt = 0; attempt < 20; ++attempt) {
              std::error_code ec;
              auto [data, from] = socks[i].recvfrom(1024, 0, ec);
              if (ec == std::errc::timed_out) {
                ++resent;
                socks[i].sendto(text(i, m), server);
                continue;
              }
              if (ec) break;
              if (data == text(i, m) && from == server) {
                ++verified;
                break;
              }
            }
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& th : pool) th.join();
  return verified.load();
}

TEST(ThreadingUDPServer, TwoHundredClientsHundredDatagramsEach) {
  FdLeakGuard guard;
  {
    Running<ThreadingUDPServer> r(Address("127.0.0.1", 0), handler<EchoDatagram>());
    Address addr = r.server.server_address;
    std::atomic<int> resent{0};
    int ok = exchange_datagrams(
        [] {
          Socket s(Family::inet, Type::dgram);
          s.settimeout(1.0);
          return s;
        },
        addr, 200, 100, 8, resent);
    EXPECT_EQ(ok, 200 * 100);
    RecordProperty("resent", resent.load());
  }
  EXPECT_EQ(guard.leaked(), 0);
}

TEST(UnixDatagramServer, EchoesEachDatagramToItsSender) {
  TempUnixPath path;
  Running<UnixDatagramServer> r(Address::unix_path(path.path()), handler<EchoDatagram>());
  Socket c(Family::unix, Type::dgram);
  c.bind(Address::unix_path(path.dir() + "/client"));
  c.settimeout(30.0);
  for (int i = 0; i < 20; ++i) {
    c.sendto("hello " + std::to_string(i), Address::unix_path(path.path()));
    EXPECT_EQ(c.recv(100), "hello " + std::to_string(i));
  }
  ::unlink((path.dir() + "/client").c_str());
}

// The forking server runs in a child process forked while this process has one thread, and
// serves exactly `clients` connections with handle_request(); the child exits 0 only if no
// zombie is left after server_close().
TEST(ForkingTCPServer, ServesConcurrentClientsAndReapsChildren) {
  constexpr int clients = 50;
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    int status = 2;
    try {
      Backlogged<ForkingTCPServer> server(Address("127.0.0.1", 0), handler<EchoLines>());
      std::uint16_t port = server.server_address.port();
      if (::write(pipefd[1], &port, sizeof port) != sizeof port) ::_exit(4);
      for (int i = 0; i < clients; ++i) server.handle_request();
      server.server_close();  // block_on_close: waits for every child
      int st = 0;
      bool no_zombies = server.active_children().empty() && ::waitpid(-1, &st, WNOHANG) < 0;
      status = no_zombies ? 0 : 3;
    } catch (...) {
      status = 5;
    }
    ::_exit(status);
  }
  ::close(pipefd[1]);
  std::uint16_t port = 0;
  ASSERT_EQ(::read(pipefd[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  ::close(pipefd[0]);
  int ok = exchange_lines(
      [&] {
        Socket s(Family::inet);
        s.connect(Address("127.0.0.1", port));
        return s;
      },
      clients, 50, 5);
  EXPECT_EQ(ok, clients * 50);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Out of descriptors: accept fails with EMFILE while a client waits. serve_forever ignores the
// error (as Python), backs off, and serves the client once descriptors are free again.
class StarvedServer : public TCPServer {
 public:
  using TCPServer::TCPServer;
  int emfile = 0;
  std::vector<int> filler;
  std::atomic<bool> served{false};
  std::pair<Request, Address> get_request() override {
    try {
      return TCPServer::get_request();
    } catch (const Error& e) {
      if (e.code() == std::errc::too_many_files_open) ++emfile;
      throw;
    }
  }
  void service_actions() override {
    if (emfile >= 3 && !filler.empty()) {  // recovery: give the descriptors back
      for (int fd : filler) ::close(fd);
      filler.clear();
    }
  }
  void process_request(Request& request, const Address& client_address) override {
    TCPServer::process_request(request, client_address);
    served = true;
  }
};

TEST(TCPServer, AcceptOutOfDescriptorsRecovers) {
#ifdef __SANITIZE_ADDRESS__
  // The ASan/UBSan runtimes need descriptors of their own (UBSan's vptr check probes memory
  // through a pipe), so a process without any spare cannot run under them.
  GTEST_SKIP() << "needs a process with no spare descriptors; not under ASan/UBSan";
#endif
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // the server, in a process of its own so the limit touches nothing else
    ::close(pipefd[0]);
    int status = 2;
    try {
      StarvedServer server(Address("127.0.0.1", 0), handler<EchoLines>());
      std::uint16_t port = server.server_address.port();
      if (::write(pipefd[1], &port, sizeof port) != sizeof port) ::_exit(4);
      ::close(pipefd[1]);
      // The thread first: starting one may need descriptors (sanitizer runtimes do).
      std::thread stopper([&] {
        for (int i = 0; i < 3000 && !server.served; ++i) std::this_thread::sleep_for(10ms);
        server.shutdown();
      });
      rlimit rl{};
      ::getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = static_cast<rlim_t>(FdLeakGuard::count_open() + 8);
      if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) ::_exit(6);
      for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
        server.filler.push_back(fd);
      if (errno != EMFILE) ::_exit(7);
      server.serve_forever(std::chrono::milliseconds(20));
      stopper.join();
      server.server_close();
      status = server.served && server.emfile >= 3 ? 0 : 3;
    } catch (...) {
      status = 5;
    }
    ::_exit(status);
  }
  ::close(pipefd[1]);
  std::uint16_t port = 0;
  ASSERT_EQ(::read(pipefd[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  ::close(pipefd[0]);
  {
    Socket c(Family::inet);
    c.settimeout(30.0);
    c.connect(Address("127.0.0.1", port));  // completes in the backlog while accept fails
    c.sendall("after EMFILE\n");
    io::SocketFile f(c);
    EXPECT_EQ(f.readline(), "after EMFILE\n");
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A handler that answers once the test lets it: a request "in flight" during shutdown().
class Gate : public StreamRequestHandler {
 public:
  Gate(std::promise<void>* got, std::shared_future<void> release)
      : got_(got), release_(std::move(release)) {}
  void handle() override {
    std::string line = readline();
    got_->set_value();
    release_.wait();
    wfile->write("done: " + line);
  }

 private:
  std::promise<void>* got_;
  std::shared_future<void> release_;
};

TEST(ThreadingTCPServer, ShutdownWhileRequestInFlightFinishesTheReply) {
  std::promise<void> got, release;
  std::shared_future<void> released = release.get_future().share();
  ThreadingTCPServer server(Address("127.0.0.1", 0), [&]() -> std::unique_ptr<BaseRequestHandler> {
    return std::make_unique<Gate>(&got, released);
  });
  std::thread serving([&] { server.serve_forever(); });
  Socket c(Family::inet);
  c.settimeout(30.0);
  c.connect(server.server_address);
  c.sendall("work\n");
  got.get_future().wait();  // the handler holds the request
  server.shutdown();        // returns once serve_forever stopped, handler still running
  serving.join();
  release.set_value();
  server.server_close();  // block_on_close: waits for the handler thread
  EXPECT_EQ(server.thread_count(), 0u);
  io::SocketFile f(c);
  EXPECT_EQ(f.readline(), "done: work\n");
  EXPECT_EQ(f.readline(), "");  // then the connection was closed
}

TEST(ThreadingTCPServer, ShutdownWithIdleClientsConnected) {
  Running<Backlogged<ThreadingTCPServer>> r(Address("127.0.0.1", 0), handler<EchoLines>());
  std::vector<Socket> idle;
  for (int i = 0; i < 10; ++i) {
    idle.emplace_back(Family::inet);
    idle.back().connect(r.server.server_address);
    idle.back().settimeout(30.0);
  }
  // Make sure each connection is being served: one echo each.
  for (auto& s : idle) {
    s.sendall("hi\n");
    EXPECT_EQ(s.recv(10), "hi\n");
  }
  r.server.shutdown();  // stops serving with clients still connected
  // The handlers keep serving their clients until those leave; close them so
  // server_close() can join.
  for (auto& s : idle) s.close();
  r.stop();
}

class Thrower : public StreamRequestHandler {
 public:
  void handle() override {
    std::string line = readline();
    if (line == "boom\n") throw std::runtime_error("handler failed on purpose");
    wfile->write("fine\n");
  }
};

TEST(ThreadingTCPServer, HandlerExceptionIsReportedAndServingContinues) {
  Running<ThreadingTCPServer> r(Address("127.0.0.1", 0), handler<Thrower>());
  testing::internal::CaptureStderr();
  Socket bad(Family::inet);
  bad.settimeout(30.0);
  bad.connect(r.server.server_address);
  Address bad_local = bad.getsockname();
  bad.sendall("boom\n");
  EXPECT_EQ(bad.recv(10), "");  // the failed request's connection is closed
  Socket good(Family::inet);
  good.settimeout(30.0);
  good.connect(r.server.server_address);
  good.sendall("hello\n");
  EXPECT_EQ(good.recv(10), "fine\n");
  r.stop();
  std::string err = testing::internal::GetCapturedStderr();
  std::string dashes(40, '-');
  EXPECT_EQ(err, dashes + "\nException occurred during processing of request from " +
                     bad_local.repr() + "\nhandler failed on purpose\n" + dashes + "\n");
}

class IdleLimited : public EchoLines {
 public:
  IdleLimited() { timeout = std::chrono::milliseconds(100); }
};

TEST(ThreadingTCPServer, IdleClientIsCutByHandlerTimeout) {
  Running<ThreadingTCPServer> r(Address("127.0.0.1", 0), handler<IdleLimited>());
  testing::internal::CaptureStderr();
  Socket idle(Family::inet);
  idle.settimeout(30.0);
  idle.connect(r.server.server_address);
  // Nothing sent: the handler's read times out and the server closes the connection.
  EXPECT_EQ(idle.recv(10), "");
  // Another client is served meanwhile.
  Socket active(Family::inet);
  active.settimeout(30.0);
  active.connect(r.server.server_address);
  active.sendall("still here\n");
  EXPECT_EQ(active.recv(100), "still here\n");
  active.close();
  r.stop();
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("recv_into from 127.0.0.1:"), std::string::npos) << err;  // names the peer
  EXPECT_NE(err.find(": timed out"), std::string::npos) << err;
}

class Limited : public StreamRequestHandler {
 public:
  Limited() { max_line = 64; }
  void handle() override {
    try {
      for (std::string line; !(line = readline()).empty();) wfile->write(line);
    } catch (const io::LineTooLongError& e) {
      wfile->write("error: line longer than " + std::to_string(e.limit()) + " bytes\n");
    }
  }
};

TEST(ThreadingTCPServer, OverlongLineGetsClearErrorOthersServed) {
  Running<ThreadingTCPServer> r(Address("127.0.0.1", 0), handler<Limited>());
  Socket other(Family::inet);
  other.settimeout(30.0);
  other.connect(r.server.server_address);
  Socket bad(Family::inet);
  bad.settimeout(30.0);
  bad.connect(r.server.server_address);
  bad.sendall(std::string(64, 'x'));  // exactly the limit, no newline: too long
  io::SocketFile f(bad);
  EXPECT_EQ(f.readline(), "error: line longer than 64 bytes\n");
  EXPECT_EQ(f.readline(), "");
  other.sendall("short line\n");
  EXPECT_EQ(other.recv(100), "short line\n");
}

class CountingServer : public TCPServer {
 public:
  using TCPServer::TCPServer;
  int timeouts = 0;
  int refused = 0;
  void handle_timeout() override { ++timeouts; }
  bool verify_request(Request& request, const Address& addr) override {
    if (TCPServer::verify_request(request, addr) && refused > 0) return true;
    ++refused;  // refuse the first client
    return false;
  }
};

TEST(TCPServer, HandleRequestTimeoutAndVerifyRequest) {
  CountingServer server(Address("127.0.0.1", 0), handler<EchoLines>());
  server.timeout = std::chrono::milliseconds(10);
  server.handle_request();  // nobody connects
  EXPECT_EQ(server.timeouts, 1);
  server.timeout = std::nullopt;
  Socket first(Family::inet);
  first.settimeout(30.0);
  first.connect(server.server_address);
  server.handle_request();  // refused by verify_request: closed without a handler
  EXPECT_EQ(server.refused, 1);
  EXPECT_EQ(first.recv(10), "");
  Socket second(Family::inet);
  second.settimeout(30.0);
  second.connect(server.server_address);
  second.sendall("served\n");
  second.shutdown(Shut::wr);
  server.handle_request();  // a synchronous server runs the handler inline
  EXPECT_EQ(second.recv(100), "served\n");
  server.server_close();
  EXPECT_EQ(server.fileno(), -1);
}

TEST(TCPServer, BindErrorsNameTheAddress) {
  TCPServer first(Address("127.0.0.1", 0), handler<EchoLines>());
  Address taken = first.server_address;
  try {
    TCPServer second(taken, handler<EchoLines>());
    FAIL() << "binding a taken port must fail";
  } catch (const AddressInUseError& e) {
    EXPECT_EQ(std::string(e.what()), "bind to " + taken.to_string() + ": Address already in use");
  }
  EXPECT_THROW(UnixStreamServer(Address("127.0.0.1", 0), handler<EchoLines>()),
               std::invalid_argument);
}

TEST(TCPServer, AllowReuseAddressIsAppliedBeforeBind) {
  TCPServer server(Address("127.0.0.1", 0), handler<EchoLines>(), false);
  EXPECT_FALSE(server.socket.getsockopt(opt::reuse_address));  // Python's default: False
  server.allow_reuse_address = true;
  server.allow_reuse_port = true;
  server.server_bind();
  server.server_activate();
  EXPECT_TRUE(server.socket.getsockopt(opt::reuse_address));
  EXPECT_TRUE(server.socket.getsockopt(opt::reuse_port));
  EXPECT_NE(server.server_address.port(), 0);
}

// The matrix (CPython's run_server): every server class, synchronous and threaded, stream and
// datagram, IPv4 and Unix, with the same echo exchange. (Forking: see ForkingTCPServer above.)
template <class S>
class ServerMatrix : public ::testing::Test {};
using ServerTypes =
    ::testing::Types<TCPServer, ThreadingTCPServer, UDPServer, ThreadingUDPServer, UnixStreamServer,
                     ThreadingUnixStreamServer, UnixDatagramServer, ThreadingUnixDatagramServer>;
TYPED_TEST_SUITE(ServerMatrix, ServerTypes);

TYPED_TEST(ServerMatrix, EchoesFiveClientsFiveMessagesEach) {
  constexpr bool is_unix = std::is_base_of_v<UnixStreamServer, TypeParam> ||
                           std::is_base_of_v<UnixDatagramServer, TypeParam>;
  constexpr bool is_dgram = std::is_base_of_v<UDPServer, TypeParam>;
  TempUnixPath path;
  FdLeakGuard guard;
  {
    Address addr = is_unix ? Address::unix_path(path.path()) : Address("127.0.0.1", 0);
    HandlerFactory factory = is_dgram ? handler<EchoDatagram>() : handler<EchoLines>();
    Running<TypeParam> r(addr, factory);
    const Address server = r.server.server_address;
    for (int c = 0; c < 5; ++c) {
      Socket s(is_unix ? Family::unix : Family::inet, is_dgram ? Type::dgram : Type::stream);
      s.settimeout(30.0);
      if (is_dgram && is_unix) s.bind(Address::unix_path(path.dir() + "/c" + std::to_string(c)));
      if (!is_dgram) s.connect(server);
      io::SocketFile f(s);
      for (int m = 0; m < 5; ++m) {
        std::string msg = "client " + std::to_string(c) + " message " + std::to_string(m) + "\n";
        if (is_dgram) {
          s.sendto(msg, server);
          EXPECT_EQ(s.recv(100), msg);
        } else {
          s.sendall(msg);
          EXPECT_EQ(f.readline(), msg);
        }
      }
      // A synchronous stream server serves one connection at a time: leave before the next.
    }
  }
  EXPECT_EQ(guard.leaked(), 0);
}

class NoDelayReport : public StreamRequestHandler {
 public:
  NoDelayReport() {
    disable_nagle_algorithm = true;
    wbufsize = 4096;  // buffered wfile: finish() flushes it
  }
  void handle() override {
    wfile->write(connection().getsockopt(opt::no_delay) ? "nodelay on\n" : "nodelay off\n");
  }
};

TEST(StreamRequestHandler, DisablesNagleAndFlushesBufferedWfileInFinish) {
  TCPServer server(Address("127.0.0.1", 0), handler<NoDelayReport>());
  Socket c(Family::inet);
  c.settimeout(30.0);
  c.connect(server.server_address);
  server.handle_request();
  io::SocketFile f(c);
  EXPECT_EQ(f.readline(), "nodelay on\n");
  EXPECT_EQ(f.readline(), "");
}

}  // namespace
}  // namespace soket::server

// -- stopping a server that has requests in flight ---------------------------------------------

namespace soket::server {
namespace {

// "e": echoes what arrives until EOF; "f": floods the client with bytes, so a client that
// does not read leaves it blocked in send (shutdown(SHUT_RD) does not wake that).
std::atomic<std::size_t> flooded{0};
class EchoOrFlood : public BaseRequestHandler {
 public:
  void handle() override {
    Socket& s = request().socket();
    if (s.recv(1) == "f") {
      const std::string chunk(65536, 'x');
      for (;;) flooded += s.send(chunk);
    }
    for (std::string d; !(d = s.recv(65536)).empty();) s.sendall(d);
  }
};

TEST(ThreadingTCPServer, StopRequestsEndsIdleAndBlockedHandlers) {
  ThreadingTCPServer server(Address("127.0.0.1", 0), handler<EchoOrFlood>());
  std::thread serving([&] { server.serve_forever(); });
  std::vector<Socket> idle;
  for (int i = 0; i < 5; ++i) {
    idle.emplace_back(Family::inet);
    idle.back().settimeout(30.0);
    idle.back().connect(server.server_address);
    idle.back().sendall("ehi");
    EXPECT_EQ(idle.back().recv(10), "hi");
  }
  Socket stuck(Family::inet);
  stuck.setsockopt(opt::receive_buffer_size, 4096);
  stuck.connect(server.server_address);
  stuck.sendall("f");
  // Wait (bounded) until the flood stops advancing: its handler is blocked in send.
  for (std::size_t last = 0, i = 0; i < 500; ++i) {
    std::this_thread::sleep_for(20ms);
    std::size_t now = flooded.load();
    if (now != 0 && now == last) break;
    last = now;
  }

  server.shutdown();
  serving.join();
  // Idle handlers end at once (their reads see EOF); the stuck one only when forced.
  EXPECT_EQ(server.stop_requests(std::chrono::milliseconds(300)), 1u);
  EXPECT_EQ(server.thread_count(), 0u);
  for (auto& s : idle) EXPECT_EQ(s.recv(10), "");
  server.server_close();
}

TEST(ForkingTCPServer, StopChildrenEndsRequestsStillRunning) {
  Backlogged<ForkingTCPServer> server(Address("127.0.0.1", 0), handler<EchoLines>());
  std::vector<Socket> idle;
  for (int i = 0; i < 3; ++i) {
    idle.emplace_back(Family::inet);
    idle.back().settimeout(30.0);
    idle.back().connect(server.server_address);
    server.handle_request();  // forks a child that waits for this client's lines
    idle.back().sendall("hi\n");
    EXPECT_EQ(idle.back().recv(10), "hi\n");
  }
  EXPECT_EQ(server.active_children().size(), 3u);
  server.stop_children(std::chrono::seconds(5));  // SIGTERM ends them
  EXPECT_TRUE(server.active_children().empty());
  for (auto& s : idle) EXPECT_EQ(s.recv(10), "");
  int st = 0;
  EXPECT_LT(::waitpid(-1, &st, WNOHANG), 0);  // no zombies
  server.server_close();
}

TEST(UnixStreamServer, RemoveStaleUnixSocketRemovesOnlyADeadSocket) {
  TempUnixPath path;
  Address where = Address::unix_path(path.path());
  remove_stale_unix_socket(where);  // nothing there: nothing to do
  {
    std::FILE* f = std::fopen(path.path().c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  EXPECT_EQ(soket::test::error_of([&] { remove_stale_unix_socket(where); }),
            "bind to '" + path.path() +
                "': a regular file is there, not a socket; not removing it: File exists");
  EXPECT_EQ(::access(path.path().c_str(), F_OK), 0);
  ::unlink(path.path().c_str());
  {
    Socket dead(Family::unix);
    dead.bind(where);
  }
  remove_stale_unix_socket(where);
  EXPECT_NE(::access(path.path().c_str(), F_OK), 0);
  UnixStreamServer live(where, handler<EchoLines>());
  EXPECT_THROW(remove_stale_unix_socket(where), AddressInUseError);
  live.server_close();
  remove_unix_socket(where);
  EXPECT_NE(::access(path.path().c_str(), F_OK), 0);
  remove_stale_unix_socket(Address::abstract("soket-test-abstract"));  // no file: nothing to do
}

TEST(StopSignals, WaitReturnsTheSignalAndServeStopsTheServer) {
  ThreadingTCPServer server(Address("127.0.0.1", 0), handler<EchoLines>());
  StopSignals signals({SIGUSR2});
  const pthread_t self = pthread_self();
  EXPECT_EQ(signals.wait_for(std::chrono::milliseconds(10)), std::nullopt);
  std::thread sender([&] {
    Socket c(Family::inet);
    c.settimeout(30.0);
    c.connect(server.server_address);  // served, then the signal stops the server
    c.sendall("x\n");
    EXPECT_EQ(c.recv(10), "x\n");
    pthread_kill(self, SIGUSR2);
  });
  EXPECT_EQ(signals.serve(server), SIGUSR2);
  sender.join();
  server.stop_requests(std::chrono::seconds(1));
  server.server_close();
}

// -- shared state and names ----------------------------------------------------------------------

struct Tally {
  std::mutex mutex;
  std::vector<std::string> clients;
};

// Takes the shared object by reference: handler<Counted>(std::ref(tally)).
class Counted : public StreamRequestHandler {
 public:
  explicit Counted(Tally& tally) : tally_(tally) {}
  void handle() override {
    std::lock_guard lock(tally_.mutex);
    tally_.clients.push_back(client_address.repr());  // a member, as server().server_address
    wfile->write(std::to_string(tally_.clients.size()) + "\n");
  }

 private:
  Tally& tally_;
};

TEST(HandlerFactory, SharesStateByStdRefAndNamesTheClientAsPythonDoes) {
  Tally tally;
  Running<ThreadingTCPServer> r(Address("127.0.0.1", 0), handler<Counted>(std::ref(tally)));
  std::vector<std::string> replies, addresses;
  for (int i = 0; i < 3; ++i) {
    Socket c(Family::inet);
    c.settimeout(30.0);
    c.connect(r.server.server_address);
    addresses.push_back(c.getsockname().repr());
    io::SocketFile f(c);
    replies.push_back(f.readline());
  }
  r.stop();
  EXPECT_EQ(replies, (std::vector<std::string>{"1\n", "2\n", "3\n"}));  // one object, shared
  EXPECT_EQ(tally.clients, addresses);
}

}  // namespace
}  // namespace soket::server
