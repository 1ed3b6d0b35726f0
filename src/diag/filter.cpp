// SPDX-License-Identifier: MIT
// compile_filter: pcap_open_dead + pcap_compile, no live libpcap capture.
#include <soket/diag/filter.hpp>

#include <pcap/pcap.h>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace soket::diag {

BpfProgram compile_filter(std::string_view expression, LinkType link, std::uint32_t snaplen) {
  std::string text(expression);
  pcap_t* dead = pcap_open_dead(static_cast<int>(link), static_cast<int>(snaplen));
  if (dead == nullptr) throw std::bad_alloc();
  bpf_program program{};
  int rc;
  {
    // libpcap's compiler kept global state before 1.8 and still documents a lock: take one.
    static std::mutex compiler;
    std::lock_guard lock(compiler);
    rc = pcap_compile(dead, &program, text.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  }
  if (rc != 0) {
    std::string why = pcap_geterr(dead);
    pcap_close(dead);
    throw std::invalid_argument("filter '" + text + "': " + why);
  }
  BpfProgram out;
  out.reserve(program.bf_len);
  for (unsigned i = 0; i < program.bf_len; ++i) {
    const bpf_insn& in = program.bf_insns[i];
    out.push_back({in.code, in.jt, in.jf, in.k});
  }
  pcap_freecode(&program);
  pcap_close(dead);
  return out;
}

std::uint32_t run_filter(const BpfProgram& program, std::span<const std::uint8_t> frame,
                         std::uint32_t wire_length) {
  std::vector<bpf_insn> code;
  code.reserve(program.size());
  for (const auto& i : program) code.push_back({i.code, i.jt, i.jf, i.k});
  if (code.empty()) return wire_length;
  return bpf_filter(code.data(), frame.data(), wire_length, static_cast<unsigned>(frame.size()));
}

}  // namespace soket::diag
