// SPDX-License-Identifier: MIT
// libFuzzer target for the file-transfer messages (soket send / receive). Input: one message
// payload, as a receiver or sender reads it from the network. decode() must either throw
// ProtocolError or return a message that encodes back to the same bytes and decodes to the
// same message; the name check (why_unsafe) must accept no name with "..", a leading '/',
// NUL or control bytes.
#include <soket/io/transfer/protocol.hpp>
#include <soket/io/transfer/receive_dir.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "transfer_header_fuzz: %s\n", what);
  std::abort();
}

bool has_dot_dot(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    if (name.substr(start, slash - start) == "..") return true;
    start = slash + 1;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  using namespace soket::transfer;
  Message m;
  try {
    m = decode(payload);
  } catch (const ProtocolError&) {
    return 0;
  }
  std::string again = encode(m);
  if (again != payload) fail("encode(decode(x)) != x");
  if (!(decode(again) == m)) fail("decode(encode(m)) != m");
  if (why_unsafe(m.name).empty()) {
    if (m.name.empty() || m.name.front() == '/' || has_dot_dot(m.name))
      fail("an unsafe name was accepted");
    for (char c : m.name)
      if (static_cast<unsigned char>(c) < 0x20) fail("a control byte was accepted");
  }
  return 0;
}
