// SPDX-License-Identifier: MIT
// Connection::sendfile on both pollers (this file runs again with SOKET_BACKEND=uring, where a
// file region goes out as splices on the ring: file -> pipe -> socket). Real files on tmpfs
// and on disk, Python readers over loopback: a 100 MiB file to a slow reader with bounded
// memory, a file truncated while it is sent, many connections at once, a peer that resets
// mid-file (and the next file comes out exact: no bytes of the last one left in a pooled pipe).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <soket/event.hpp>

#include "support/eventually.hpp"
#include "support/support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace soket;
using namespace soket::event;
using soket::test::Child;

namespace {

using soket::test::eventually;

/// Serves a file per request line ("<path>\n"): sendfile of all of it, then close.
struct FileServer : Handler, test::CloseLog {
  std::atomic<int> queued{0};  // files queued with their whole size
  void on_data(Connection& c, Buffer& in) override {
    auto line = in.view();
    auto nl = line.find('\n');
    if (nl == std::string_view::npos) return;
    std::string path(line.substr(0, nl));
    in.retrieve_all();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return c.close();
    c.set_context(fd);
    std::error_code ec;
    c.sendfile(fd, 0, static_cast<std::size_t>(fs::file_size(path)), ec);
    if (ec) return c.close();
    ++queued;
    c.close_after_flush();
  }
  void on_close(Connection& c, std::error_code reason) override {
    if (int* fd = c.context<int>()) ::close(*fd);
    record(reason);
  }
};

struct Served {
  FileServer handler;
  std::unique_ptr<Server> server;
  Served() {
    ServerOptions o;
    o.threads = 1;
    server = std::make_unique<Server>(Address("127.0.0.1", 0), handler, o);
    server->start();
  }
  std::string port() const { return std::to_string(server->address().port()); }
};

// argv: port, path, pause (seconds after each 1 MiB), reset_after (bytes, 0: never), count
// (connections at once). Prints per connection "<bytes> <sha256>" in order.
const char* reader = R"(
import hashlib, selectors, socket, struct, sys, time
port, path, pause, reset_after, count = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sel = selectors.DefaultSelector()
state = []
for i in range(count):
    s = socket.create_connection(('127.0.0.1', port), timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(path.encode() + b'\n')
    s.setblocking(False)
    st = [s, 0, hashlib.sha256(), False, 0]
    state.append(st)
    sel.register(s, selectors.EVENT_READ, st)
left = count
deadline = time.time() + 120
while left and time.time() < deadline:
    for key, _ in sel.select(timeout=1):
        st = key.data
        b = st[0].recv(65536)
        if b:
            st[1] += len(b); st[2].update(b); st[4] += len(b)
            if pause and st[4] >= 1 << 20:
                st[4] = 0; time.sleep(pause)
            if reset_after and st[1] >= reset_after:
                st[0].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        if not b or (reset_after and st[1] >= reset_after):
            sel.unregister(st[0]); st[0].close(); left -= 1
for st in state:
    print(st[1], st[2].hexdigest(), flush=True)
)";

std::string sha256_of(const fs::path& p) {
  Child sum({"sha256sum", p.string()});
  auto line = sum.read_line();
  sum.wait();
  return line ? line->substr(0, 64) : "";
}

/// A file of `size` random bytes in `dir` (removed with the object).
struct TempFile {
  fs::path path;
  TempFile(const fs::path& dir, std::size_t size) {
    static std::atomic<int> serial{0};
    path = dir / ("soket-file-send-" + std::to_string(::getpid()) + "-" + std::to_string(++serial));
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 rng(size);
    std::vector<std::uint64_t> block(1 << 14);
    for (std::size_t done = 0; done < size;) {
      for (auto& x : block) x = rng();
      std::size_t n = std::min(size - done, block.size() * 8);
      out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
      done += n;
    }
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

std::vector<std::string> read_all(Served& s, const fs::path& p, const std::string& pause,
                                  std::size_t reset_after, int count) {
  Child py(test::python_argv(
      reader, {s.port(), p.string(), pause, std::to_string(reset_after), std::to_string(count)}));
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    auto line = py.read_line(120s);
    if (!line) break;
    lines.push_back(*line);
  }
  EXPECT_EQ(py.wait(60s), 0) << py.read_stderr();
  return lines;
}

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

int pipes_open() {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = fs::read_symlink(e.path(), ec);
    if (!ec && target.string().starts_with("pipe:")) ++n;
  }
  return n;
}

bool on_ring() {
  Loop probe(Backend::automatic);
  return probe.backend() == Backend::uring;
}

void expect_exact(const std::vector<std::string>& lines, const TempFile& f, std::size_t size,
                  int count) {
  std::string want = std::to_string(size) + " " + sha256_of(f.path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(count));
  for (const auto& l : lines) EXPECT_EQ(l, want);
}

TEST(EventFileSend, FileOnTmpfsAndOnDiskArriveExact) {
  Served s;
  std::size_t served = 0;
  for (const fs::path& dir : {fs::path("/dev/shm"), fs::current_path()}) {
    if (!fs::is_directory(dir)) continue;
    TempFile f(dir, (3 << 20) + 12345);
    expect_exact(read_all(s, f.path, "0", 0, 1), f, (3 << 20) + 12345, 1);
    ++served;
  }
  ASSERT_TRUE(eventually([&] { return s.handler.closed().size() == served; }));
  for (const auto& r : s.handler.closed()) EXPECT_FALSE(r) << r.message();
}

TEST(EventFileSend, HundredMiBToASlowReaderKeepsMemoryBoundedAndUsesTheRingOnUring) {
  Served s;
  constexpr std::size_t size = 100 << 20;
  TempFile f(fs::current_path(), size);
  long before = resident_kib();
  std::atomic<bool> done{false};
  std::atomic<long> peak{0};
  std::atomic<int> most_pipes{0};
  int pipes_before = pipes_open();
  std::thread watch([&] {
    while (!done) {
      peak = std::max(peak.load(), resident_kib());
      most_pipes = std::max(most_pipes.load(), pipes_open());
      std::this_thread::sleep_for(20ms);
    }
  });
  auto lines = read_all(s, f.path, "0.002", 0, 1);
  done = true;
  watch.join();
  expect_exact(lines, f, size, 1);
  // The file goes kernel to kernel: the server's memory does not follow its size.
  EXPECT_LT(peak.load() - before, 32 * 1024) << "resident grew by KiB";
  // On io_uring the region went through a pooled pipe (the Python child's own three pipes
  // were there before too); epoll's sendfile(2) needs none.
  if (on_ring())
    EXPECT_GT(most_pipes.load(), pipes_before + 3);
  else
    EXPECT_LE(most_pipes.load(), pipes_before + 3);
}

TEST(EventFileSend, FileTruncatedWhileSentClosesWithAnErrorAndNoHang) {
  Served s;
  constexpr std::size_t size = 64 << 20;
  TempFile f(fs::current_path(), size);
  std::thread cut([&] {
    // Once the region is queued with the whole size: the file then ends before it does.
    eventually([&] { return s.handler.queued.load() == 1; });
    std::this_thread::sleep_for(100ms);
    fs::resize_file(f.path, 1 << 20);
  });
  auto lines = read_all(s, f.path, "0.05", 0, 1);
  cut.join();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LT(std::stoull(lines[0]), size);
  ASSERT_TRUE(eventually([&] { return s.handler.closed().size() == 1; }));
  EXPECT_EQ(s.handler.closed()[0], std::errc::io_error) << s.handler.closed()[0].message();
}

TEST(EventFileSend, ManyConnectionsAtOnceEachGetTheWholeFile) {
  // More than the ring's pipe pool (64): the rest fall back to sendfile(2).
  Served s;
  constexpr std::size_t size = (2 << 20) + 7;
  TempFile f(fs::current_path(), size);
  expect_exact(read_all(s, f.path, "0", 0, 100), f, size, 100);
  ASSERT_TRUE(eventually([&] { return s.handler.closed().size() == 100; }));
  for (const auto& r : s.handler.closed()) EXPECT_FALSE(r) << r.message();
}

TEST(EventFileSend, PeerResettingMidFileClosesItAndTheNextFileIsExact) {
  Served s;
  constexpr std::size_t size = 32 << 20;
  TempFile f(fs::current_path(), size);
  auto lines = read_all(s, f.path, "0.01", 4 << 20, 4);
  ASSERT_EQ(lines.size(), 4u);
  ASSERT_TRUE(eventually([&] { return s.handler.closed().size() == 4; }));
  for (const auto& r : s.handler.closed()) EXPECT_TRUE(r) << "a reset is not an orderly end";
  // The pipes those transfers left bytes in are not reused with the bytes in them.
  expect_exact(read_all(s, f.path, "0", 0, 8), f, size, 8);
}

}  // namespace
