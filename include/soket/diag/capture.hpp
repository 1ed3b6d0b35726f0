// SPDX-License-Identifier: MIT
// Capturing packets on an interface (the documents' PF_PACKET): an AF_PACKET socket reading a
// TPACKET_V3 ring shared with the kernel, with an optional classic BPF filter run in the
// kernel. Needs root or CAP_NET_RAW.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <soket/diag/packet.hpp>

namespace soket::diag {

/// One classic BPF instruction, as struct sock_filter (and libpcap's bpf_insn) lay it out.
struct BpfInstruction {
  std::uint16_t code = 0;
  std::uint8_t jt = 0, jf = 0;
  std::uint32_t k = 0;
};
using BpfProgram = std::vector<BpfInstruction>;

/// A captured packet; `data` is valid only during the callback that receives it.
struct CapturedPacket {
  std::int64_t seconds = 0;
  std::uint32_t microseconds = 0;
  std::span<const std::uint8_t> data;  ///< from the link-layer header, at most snaplen bytes
  std::uint32_t wire_length = 0;
};

/// Capture on one interface. Owns its socket and ring; use from one thread.
class Capture {
 public:
  struct Options {
    std::string interface = "lo";    ///< an interface name; "any" is not supported
    std::uint32_t snaplen = 262144;  ///< bytes kept of each packet (tcpdump's default)
    BpfProgram filter;               ///< empty: every packet
    bool ring = true;                ///< false: recvfrom per packet instead of the ring
  };

  /// Opens the capture. Throws soket::Error naming the step and the interface
  /// ("capture on eth9: no such interface"; PermissionError says root/CAP_NET_RAW is needed).
  explicit Capture(const Options& options);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  /// The link type of the packets (Ethernet for Ethernet devices and loopback).
  LinkType link_type() const noexcept { return link_; }
  /// Whether the TPACKET_V3 ring is in use (false: the kernel refused, recvfrom is used).
  bool uses_ring() const noexcept;
  /// The socket, for a caller's own poll loop.
  int fileno() const noexcept;

  /// Waits up to `timeout` for packets and calls `on_packet` for each; returns how many.
  /// Interrupted by a signal, returns what it delivered so far (0): the caller checks its flag.
  /// Loopback's duplicate outgoing copies are dropped, as libpcap does.
  std::size_t dispatch(std::chrono::milliseconds timeout,
                       const std::function<void(const CapturedPacket&)>& on_packet);

  /// tcpdump's closing counts: packets the filter accepted (loopback's duplicates not counted)
  /// and the kernel's drops, since open.
  struct Stats {
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
  };
  Stats stats();

  /// The interface tcpdump would capture on when none is named (first up non-loopback Ethernet
  /// interface, else "lo").
  static std::string default_interface();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LinkType link_ = LinkType::ethernet;
  std::uint32_t snaplen_;
  Stats stats_;
  std::uint64_t duplicates_ = 0;  // loopback copies dropped, not yet taken off stats_
};

}  // namespace soket::diag
