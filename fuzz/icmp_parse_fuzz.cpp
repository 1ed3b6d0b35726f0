// SPDX-License-Identifier: MIT
// icmp::parse_echo_reply on arbitrary bytes, for both families, with and without an IPv4
// header: never reads outside the packet, and what it accepts is self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <soket/icmp.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> packet(reinterpret_cast<const std::byte*>(data), size);
  for (soket::Family f : {soket::Family::inet, soket::Family::inet6}) {
    for (bool header : {false, true}) {
      auto echo = soket::icmp::parse_echo_reply(f, packet, header);
      if (!echo) continue;
      if (echo->size < soket::icmp::header_size || echo->size > size) std::abort();
      if (echo->payload.size() != echo->size - soket::icmp::header_size) std::abort();
      if (echo->payload.data() + echo->payload.size() != packet.data() + packet.size())
        std::abort();  // the payload runs to the end of the packet
      if (header && (echo->ttl < 0 || echo->ttl > 255)) std::abort();
    }
  }
  return 0;
}
