// SPDX-License-Identifier: MIT
// libFuzzer target for io::Framing. Input: [kind] [max_size-1] [chunk] [stream...].
//   max_size: 1 to 255. kind % 6: 0-1 delimited ("\n", "\r\n"), 2-5 length-prefixed (header 1, 2,
//   4, 8 bytes).
// Properties: decode() over the whole stream and over the stream fed in chunks find the same
// messages; every message is within max_size, re-encodes to exactly the bytes it consumed, and
// a delimited payload holds no delimiter; too_long only past the cap. Then read_message over a
// real socketpair must return the same messages and fail where decode() said too_long.
#include <soket/io/framing.hpp>
#include <soket/io/socket_file.hpp>
#include <soket/socket.hpp>

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using soket::io::Framing;
using Status = Framing::Decoded::Status;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "framing_fuzz: %s\n", what);
  std::abort();
}

constexpr std::size_t max_stream = 64 * 1024;  // under a socketpair's buffer

Framing make(std::uint8_t kind, std::size_t max_size) {
  switch (kind % 6) {
    case 0: return Framing::delimited("\n", max_size);
    case 1: return Framing::delimited("\r\n", max_size);
    case 2: return Framing::length_prefixed(max_size, 1);
    case 3: return Framing::length_prefixed(max_size, 2);
    case 4: return Framing::length_prefixed(max_size, 4);
    default: return Framing::length_prefixed(max_size, 8);
  }
}

// Messages found front to back; true if the stream ended in a too_long.
bool decode_all(const Framing& f, std::string_view stream, std::vector<std::string>& out) {
  for (;;) {
    const auto d = f.decode(stream);
    if (d.status == Status::need_more) return false;
    if (d.status == Status::too_long) return true;
    if (d.payload.size() > f.max_size()) fail("payload past max_size");
    if (d.consumed == 0 || d.consumed > stream.size()) fail("consumed out of range");
    if (f.is_delimited() && d.payload.find(f.delimiter()) != std::string_view::npos)
      fail("payload holds the delimiter");
    if (f.encode(d.payload) != stream.substr(0, d.consumed)) fail("re-encoding differs");
    out.emplace_back(d.payload);
    stream.remove_prefix(d.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t max_size = std::size_t{data[1]} % 255 + 1;  // 1..255: fits every header
  const std::size_t chunk = std::size_t{data[2]} % 16 + 1;
  const Framing f = make(data[0], max_size);
  std::string_view stream(reinterpret_cast<const char*>(data + 3), size - 3);
  stream = stream.substr(0, max_stream);

  std::vector<std::string> whole;
  const bool too_long = decode_all(f, stream, whole);

  // Fed in chunks, as on_data sees it: the same messages, the same verdict.
  std::vector<std::string> chunked;
  std::string buffered;
  bool chunked_too_long = false;
  for (std::size_t at = 0; at < stream.size() && !chunked_too_long; at += chunk) {
    buffered.append(stream.substr(at, chunk));
    std::vector<std::string> got;
    chunked_too_long = decode_all(f, buffered, got);
    std::size_t used = 0;
    for (const auto& m : got) {
      used += f.encode(m).size();
      chunked.push_back(m);
    }
    buffered.erase(0, used);
  }
  if (chunked != whole || chunked_too_long != too_long) fail("chunked decoding differs");

  // The blocking reader agrees with the decoder.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair");
  soket::Socket reader = soket::Socket::adopt(fds[0]);
  soket::Socket writer = soket::Socket::adopt(fds[1]);
  writer.sendall(stream);
  writer.shutdown(soket::Shut::wr);
  soket::io::SocketFile file(reader, chunk);
  std::size_t i = 0;
  for (;;) {
    std::optional<std::string> m;
    try {
      m = soket::io::read_message(file, f);
    } catch (const soket::io::MessageTooLongError&) {
      if (!too_long || i != whole.size()) fail("read_message: too long where decode was not");
      return 0;
    } catch (const soket::io::IncompleteReadError&) {
      if (too_long || i != whole.size()) fail("read_message: incomplete where decode was not");
      return 0;
    }
    if (!m) break;
    if (i >= whole.size() || *m != whole[i]) fail("read_message returned another message");
    ++i;
  }
  if (i != whole.size() || too_long) fail("read_message ended early");
  return 0;
}
