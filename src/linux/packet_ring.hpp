// SPDX-License-Identifier: MIT
// Packet capture on an AF_PACKET socket (packet(7)): a TPACKET_V3 receive ring mapped into
// memory when the kernel offers one, plain recvfrom otherwise, and a classic BPF filter
// attached before the socket is bound (so no unfiltered packet slips in). Internal: never
// installed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <system_error>

namespace soket::sys {

/// One classic BPF instruction (struct sock_filter).
struct BpfInsn {
  std::uint16_t code;
  std::uint8_t jt, jf;
  std::uint32_t k;
};

/// A packet as the ring (or recvfrom) hands it over; `data` lives until the callback returns.
struct RingPacket {
  std::span<const std::uint8_t> data;  ///< from the link-layer header, at most snaplen
  std::uint32_t wire_length = 0;
  std::int64_t seconds = 0;
  std::uint32_t nanoseconds = 0;
  int pkttype = 0;  ///< PACKET_HOST, PACKET_OUTGOING, ...
  int hatype = 0;   ///< ARPHRD_*
};

class PacketRing {
 public:
  PacketRing() = default;
  ~PacketRing();
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  /// Opens the socket on `ifindex` (0 = every interface) with `filter` (empty = everything),
  /// a TPACKET_V3 ring when `want_ring` and the kernel agrees. False with ec on failure; `step`
  /// names the call that failed.
  bool open(int ifindex, std::span<const BpfInsn> filter, bool want_ring, std::error_code& ec,
            const char*& step);
  bool uses_ring() const { return ring_ != nullptr; }
  int fd() const { return fd_; }

  /// Waits up to `timeout_ms` (-1: forever) for packets and calls `fn` for each ready one.
  /// Returns how many it delivered, or -1 with ec (EINTR included, so a signal can stop it).
  long dispatch(int timeout_ms, std::uint32_t snaplen,
                const std::function<void(const RingPacket&)>& fn, std::error_code& ec);

  /// The kernel's counters since the last call (PACKET_STATISTICS resets them).
  bool statistics(std::uint64_t& received, std::uint64_t& dropped, std::error_code& ec);

 private:
  long dispatch_ring(const std::function<void(const RingPacket&)>& fn, std::uint32_t snaplen);
  int fd_ = -1;
  std::uint8_t* ring_ = nullptr;
  std::size_t block_size_ = 0, block_count_ = 0, block_ = 0;
};

/// The interface tcpdump would pick: the first one up that is not loopback and has an
/// Ethernet header; "lo" when there is none. Empty when the interfaces cannot be listed.
std::string default_capture_interface();
/// if_nametoindex(3); 0 when there is no such interface.
int interface_index(const char* name) noexcept;
/// The ARPHRD_* type of an interface (1 Ethernet, 772 loopback), -1 if unknown.
int interface_hatype(const char* name) noexcept;

}  // namespace soket::sys
