// SPDX-License-Identifier: MIT
// tcpdump filter expressions ("tcp port 80 and host 10.0.0.1") compiled to classic BPF with
// libpcap's compiler: the one part of capture soket leaves to libpcap. In its own library,
// soket::bpf, so that nothing else links libpcap.
#pragma once

#include <cstdint>
#include <string_view>

#include <soket/diag/capture.hpp>
#include <soket/diag/packet.hpp>

namespace soket::diag {

/// Compiles `expression` (pcap-filter(7)) for frames of `link` kept to `snaplen` bytes. An
/// empty expression accepts everything. Throws std::invalid_argument with libpcap's message:
/// "filter 'tcp prot 80': syntax error".
BpfProgram compile_filter(std::string_view expression, LinkType link, std::uint32_t snaplen);

/// Runs `program` on `frame` as the kernel would (libpcap's bpf_filter): the number of bytes to
/// keep, 0 when the packet is rejected.
std::uint32_t run_filter(const BpfProgram& program, std::span<const std::uint8_t> frame,
                         std::uint32_t wire_length);

}  // namespace soket::diag
