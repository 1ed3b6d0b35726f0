// SPDX-License-Identifier: MIT
// SocketFile (makefile) and the iostream adapters over real loopback sockets.
#include <soket/io/socket_file.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "support/support.hpp"

namespace soket::io {
namespace {

using namespace std::chrono_literals;
using soket::test::loopback_pair;

TEST(SocketFile, ReadlineKeepsNewlineAndEndsWithEmptyString) {
  auto [a, b] = loopback_pair();
  a.sendall("first\nsecond\nlast without newline");
  a.close();
  SocketFile f(b);
  EXPECT_EQ(f.readline(), "first\n");
  EXPECT_EQ(f.readline(), "second\n");
  EXPECT_EQ(f.readline(), "last without newline");
  EXPECT_EQ(f.readline(), "");
  EXPECT_EQ(f.readline(), "");
}

TEST(SocketFile, ReadlineAcrossManySmallBuffers) {
  auto [a, b] = loopback_pair();
  std::string line(10000, 'x');
  std::thread writer([&, &a = a] {
    for (int i = 0; i < 3; ++i) a.sendall(line + "\n");
    a.close();
  });
  SocketFile f(b, 16);  // a tiny buffer: lines span many fills
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f.readline(), line + "\n");
  EXPECT_EQ(f.readline(), "");
  writer.join();
}

TEST(SocketFile, OverlongLineIsAnErrorWithBoundedMemoryAndNoLoss) {
  auto [a, b] = loopback_pair();
  a.sendall(std::string(100, 'y') + "\nok\n");
  SocketFile f(b, 8);
  try {
    f.readline_bounded(50);
    FAIL() << "a 100-byte line must exceed a 50-byte limit";
  } catch (const LineTooLongError& e) {
    EXPECT_EQ(e.limit(), 50u);
    EXPECT_STREQ(e.what(), "readline: line longer than 50 bytes");
  }
  // Nothing was dropped: the whole line is still there.
  EXPECT_EQ(f.read(101), std::string(100, 'y') + "\n");
  EXPECT_EQ(f.readline(), "ok\n");
  // A line of exactly the limit (newline included) is accepted.
  a.sendall("abcd\n");
  EXPECT_EQ(f.readline_bounded(5), "abcd\n");
  EXPECT_THROW(f.readline_bounded(0), std::invalid_argument);
}

// Python: readline(limit) returns the first `limit` bytes of a longer line; the rest follows.
TEST(SocketFile, ReadlineLimitReturnsThePartialLineLikePython) {
  auto [a, b] = loopback_pair();
  a.sendall("abcdefgh\nij\n");
  SocketFile f(b, 4);
  EXPECT_EQ(f.readline(3), "abc");
  EXPECT_EQ(f.readline(3), "def");
  EXPECT_EQ(f.readline(100), "gh\n");
  EXPECT_EQ(f.readline(0), "");  // Python: b''
  EXPECT_EQ(f.readline(3), "ij\n");
}

// A read(n) that times out after part of n arrived must not lose that part.
TEST(SocketFile, ReadThatTimesOutKeepsTheBytesItTook) {
  auto [a, b] = loopback_pair();
  b.settimeout(0.05);
  SocketFile f(b, 16);
  a.sendall("0123456789");                  // through the buffer (n < buffer size)
  EXPECT_THROW(f.read(12), TimeoutError);   // 10 of 12 arrived
  EXPECT_THROW(f.read(100), TimeoutError);  // the same 10 again, via the direct path
  a.sendall("ab");
  EXPECT_EQ(f.read(12), "0123456789ab");
  a.sendall("tail");
  EXPECT_THROW(f.read_exact(8), TimeoutError);
  a.sendall("more");
  EXPECT_EQ(f.read_exact(8), "tailmore");
}

// makefile(sock, 0): Python's buffering=0. Reading a line takes nothing past it, so the bytes
// after it are still in the socket when the file is dropped.
TEST(SocketFile, UnbufferedFileTakesOnlyWhatItReturns) {
  auto [a, b] = loopback_pair();
  a.sendall("line\nrest");
  a.shutdown(Shut::wr);
  {
    SocketFile f = makefile(b, 0);
    EXPECT_EQ(f.readline(), "line\n");
    EXPECT_EQ(f.read1(2), "re");
  }
  EXPECT_EQ(b.recv(100), "st");
  // Writes go out at once.
  SocketFile w = makefile(b, 0);
  w.write("now");
  EXPECT_EQ(a.recv(10), "now");
}

TEST(SocketFile, ReadAndReadExact) {
  auto [a, b] = loopback_pair();
  a.sendall("0123456789");
  SocketFile f(b, 4);
  EXPECT_EQ(f.read(3), "012");
  EXPECT_EQ(f.read_exact(4), "3456");
  a.close();
  EXPECT_EQ(f.read(100), "789");  // fewer only at EOF
  EXPECT_EQ(f.read(5), "");
}

TEST(SocketFile, ReadExactFailsAtEarlyEof) {
  auto [a, b] = loopback_pair();
  a.sendall("abc");
  a.close();
  SocketFile f(b);
  try {
    f.read_exact(10);
    FAIL();
  } catch (const IncompleteReadError& e) {
    EXPECT_EQ(e.expected(), 10u);
    EXPECT_EQ(e.partial(), "abc");
    EXPECT_STREQ(e.what(), "read_exact: end of file after 3 of 10 bytes");
  }
}

TEST(SocketFile, LargeReadBypassesBuffer) {
  auto [a, b] = loopback_pair();
  std::string big(200000, 'z');
  std::thread writer([&, &a = a] { a.sendall(big); });
  SocketFile f(b, 1024);
  EXPECT_EQ(f.read_exact(big.size()), big);
  writer.join();
}

TEST(SocketFile, RangeForOverLines) {
  auto [a, b] = loopback_pair();
  a.sendall("one\ntwo\nthree\n");
  a.close();
  std::vector<std::string> lines;
  SocketFile f = makefile(b);
  for (const auto& line : f) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"one\n", "two\n", "three\n"}));
}

TEST(SocketFile, WritesAreBufferedUntilFlush) {
  auto [a, b] = loopback_pair();
  SocketFile w(a, 64);
  w.write("hello ");
  w.write("world\n");
  b.settimeout(0.05);
  EXPECT_THROW(b.recv(100), TimeoutError);  // still in the buffer
  w.flush();
  b.settimeout(5.0);
  SocketFile r(b);
  EXPECT_EQ(r.readline(), "hello world\n");
  // A write larger than the buffer goes straight through.
  w.write(std::string(100, 'q'));
  EXPECT_EQ(r.read_exact(100), std::string(100, 'q'));
}

TEST(SocketFile, WriteThroughSendsAtOnce) {
  auto [a, b] = loopback_pair();
  SocketFile w(a, 64, true);
  w.write("now\n");
  b.settimeout(5.0);
  EXPECT_EQ(b.recv(10), "now\n");
}

TEST(SocketFile, HonoursSocketTimeout) {
  auto [a, b] = loopback_pair();
  b.settimeout(0.05);
  SocketFile f(b);
  try {
    f.readline();
    FAIL();
  } catch (const TimeoutError& e) {
    // The peer is named (the client's address, seen from b).
    EXPECT_EQ(e.what(), "recv_into from " + a.getsockname().to_string() + ": timed out");
  }
}

TEST(SocketFile, ErrorsOfTheSocketPropagate) {
  auto [a, b] = loopback_pair();
  b.close();
  SocketFile w(a, 8, true);
  // Writing to a closed peer ends in EPIPE/ECONNRESET (never SIGPIPE).
  EXPECT_THROW(
      {
        for (int i = 0; i < 1000; ++i) w.write(std::string(4096, 'x'));
      },
      ConnectionError);
}

TEST(SocketStream, IstreamAndOstreamAdapters) {
  auto [a, b] = loopback_pair();
  SocketStream out(a);
  out << "alpha " << 42 << '\n' << "beta\n" << std::flush;
  ASSERT_TRUE(out.good());
  SocketStream in(b);
  std::string word;
  int number = 0;
  in >> word >> number;
  EXPECT_EQ(word, "alpha");
  EXPECT_EQ(number, 42);
  std::string line;
  std::getline(in, line);  // rest of the first line
  std::getline(in, line);
  EXPECT_EQ(line, "beta");
  a.close();
  EXPECT_FALSE(std::getline(in, line));
  EXPECT_TRUE(in.eof());
  EXPECT_FALSE(in.buffer().error());
}

TEST(SocketStream, TimeoutEndsStreamWithError) {
  auto [a, b] = loopback_pair();
  b.settimeout(0.05);
  SocketStream in(b);
  std::string line;
  EXPECT_FALSE(std::getline(in, line));
  EXPECT_EQ(in.buffer().error(), std::errc::timed_out);
  EXPECT_EQ(in.buffer().error_message(),
            "recv_into from " + a.getsockname().to_string() + ": timed out");
}

}  // namespace
}  // namespace soket::io
