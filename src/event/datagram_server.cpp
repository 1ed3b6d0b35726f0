// SPDX-License-Identifier: MIT
#include <soket/event/datagram_server.hpp>

#include <sys/socket.h>
#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include <soket/error.hpp>
#include <soket/event/loop.hpp>
#include <soket/socket.hpp>

#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/fd.hpp"
#include "linux/mmsg.hpp"
#include "linux/udp_offload.hpp"
#include "linux/uring_datagram.hpp"

namespace soket::event {

/// The socket, watched on the server's loop (or received and sent on its io_uring ring), and
/// its preallocated recvmmsg/sendmmsg arrays: nothing is allocated per datagram.
struct DatagramServer::Receiver final : Watcher, sys::DatagramSink {
  Receiver(DatagramServer& s, std::size_t n, std::size_t max)
      : server(s), size(n), max_datagram(max) {
    rx_data.resize(n * max);
    tx_data.resize(n * max);
    rx_addr.resize(n);
    tx_addr.resize(n);
    rx_iov.resize(n);
    tx_iov.resize(n);
    rx.resize(n);
    tx.resize(n);
    rx_control.resize(n);
    tx_control.resize(n);
    wire.resize(n);
    wire_count.resize(n);
  }
  // Control data for the offloads' one cmsg, aligned for cmsghdr.
  struct alignas(8) Control {
    unsigned char bytes[sys::udp_offload_control_size];
  };
  void handle_events(std::uint32_t) override { server.on_readable(); }
  void on_ring_datagram(std::span<const std::byte> data, const sockaddr* from, socklen_t from_len,
                        std::size_t gro_segment, bool truncated) noexcept override {
    if (!server.in_batch_) {
      server.in_batch_ = true;
      ++server.receive_calls_;
    }
    server.deliver_buffer(data, Address::from_sockaddr(from, from_len), gro_segment, truncated);
  }
  void on_ring_batch_end() noexcept override {
    if (!server.in_batch_) return;
    server.in_batch_ = false;
    server.queue_on_ring();
  }
  void on_ring_send_failed(std::uint32_t datagrams, int err) noexcept override;
  DatagramServer& server;
  std::size_t size, max_datagram;
  Socket socket;
  std::vector<std::byte> rx_data, tx_data;
  std::vector<sockaddr_storage> rx_addr, tx_addr;
  std::vector<iovec> rx_iov, tx_iov;
  std::vector<mmsghdr> rx, tx;
  std::vector<Control> rx_control, tx_control;
  std::vector<mmsghdr> wire;            // what flush() hands to sendmmsg: one per run of replies
  std::vector<std::size_t> wire_count;  // datagrams in each wire message
  std::size_t queued = 0;
  std::size_t on_ring = 0;  // replies [0, on_ring) are queued on the ring, not yet submitted
  std::size_t wires_used = 0;
  bool gro = false, gso = false;
  std::unique_ptr<sys::DatagramRing> ring;  // the completion model (uring), else readiness
};

DatagramServer::DatagramServer(const Address& address, DatagramHandler& handler,
                               DatagramOptions options)
    : loop_(options.backend),
      handler_(handler),
      receiver_(std::make_unique<Receiver>(*this, options.batch ? options.batch : 1,
                                           options.max_datagram ? options.max_datagram : 1)) {
  // A host name binds as UDPServer's does (address_family AF_INET; bind resolves it).
  Socket s(address.is_resolved() ? address.family() : Family::inet, Type::dgram);
  s.bind(address);
  address_ = s.getsockname();
  std::error_code ec;
  if (!sys::set_nonblocking(s.fileno(), true, ec)) throw_error(ec, "bind", &address);
  receiver_->socket = std::move(s);
  receiver_->set_fd(receiver_->socket.fileno());
  if (options.offload && address_.is_inet()) {
    receiver_->gso = true;  // turned off at the first refusal (flush)
    // GRO hands over up to 64 KiB at once: only when a buffer holds that much.
    if (receiver_->max_datagram >= 65535) receiver_->gro = sys::enable_udp_gro(receiver_->fd(), ec);
  }
  // On the uring poller: a multishot receive into buffers of its own, a buffer per datagram
  // of the batch.
  Receiver& b = *receiver_;
  b.ring = sys::DatagramRing::create(
      loop_.poller(), b.fd(), b,
      static_cast<unsigned>(std::bit_ceil(std::min<std::size_t>(b.size, 4096))), b.max_datagram,
      b.gro ? sys::udp_offload_control_size : 0);
  if (!b.ring) loop_.watch(b, Watcher::readable);
}

DatagramServer::~DatagramServer() {
  stop();
  if (receiver_->ring)
    receiver_->ring.reset();
  else
    loop_.unwatch(*receiver_);
}

bool DatagramServer::on_ring() const noexcept {
  return receiver_->ring != nullptr;
}

void DatagramServer::start() {
  if (thread_.joinable()) return;
  if (receiver_->ring) receiver_->ring->resume();
  thread_ = std::thread([this] { loop_.run(); });
}

void DatagramServer::stop() {
  SOKET_THREAD_RULE(!loop_.in_loop_thread(),
                    "DatagramServer::stop called from its own loop thread (it would wait for "
                    "itself: deadlock)");
  if (!thread_.joinable()) return;
  loop_.post([this] {
    flush();
    if (receiver_->ring) receiver_->ring->pause();
  });
  loop_.stop();
  thread_.join();
}

void DatagramServer::send_to(std::span<const std::byte> data, const Address& to) {
  SOKET_LOOP_THREAD_ONLY(loop_, "DatagramServer::send_to");
  Receiver& b = *receiver_;
  // Replies queued on the ring are copied by the kernel when submitted: their slots are free
  // again once the loop's wait has submitted them.
  if (b.on_ring > 0 && !b.ring->pending()) b.queued = b.on_ring = b.wires_used = 0;
  if (b.queued == b.size) flush();
  if (b.queued == b.size || data.size() > b.max_datagram) {
    ++dropped_;
    return;
  }
  std::size_t i = b.queued++;
  std::byte* slot = b.tx_data.data() + i * b.max_datagram;
  std::memcpy(slot, data.data(), data.size());
  std::memcpy(&b.tx_addr[i], to.data(), to.size());
  b.tx_iov[i] = {slot, data.size()};
  b.tx[i] = {};
  b.tx[i].msg_hdr.msg_name = &b.tx_addr[i];
  b.tx[i].msg_hdr.msg_namelen = static_cast<socklen_t>(to.size());
  b.tx[i].msg_hdr.msg_iov = &b.tx_iov[i];
  b.tx[i].msg_hdr.msg_iovlen = 1;
  if (!in_batch_) flush();
}

namespace {

// GSO limits: the kernel takes up to 64 segments (UDP_MAX_SEGMENTS on older kernels) and one
// IP packet's worth of payload (65,507 bytes over IPv4).
constexpr std::size_t max_segments = 64, max_gso_bytes = 65000;

bool same_peer(const msghdr& a, const msghdr& b) noexcept {
  return a.msg_namelen == b.msg_namelen && std::memcmp(a.msg_name, b.msg_name, a.msg_namelen) == 0;
}

// What sendmsg says when UDP_SEGMENT cannot be used (no GSO in the kernel or on the route,
// a segment larger than the path MTU).
bool refuses_gso(std::error_code ec) noexcept {
  return ec == std::errc::invalid_argument || ec == std::errc::io_error ||
         ec == std::errc::no_protocol_option || ec == std::errc::operation_not_supported;
}

}  // namespace

std::size_t DatagramServer::build_wires(std::size_t first, std::size_t wire0) noexcept {
  Receiver& b = *receiver_;
  // Runs of replies to one peer, all of one size but the last (which may be shorter), go out
  // as one message with UDP_SEGMENT: the kernel cuts them back into datagrams.
  std::size_t wires = wire0;
  for (std::size_t i = first; i < b.queued; ++wires) {
    std::size_t j = i + 1, segment = b.tx_iov[i].iov_len, total = segment;
    if (b.gso && segment > 0) {
      while (j < b.queued && j - i < max_segments && b.tx_iov[j].iov_len <= segment &&
             total + b.tx_iov[j].iov_len <= max_gso_bytes &&
             same_peer(b.tx[i].msg_hdr, b.tx[j].msg_hdr)) {
        total += b.tx_iov[j].iov_len;
        if (b.tx_iov[j++].iov_len < segment) break;  // a shorter one ends the run
      }
    }
    mmsghdr& w = b.wire[wires];
    w = b.tx[i];
    w.msg_hdr.msg_iovlen = j - i;
    if (j - i > 1)
      sys::set_udp_gso(w.msg_hdr, b.tx_control[wires].bytes, static_cast<std::uint16_t>(segment));
    b.wire_count[wires] = j - i;
    i = j;
  }
  return wires;
}

void DatagramServer::queue_on_ring() noexcept {
  Receiver& b = *receiver_;
  if (b.on_ring == b.queued) return;
  std::size_t wires = build_wires(b.on_ring, b.wires_used);
  for (std::size_t k = b.wires_used; k < wires; ++k) {
    auto n = static_cast<std::uint32_t>(b.wire_count[k]);
    if (!b.ring->queue_send(b.wire[k].msg_hdr, n)) dropped_ += n;
  }
  b.wires_used = wires;
  b.on_ring = b.queued;
}

void DatagramServer::Receiver::on_ring_send_failed(std::uint32_t datagrams, int err) noexcept {
  // The datagrams are gone (the kernel copied nothing): counted, and a refused offload is not
  // used again.
  server.dropped_ += datagrams;
  if (datagrams > 1 && refuses_gso(std::error_code(err, std::system_category()))) gso = false;
}

void DatagramServer::flush() {
  SOKET_LOOP_THREAD_ONLY(loop_, "DatagramServer::flush");
  Receiver& b = *receiver_;
  if (b.ring) {
    queue_on_ring();
    std::error_code ec;
    b.ring->submit(ec);
    b.queued = b.on_ring = b.wires_used = 0;
    return;
  }
  std::size_t first = 0;  // datagrams before this one are sent (or dropped)
  while (first < b.queued) {
    std::size_t wires = build_wires(first, 0);
    std::size_t sent = 0;
    bool refused = false;
    while (sent < wires) {
      std::error_code ec;
      int n = sys::sendmmsg(b.fd(), b.wire.data() + sent, static_cast<unsigned>(wires - sent), ec);
      if (n < 0) {
        if (ec == std::errc::interrupted) continue;
        if (ec == std::errc::resource_unavailable_try_again) {
          for (; sent < wires; ++sent) {  // socket buffer full: UDP drops
            dropped_ += b.wire_count[sent];
            first += b.wire_count[sent];
          }
          break;
        }
        if (b.wire_count[sent] > 1 && refuses_gso(ec)) {  // the kernel or route: never again
          b.gso = false;
          refused = true;
          break;
        }
        dropped_ += b.wire_count[sent];  // this destination failed (ECONNREFUSED): skip it
        first += b.wire_count[sent++];
        continue;
      }
      for (int k = 0; k < n; ++k) first += b.wire_count[sent++];
    }
    if (!refused) break;  // else: the rest again, one datagram per message
  }
  b.queued = 0;
}

void DatagramServer::deliver(std::span<const std::byte> data, const Address& from,
                             bool truncated) noexcept {
  ++received_;
  try {
    handler_.on_datagram(*this, data, from, truncated);
  } catch (...) {
    // One bad datagram must not cost the others of the batch (nor the server).
    detail::report_error("datagram from " + from.repr(), std::current_exception());
  }
}

void DatagramServer::deliver_buffer(std::span<const std::byte> data, const Address& from,
                                    std::size_t segment, bool truncated) noexcept {
  // With GRO one buffer may hold several datagrams of this peer, cut at `segment` bytes.
  std::size_t len = data.size();
  if (segment == 0 || segment >= len) {
    deliver(data, from, truncated);
    return;
  }
  for (std::size_t off = 0; off < len; off += segment)
    deliver(data.subspan(off, std::min(segment, len - off)), from, false);
}

void DatagramServer::on_readable() {
  Receiver& b = *receiver_;
  for (std::size_t i = 0; i < b.size; ++i) {
    b.rx_iov[i] = {b.rx_data.data() + i * b.max_datagram, b.max_datagram};
    b.rx[i] = {};
    b.rx[i].msg_hdr.msg_name = &b.rx_addr[i];
    b.rx[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    b.rx[i].msg_hdr.msg_iov = &b.rx_iov[i];
    b.rx[i].msg_hdr.msg_iovlen = 1;
    if (b.gro) {
      b.rx[i].msg_hdr.msg_control = b.rx_control[i].bytes;
      b.rx[i].msg_hdr.msg_controllen = sizeof b.rx_control[i].bytes;
    }
  }
  std::error_code ec;
  int n = sys::recvmmsg(b.fd(), b.rx.data(), static_cast<unsigned>(b.size), ec);
  if (n <= 0) return;  // EAGAIN, or an ICMP error for an earlier reply: nothing to deliver
  ++receive_calls_;
  in_batch_ = true;
  for (int i = 0; i < n; ++i) {
    auto& m = b.rx[static_cast<std::size_t>(i)];
    const std::byte* data = b.rx_data.data() + static_cast<std::size_t>(i) * b.max_datagram;
    deliver_buffer(std::span(data, m.msg_len),
                   Address::from_sockaddr(m.msg_hdr.msg_name, m.msg_hdr.msg_namelen),
                   b.gro ? sys::udp_gro_segment(m.msg_hdr) : 0,
                   (m.msg_hdr.msg_flags & MSG_TRUNC) != 0);
  }
  in_batch_ = false;
  flush();
}

}  // namespace soket::event
