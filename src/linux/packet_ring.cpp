// SPDX-License-Identifier: MIT
// AF_PACKET capture with a TPACKET_V3 ring (Documentation/networking/packet_mmap.rst).
#include "linux/packet_ring.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <atomic>
#include <cstring>
#include <vector>

#include "linux/result.hpp"

namespace soket::sys {
namespace {

// 4 blocks of 1 MiB: a block holds any packet (snaplen is at most 256 KiB) and the kernel
// hands a block over when it is full or 50 ms after its first packet, whichever comes first.
constexpr unsigned block_size = 1u << 20, block_count = 4, frame_size = 2048;
constexpr unsigned retire_ms = 50;

// TPACKET_ALIGN without the macro's signed arithmetic.
constexpr std::size_t tpacket_align(std::size_t n) {
  return (n + TPACKET_ALIGNMENT - 1) & ~std::size_t{TPACKET_ALIGNMENT - 1};
}

}  // namespace

PacketRing::~PacketRing() {
  if (ring_ != nullptr) ::munmap(ring_, block_size_ * block_count_);
  if (fd_ >= 0) ::close(fd_);
}

bool PacketRing::open(int ifindex, std::span<const BpfInsn> filter, bool want_ring,
                      std::error_code& ec, const char*& step) {
  // Protocol 0: the socket receives nothing until bind() below, after the filter is on.
  step = "socket(AF_PACKET)";
  fd_ = checked(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), ec);
  if (fd_ < 0) return false;
  if (want_ring) {
    int version = TPACKET_V3;
    tpacket_req3 req{};
    req.tp_block_size = block_size;
    req.tp_block_nr = block_count;
    req.tp_frame_size = frame_size;
    req.tp_frame_nr = block_size / frame_size * block_count;
    req.tp_retire_blk_tov = retire_ms;
    std::error_code ring_ec;
    if (checked(::setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version), ring_ec) ==
            0 &&
        checked(::setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof req), ring_ec) == 0) {
      void* map = ::mmap(nullptr, std::size_t{block_size} * block_count, PROT_READ | PROT_WRITE,
                         MAP_SHARED, fd_, 0);
      if (map != MAP_FAILED) {
        ring_ = static_cast<std::uint8_t*>(map);
        block_size_ = block_size;
        block_count_ = block_count;
      }
    }
    // No ring (an old kernel, or no memory to lock): recvfrom below still works.
  }
  if (!filter.empty()) {
    step = "attach the filter (SO_ATTACH_FILTER)";
    std::vector<sock_filter> code(filter.size());
    for (std::size_t i = 0; i < filter.size(); ++i)
      code[i] = {filter[i].code, filter[i].jt, filter[i].jf, filter[i].k};
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    if (checked(::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog), ec) < 0)
      return false;
  }
  step = "bind(AF_PACKET)";
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = ifindex;
  return checked(::bind(fd_, reinterpret_cast<sockaddr*>(&ll), sizeof ll), ec) == 0;
}

long PacketRing::dispatch_ring(const std::function<void(const RingPacket&)>& fn,
                               std::uint32_t snaplen) {
  long delivered = 0;
  for (;;) {
    auto* block = reinterpret_cast<tpacket_block_desc*>(ring_ + block_ * block_size_);
    // The kernel publishes a block by setting TP_STATUS_USER; acquire so its contents are seen.
    auto status =
        std::atomic_ref<std::uint32_t>(block->hdr.bh1.block_status).load(std::memory_order_acquire);
    if ((status & TP_STATUS_USER) == 0) return delivered;
    std::uint32_t count = block->hdr.bh1.num_pkts;
    auto* at = reinterpret_cast<std::uint8_t*>(block) + block->hdr.bh1.offset_to_first_pkt;
    for (std::uint32_t i = 0; i < count; ++i) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(at);
      auto* ll = reinterpret_cast<sockaddr_ll*>(at + tpacket_align(sizeof(tpacket3_hdr)));
      RingPacket p;
      p.data = {at + h->tp_mac, std::min(h->tp_snaplen, snaplen)};
      p.wire_length = h->tp_len;
      p.seconds = h->tp_sec;
      p.nanoseconds = h->tp_nsec;
      p.pkttype = ll->sll_pkttype;
      p.hatype = ll->sll_hatype;
      fn(p);
      ++delivered;
      at += h->tp_next_offset;
    }
    // Hand the block back to the kernel.
    std::atomic_ref<std::uint32_t>(block->hdr.bh1.block_status)
        .store(TP_STATUS_KERNEL, std::memory_order_release);
    block_ = (block_ + 1) % block_count_;
  }
}

long PacketRing::dispatch(int timeout_ms, std::uint32_t snaplen,
                          const std::function<void(const RingPacket&)>& fn, std::error_code& ec) {
  ec.clear();
  if (ring_ != nullptr) {
    long n = dispatch_ring(fn, snaplen);
    if (n > 0) return n;
  }
  pollfd pfd{fd_, POLLIN, 0};
  int ready = checked(::poll(&pfd, 1, timeout_ms), ec);
  if (ready <= 0) return ready;
  if (ring_ != nullptr) return dispatch_ring(fn, snaplen);
  std::vector<std::uint8_t> buf(snaplen);
  sockaddr_ll ll{};
  socklen_t len = sizeof ll;
  // MSG_TRUNC: the return value is the packet's real length even when it did not fit.
  ssize_t n = checked(::recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC | MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&ll), &len),
                      ec);
  if (n < 0) {
    if (ec == std::errc::resource_unavailable_try_again) ec.clear(), n = 0;
    return n;
  }
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  RingPacket p;
  p.data = {buf.data(), std::min(static_cast<std::size_t>(n), buf.size())};
  p.wire_length = static_cast<std::uint32_t>(n);
  p.seconds = now.tv_sec;
  p.nanoseconds = static_cast<std::uint32_t>(now.tv_nsec);
  p.pkttype = ll.sll_pkttype;
  p.hatype = ll.sll_hatype;
  fn(p);
  return 1;
}

bool PacketRing::statistics(std::uint64_t& received, std::uint64_t& dropped, std::error_code& ec) {
  tpacket_stats_v3 st{};
  socklen_t len = sizeof st;
  if (checked(::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len), ec) < 0) return false;
  received = st.tp_packets;
  dropped = st.tp_drops;
  return true;
}

std::string default_capture_interface() {
  struct if_nameindex* list = ::if_nameindex();
  if (list == nullptr) return {};
  std::string chosen = "lo";
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  for (struct if_nameindex* i = list; fd >= 0 && i->if_index != 0; ++i) {
    ifreq req{};
    std::strncpy(req.ifr_name, i->if_name, IFNAMSIZ - 1);
    if (::ioctl(fd, SIOCGIFFLAGS, &req) < 0) continue;
    if ((req.ifr_flags & IFF_UP) == 0 || (req.ifr_flags & IFF_LOOPBACK) != 0) continue;
    if (interface_hatype(i->if_name) != 1) continue;  // ARPHRD_ETHER
    chosen = i->if_name;
    break;
  }
  if (fd >= 0) ::close(fd);
  ::if_freenameindex(list);
  return chosen;
}

int interface_index(const char* name) noexcept {
  return static_cast<int>(::if_nametoindex(name));
}

int interface_hatype(const char* name) noexcept {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  ifreq req{};
  std::strncpy(req.ifr_name, name, IFNAMSIZ - 1);
  int type = ::ioctl(fd, SIOCGIFHWADDR, &req) < 0 ? -1 : req.ifr_hwaddr.sa_family;
  ::close(fd);
  return type;
}

}  // namespace soket::sys
