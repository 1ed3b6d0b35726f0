// SPDX-License-Identifier: MIT
// libFuzzer target for SocketFile's line reading with a limit, over a real socketpair (the
// kernel, not a mock). Input: [limit-1] [buffer size-1] [number of steps] [steps...] [stream].
// The stream is sent and the sending side shut down; then the steps (readline(limit), read1,
// read) consume it. Every byte a call returns must be the next unread byte of the stream,
// lines end at the first '\n' or at the limit, and "" means end of file. A LineTooLongError
// must name a limit-long prefix with no '\n' in it, which it skipped.
#include <soket/io/socket_file.hpp>
#include <soket/socket.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// A failed property: say which, then abort so libFuzzer saves the input.
[[noreturn]] void fail(const char* what, std::size_t at) {
  std::fprintf(stderr, "readline_fuzz: at stream offset %zu: %s\n", at, what);
  std::abort();
}

// Well under a socketpair's buffer, so the whole stream is sent before anything is read.
constexpr std::size_t max_stream = 64 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t limit = std::size_t{data[0]} + 1;
  const std::size_t buffer_size = std::size_t{data[1]} % 64 + 1;
  const std::size_t nsteps = std::min<std::size_t>(data[2], size - 3);
  const std::uint8_t* steps = data + 3;
  std::string_view stream(reinterpret_cast<const char*>(steps + nsteps), size - 3 - nsteps);
  stream = stream.substr(0, max_stream);

  // ::socketpair and adopt() rather than soket::socketpair(), whose file needs options.cpp
  // (which clang 14 cannot compile).
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair", 0);
  soket::Socket reader = soket::Socket::adopt(fds[0]);
  soket::Socket writer = soket::Socket::adopt(fds[1]);
  writer.sendall(stream);
  writer.shutdown(soket::Shut::wr);
  soket::io::SocketFile file(reader, buffer_size);

  std::size_t pos = 0;  // stream offset of the next byte the file must return
  // The bytes a call returned must be exactly the next ones of the stream.
  auto consume = [&](const std::string& got) {
    if (stream.substr(pos, got.size()) != got) fail("returned bytes that are not next", pos);
    pos += got.size();
  };
  for (std::size_t i = 0;; ++i) {
    // After the scripted steps, readline until end of file.
    const std::uint8_t step = i < nsteps ? steps[i] : 0;
    const std::size_t n = step / 3;
    std::string got;
    switch (step % 3) {
      case 0: {
        try {
          got = file.readline(limit);
        } catch (const soket::io::LineTooLongError& e) {
          if (e.limit() != limit) fail("LineTooLongError names another limit", pos);
          if (stream.size() - pos < limit) fail("LineTooLongError before the limit", pos);
          if (stream.substr(pos, limit).find('\n') != std::string_view::npos)
            fail("LineTooLongError although a '\\n' came within the limit", pos);
          pos += limit;
          continue;
        }
        if (got.size() > limit) fail("readline returned more than its limit", pos);
        const bool whole = !got.empty() && got.back() == '\n';
        if (got.find('\n') != (whole ? got.size() - 1 : std::string::npos))
          fail("readline's line does not end at the first '\\n'", pos);
        consume(got);
        if (!whole && got.size() != limit && pos != stream.size())
          fail("readline stopped short of '\\n', its limit and end of file", pos);
        break;
      }
      case 1:
        got = file.read1(n);
        if (got.size() > n) fail("read1 returned more than asked", pos);
        consume(got);
        if (got.empty() && n > 0 && pos != stream.size()) fail("read1 saw EOF early", pos);
        break;
      default:
        got = file.read(n);
        consume(got);
        if (got.size() != n && pos != stream.size()) fail("read returned short before EOF", pos);
        break;
    }
    if (i >= nsteps && got.empty()) break;  // readline's "" is end of file
  }
  if (pos != stream.size()) fail("end of file before the end of the stream", pos);
  if (!file.readline(limit).empty()) fail("bytes after end of file", pos);
  return 0;
}
