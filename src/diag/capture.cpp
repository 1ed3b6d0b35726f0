// SPDX-License-Identifier: MIT
// Capture: sys::PacketRing plus interface lookup, error wording and libpcap's loopback rule.
#include <soket/diag/capture.hpp>

#include <algorithm>

#include <soket/error.hpp>

#include "linux/packet_ring.hpp"

namespace soket::diag {
namespace {
constexpr int arphrd_ether = 1, arphrd_loopback = 772, packet_outgoing = 4;
}

struct Capture::Impl {
  sys::PacketRing ring;
};

Capture::Capture(const Options& options)
    : impl_(std::make_unique<Impl>()), snaplen_(options.snaplen) {
  const std::string where = "capture on " + options.interface;
  if (options.interface == "any")
    throw_error(std::make_error_code(std::errc::not_supported), where);
  int ifindex = sys::interface_index(options.interface.c_str());
  if (ifindex == 0) throw_error(std::make_error_code(std::errc::no_such_device), where);
  int hatype = sys::interface_hatype(options.interface.c_str());
  if (hatype != arphrd_ether && hatype != arphrd_loopback)
    throw std::invalid_argument(where + ": link type " + std::to_string(hatype) +
                                " is not supported (Ethernet and loopback are)");
  std::vector<sys::BpfInsn> code;
  code.reserve(options.filter.size());
  for (const auto& i : options.filter) code.push_back({i.code, i.jt, i.jf, i.k});
  std::error_code ec;
  const char* step = "";
  if (!impl_->ring.open(ifindex, code, options.ring, ec, step)) {
    std::string op = where + ": " + step;
    if (ec == std::errc::operation_not_permitted) op += " (needs root or CAP_NET_RAW)";
    throw_error(ec, op);
  }
}

Capture::~Capture() = default;

bool Capture::uses_ring() const noexcept {
  return impl_->ring.uses_ring();
}

int Capture::fileno() const noexcept {
  return impl_->ring.fd();
}

std::size_t Capture::dispatch(std::chrono::milliseconds timeout,
                              const std::function<void(const CapturedPacket&)>& on_packet) {
  std::error_code ec;
  std::size_t delivered = 0;
  long n = impl_->ring.dispatch(
      static_cast<int>(std::min<std::chrono::milliseconds::rep>(timeout.count(), 1 << 30)),
      snaplen_,
      [&](const sys::RingPacket& p) {
        // Loopback hands every packet to the capture twice, outgoing and incoming: keep one.
        if (p.hatype == arphrd_loopback && p.pkttype == packet_outgoing) {
          ++duplicates_;
          return;
        }
        ++delivered;
        on_packet({p.seconds, p.nanoseconds / 1000, p.data, p.wire_length});
      },
      ec);
  if (n < 0 && ec != std::errc::interrupted) throw_error(ec, "capture");
  return delivered;
}

Capture::Stats Capture::stats() {
  std::uint64_t received = 0, dropped = 0;
  std::error_code ec;
  if (impl_->ring.statistics(received, dropped, ec)) {
    stats_.received += received;
    // The kernel counted loopback's duplicates too; they are not packets the caller saw.
    std::uint64_t seen = std::min<std::uint64_t>(duplicates_, stats_.received);
    stats_.received -= seen;
    duplicates_ -= seen;
    stats_.dropped += dropped;
  }
  return stats_;
}

std::string Capture::default_interface() {
  return sys::default_capture_interface();
}

}  // namespace soket::diag
