// SPDX-License-Identifier: MIT
// libFuzzer target for the packet decoder and the pcap file parser. Input: [link selector]
// [frame...]. The frame is described as Ethernet, raw IP or Linux cooked (selector % 3), with
// the wire length from the selector's high bits; then the whole input is parsed as a pcap
// file and every record it yields is described as its header's link type says. The decoder
// must never throw and never return an empty line; the parser may only throw
// std::invalid_argument, and its records must fit in the input.
#include <soket/diag/packet.hpp>
#include <soket/diag/pcap_file.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <stdexcept>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "packet_decode_fuzz: %s\n", what);
  std::abort();
}

void check_line(std::span<const std::uint8_t> frame, soket::diag::LinkType link, std::size_t wire) {
  if (soket::diag::describe_packet(frame, link, wire).empty()) fail("empty description");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using soket::diag::LinkType;
  constexpr LinkType links[] = {LinkType::ethernet, LinkType::raw, LinkType::linux_sll};
  std::span<const std::uint8_t> frame(data + 1, size - 1);
  std::size_t wire = frame.size() + (data[0] >> 2);  // sometimes "longer on the wire"
  check_line(frame, links[data[0] % 3], wire);

  std::size_t total = 0;
  try {
    auto file = soket::diag::parse_pcap({data, size});
    for (const auto& r : file.records) {
      total += 16 + r.data.size();
      check_line(r.data, file.link, r.wire_length);
    }
    if (total + 24 != size) fail("records do not account for the whole file");
  } catch (const std::invalid_argument&) {
    // A damaged file: refused with a message, which is all that is asked.
  }
  return 0;
}
