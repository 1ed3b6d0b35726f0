// SPDX-License-Identifier: MIT
// parse_ports on arbitrary text: either an error naming an item of the input, or a sorted,
// duplicate-free list of ports 1-65535.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <soket/port.hpp>
#include <soket/socket.hpp>

// resolver.cpp (getservbyname) also holds has_dualstack_ipv6(), which sets a socket option;
// options.cpp, where that lives, is not in the instrumented copy (clang 14 cannot compile it).
// The fuzzer never calls it: this stands in so that the program links.
void soket::Socket::setsockopt(int, int, int, std::error_code& ec) noexcept {
  ec = std::make_error_code(std::errc::function_not_supported);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string bad;
  std::error_code ec;
  auto ports = soket::parse_ports(text, "tcp", bad, ec);
  if (ec) {
    if (!ports.empty() || bad.size() > 64) std::abort();
    return 0;
  }
  for (std::size_t i = 0; i < ports.size(); ++i) {
    if (ports[i] == 0) std::abort();
    if (i > 0 && ports[i - 1] >= ports[i]) std::abort();
  }
  return 0;
}
