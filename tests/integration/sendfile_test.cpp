// SPDX-License-Identifier: MIT
// Socket::sendfile over TCP and Unix stream sockets: a 100 MiB file with offsets and counts,
// byte for byte; the read + send fallback for non-regular sources; Python's argument checks;
// timeouts (CPython test_socket's SendfileUsingSendTest / SendfileUsingSendfileTest).
#include <soket/socket.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <soket/create.hpp>
#include <soket/error.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::loopback_pair;
using soket::test::TempUnixPath;

namespace {

constexpr std::uint64_t big_size = 100ull << 20;

// The byte at position `i` of every test file: varies with the position, so a misplaced or
// repeated block shows.
std::uint8_t pattern(std::uint64_t i) {
  return static_cast<std::uint8_t>((i * 7) ^ (i >> 11));
}

void fill_pattern(std::vector<std::uint8_t>& buf, std::uint64_t from) {
  for (std::size_t k = 0; k < buf.size(); ++k) buf[k] = pattern(from + k);
}

// Reads `s` to EOF and checks each byte against pattern(start + n). Returns bytes read, or
// stops (returning what it has) at the first mismatch, counted in `bad`.
struct Received {
  std::uint64_t bytes = 0;
  std::uint64_t mismatches = 0;
  std::string error;
};

Received drain_and_check(Socket& s, std::uint64_t start) {
  Received r;
  std::vector<std::uint8_t> buf(1 << 20), want(1 << 20);
  try {
    for (;;) {
      std::size_t n = s.recv_into(std::as_writable_bytes(std::span<std::uint8_t>(buf)));
      if (n == 0) break;
      want.resize(n);
      fill_pattern(want, start + r.bytes);
      if (std::memcmp(buf.data(), want.data(), n) != 0) ++r.mismatches;
      r.bytes += n;
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// One 100 MiB file for the whole suite.
class Sendfile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempUnixPath;
    path_ = dir_->dir() + "/big.bin";
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    std::vector<std::uint8_t> block(1 << 20);
    for (std::uint64_t off = 0; off < big_size; off += block.size()) {
      fill_pattern(block, off);
      ASSERT_EQ(::pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)),
                static_cast<ssize_t>(block.size()));
    }
    ::close(fd);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }

  // Sends with `send` on one end of `pair` (then closes it) and checks what the other end gets.
  template <class SendFn>
  std::pair<std::size_t, Received> transfer(std::pair<Socket, Socket> pair, std::uint64_t start,
                                            SendFn send) {
    Received got;
    Socket rx = std::move(pair.second);
    std::thread reader([&] { got = drain_and_check(rx, start); });
    std::size_t sent = 0;
    try {
      sent = send(pair.first);
    } catch (...) {
      pair.first.close();
      reader.join();
      throw;
    }
    pair.first.close();
    reader.join();
    return {sent, got};
  }

  static inline TempUnixPath* dir_ = nullptr;
  static inline std::string path_;
  int fd_ = -1;
};

off_t position(int fd) {
  return ::lseek(fd, 0, SEEK_CUR);
}

}  // namespace

TEST_F(Sendfile, WholeFileOverTcpArrivesIntactAndAdvancesThePosition) {
  auto [sent, got] = transfer(loopback_pair(), 0, [&](Socket& s) { return s.sendfile(fd_); });
  EXPECT_EQ(sent, big_size);
  EXPECT_EQ(got.bytes, big_size);
  EXPECT_EQ(got.mismatches, 0u);
  EXPECT_EQ(got.error, "");
  EXPECT_EQ(position(fd_), static_cast<off_t>(big_size));
}

TEST_F(Sendfile, OffsetAndCountSelectTheRange) {
  const std::uint64_t offset = 12345, count = (7ull << 20) + 3;
  auto [sent, got] =
      transfer(loopback_pair(), offset, [&](Socket& s) { return s.sendfile(fd_, offset, count); });
  EXPECT_EQ(sent, count);
  EXPECT_EQ(got.bytes, count);
  EXPECT_EQ(got.mismatches, 0u);
  EXPECT_EQ(position(fd_), static_cast<off_t>(offset + count));
}

TEST_F(Sendfile, CountPastTheEndStopsAtEndOfFileAndOffsetPastItSendsNothing) {
  const std::uint64_t offset = big_size - 1000;
  auto [sent, got] = transfer(loopback_pair(), offset,
                              [&](Socket& s) { return s.sendfile(fd_, offset, 1ull << 30); });
  EXPECT_EQ(sent, 1000u);
  EXPECT_EQ(got.bytes, 1000u);
  EXPECT_EQ(got.mismatches, 0u);
  auto [none, nothing] =
      transfer(loopback_pair(), 0, [&](Socket& s) { return s.sendfile(fd_, big_size + 5); });
  EXPECT_EQ(none, 0u);
  EXPECT_EQ(nothing.bytes, 0u);
}

TEST_F(Sendfile, PathAndFileOverloadsOverAUnixStreamSocket) {
  auto [sent, got] = transfer(socketpair(), 100, [&](Socket& s) {
    return s.sendfile(std::filesystem::path(path_), 100, 3u << 20);
  });
  EXPECT_EQ(sent, 3u << 20);
  EXPECT_EQ(got.bytes, 3u << 20);
  EXPECT_EQ(got.mismatches, 0u);

  std::FILE* f = std::fopen(path_.c_str(), "rb");
  ASSERT_TRUE(f);
  auto [sent2, got2] =
      transfer(socketpair(), 5000, [&](Socket& s) { return s.sendfile(f, 5000, 70000); });
  EXPECT_EQ(sent2, 70000u);
  EXPECT_EQ(got2.mismatches, 0u);
  // The stream continues after the last byte sent, as Python's file.tell() would say.
  EXPECT_EQ(std::ftell(f), 75000);
  EXPECT_EQ(std::fgetc(f), pattern(75000));
  std::fclose(f);
}

TEST_F(Sendfile, APipeSourceFallsBackToReadAndSend) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  const std::uint64_t size = 3ull << 20;
  std::thread writer([&] {
    std::vector<std::uint8_t> block(1 << 16);
    for (std::uint64_t off = 0; off < size; off += block.size()) {
      fill_pattern(block, off);
      if (::write(p[1], block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
    }
    ::close(p[1]);
  });
  auto [sent, got] = transfer(loopback_pair(), 0, [&](Socket& s) { return s.sendfile(p[0]); });
  writer.join();
  EXPECT_EQ(sent, size);
  EXPECT_EQ(got.bytes, size);
  EXPECT_EQ(got.mismatches, 0u);
  ::close(p[0]);
}

TEST_F(Sendfile, ACharacterDeviceFallsBackAndHonoursCount) {
  auto [sent, got] = transfer(socketpair(), 0, [&](Socket& s) {
    return s.sendfile(std::filesystem::path("/dev/zero"), 0, 1000000);
  });
  EXPECT_EQ(sent, 1000000u);
  EXPECT_EQ(got.bytes, 1000000u);
}

TEST_F(Sendfile, AProcFileWithSizeZeroIsStillSentThroughTheFallback) {
  // /proc files are regular but report st_size 0; their contents come from read().
  auto [a, b] = socketpair();
  Socket& rx = b;
  std::string text;
  std::thread reader([&] {
    for (std::string part; !(part = rx.recv(4096)).empty();) text += part;
  });
  std::size_t sent = a.sendfile(std::filesystem::path("/proc/self/status"));
  a.close();
  reader.join();
  EXPECT_GT(sent, 0u);
  EXPECT_EQ(text.size(), sent);
  EXPECT_EQ(text.rfind("Name:", 0), 0u) << text.substr(0, 40);
}

TEST_F(Sendfile, AnOffsetOnAPipeIsAnIllegalSeek) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ASSERT_EQ(::write(p[1], "abc", 3), 3);
  auto [a, b] = socketpair();
  try {
    a.sendfile(p[0], 1);
    FAIL() << "sendfile seeked a pipe";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_seek);
    EXPECT_STREQ(e.what(), "sendfile: Illegal seek");
  }
  ::close(p[0]);
  ::close(p[1]);
}

TEST_F(Sendfile, PythonsArgumentChecks) {
  Socket udp(Family::inet, Type::dgram);
  try {
    udp.sendfile(fd_);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "sendfile: only SOCK_STREAM type sockets are supported");
  }
  auto [a, b] = socketpair();
  a.settimeout(0.0);
  try {
    a.sendfile(fd_);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "sendfile: non-blocking sockets are not supported");
  }
  a.settimeout(std::nullopt);
  try {
    a.sendfile(fd_, 0, 0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "sendfile: count must be a positive integer");
  }
  try {
    a.sendfile(std::filesystem::path("/nonexistent/soket-sendfile"));
    FAIL();
  } catch (const FileNotFoundError& e) {
    EXPECT_STREQ(e.what(), "sendfile: open /nonexistent/soket-sendfile: No such file or directory");
  }
  std::error_code ec;
  EXPECT_EQ(a.sendfile(-1, 0, std::nullopt, ec), 0u);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}

TEST_F(Sendfile, APeerThatNeverReadsTimesOut) {
  // Zero-copy path: the socket buffers fill long before 100 MiB.
  auto [a, b] = loopback_pair();
  a.settimeout(0.2);
  std::error_code ec;
  std::size_t sent = a.sendfile(fd_, 0, std::nullopt, ec);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_GT(sent, 0u);
  EXPECT_LT(sent, big_size);
  // The position tells how far it got, as Python's file.tell() after the error.
  EXPECT_EQ(position(fd_), static_cast<off_t>(sent));
  try {
    a.sendfile(fd_, sent);
    FAIL();
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.what(), "sendfile to " + b.getsockname().to_string() + ": timed out");
  }
  // Fallback path: /dev/zero never ends.
  auto [c, d] = socketpair();
  c.settimeout(0.2);
  EXPECT_THROW(c.sendfile(std::filesystem::path("/dev/zero")), TimeoutError);
}

TEST_F(Sendfile, ThePathOverloadsCloseTheFileWhenTheSendFails) {
  soket::test::FdLeakGuard leaks;
  {
    auto [a, b] = loopback_pair();  // b never reads: the send times out half-way
    a.settimeout(0.2);
    EXPECT_THROW(a.sendfile(std::filesystem::path(path_)), TimeoutError);
    std::error_code ec;
    a.sendfile(std::filesystem::path(path_), 0, std::nullopt, ec);
    EXPECT_EQ(ec, std::errc::timed_out);
  }
  EXPECT_EQ(leaks.leaked(), 0);
}
