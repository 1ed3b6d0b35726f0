// SPDX-License-Identifier: MIT
// libFuzzer target for the engine's input Buffer: the input is a program of append / retrieve /
// find / write-in-place / reserve / trim / move steps, run against a Buffer and against a
// std::string that models it. After every step the Buffer must hold exactly the model's bytes.
#include <soket/event/buffer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace {

// A failed property: say which, then abort so libFuzzer saves the input.
[[noreturn]] void fail(const char* what, std::size_t step) {
  std::fprintf(stderr, "buffer_fuzz: step %zu: %s\n", step, what);
  std::abort();
}

// Reads the fuzz input as a stream of small numbers and byte strings.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const noexcept { return pos_ >= size_; }
  std::uint8_t byte() noexcept { return done() ? 0 : data_[pos_++]; }
  // A length up to 64 KiB, mostly small (buffers are tested around their edges, not their size).
  std::size_t length() noexcept {
    std::uint8_t b = byte();
    if (b < 0xf0) return b;
    return static_cast<std::size_t>(byte()) << 8 | byte();
  }
  std::string_view bytes(std::size_t n) noexcept {
    n = std::min(n, size_ - std::min(pos_, size_));
    std::string_view s(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

void check(const soket::event::Buffer& b, const std::string& model, std::size_t step) {
  if (b.readable() != model.size()) fail("readable() differs from the bytes appended", step);
  if (b.empty() != model.empty()) fail("empty() disagrees with readable()", step);
  if (b.view() != model) fail("view() differs from the bytes appended", step);
  if (b.data().size() != model.size()) fail("data() has the wrong size", step);
  if (b.capacity() < b.readable() || b.writable() > b.capacity())
    fail("capacity() is smaller than the bytes held", step);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  soket::event::Buffer buf;
  std::string model;
  for (std::size_t step = 0; !in.done(); ++step) {
    switch (in.byte() % 9) {
      case 0: {  // append
        std::string_view s = in.bytes(in.length());
        buf.append(s);
        model.append(s);
        break;
      }
      case 1: {  // retrieve (n may exceed what is there: then everything goes)
        std::size_t n = in.length();
        buf.retrieve(n);
        model.erase(0, n);
        break;
      }
      case 2: {  // retrieve_as_string
        std::size_t n = in.length();
        std::string got = buf.retrieve_as_string(n);
        if (got != model.substr(0, n)) fail("retrieve_as_string returned other bytes", step);
        model.erase(0, n);
        break;
      }
      case 3: {  // find, as a line protocol does
        std::string_view delim = in.bytes(in.byte() % 5);
        auto got = buf.find(delim);
        auto want = model.find(delim);
        if (want == std::string::npos ? got.has_value() : (!got || *got != want))
          fail("find() disagrees with std::string::find", step);
        break;
      }
      case 4: {  // write in place: ensure_writable, copy, has_written (a recv into the buffer)
        std::size_t room = in.length();
        buf.ensure_writable(room);
        if (buf.writable() < room) fail("ensure_writable left too little room", step);
        std::string_view s = in.bytes(room);
        if (!s.empty()) std::memcpy(buf.begin_write(), s.data(), s.size());
        buf.has_written(s.size());
        model.append(s);
        break;
      }
      case 5: {  // reserve
        std::size_t n = in.length();
        buf.reserve(n);
        if (buf.capacity() < n) fail("reserve(n) left capacity below n", step);
        break;
      }
      case 6: {  // trim: only frees an empty buffer
        std::size_t keep = in.length();
        buf.trim(keep);
        if (!model.empty() && buf.capacity() == 0) fail("trim freed a non-empty buffer", step);
        break;
      }
      case 7: {  // move construct, then move assign back
        soket::event::Buffer other(std::move(buf));
        if (other.view() != model) fail("a moved-to Buffer lost bytes", step);
        buf = std::move(other);
        break;
      }
      default:
        buf.retrieve_all();
        model.clear();
        break;
    }
    check(buf, model, step);
  }
  return 0;
}
