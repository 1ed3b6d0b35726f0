// SPDX-License-Identifier: MIT
#include <soket/event/datagram_server.hpp>

#include <sys/socket.h>
#include <cstring>
#include <vector>

#include <soket/error.hpp>
#include <soket/event/loop.hpp>
#include <soket/socket.hpp>

#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/fd.hpp"
#include "linux/mmsg.hpp"

namespace soket::event {

/// The socket, watched on the server's loop, and its preallocated recvmmsg/sendmmsg arrays:
/// nothing is allocated per datagram.
struct DatagramServer::Receiver final : Watcher {
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
  }
  void handle_events(std::uint32_t) override { server.on_readable(); }
  DatagramServer& server;
  std::size_t size, max_datagram;
  Socket socket;
  std::vector<std::byte> rx_data, tx_data;
  std::vector<sockaddr_storage> rx_addr, tx_addr;
  std::vector<iovec> rx_iov, tx_iov;
  std::vector<mmsghdr> rx, tx;
  std::size_t queued = 0;
};

DatagramServer::DatagramServer(const Address& address, DatagramHandler& handler,
                               DatagramOptions options)
    : handler_(handler),
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
  loop_.watch(*receiver_, Watcher::readable);
}

DatagramServer::~DatagramServer() {
  stop();
  loop_.unwatch(*receiver_);
}

void DatagramServer::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop_.run(); });
}

void DatagramServer::stop() {
  SOKET_THREAD_RULE(!loop_.in_loop_thread(),
                    "DatagramServer::stop called from its own loop thread (it would wait for "
                    "itself: deadlock)");
  if (!thread_.joinable()) return;
  loop_.post([this] { flush(); });
  loop_.stop();
  thread_.join();
}

void DatagramServer::send_to(std::span<const std::byte> data, const Address& to) {
  SOKET_LOOP_THREAD_ONLY(loop_, "DatagramServer::send_to");
  Receiver& b = *receiver_;
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

void DatagramServer::flush() {
  SOKET_LOOP_THREAD_ONLY(loop_, "DatagramServer::flush");
  Receiver& b = *receiver_;
  std::size_t sent = 0;
  while (sent < b.queued) {
    std::error_code ec;
    int n = sys::sendmmsg(b.fd(), b.tx.data() + sent, static_cast<unsigned>(b.queued - sent), ec);
    if (n < 0) {
      if (ec == std::errc::interrupted) continue;
      if (ec == std::errc::resource_unavailable_try_again) {
        dropped_ += b.queued - sent;  // socket buffer full: UDP drops
        break;
      }
      ++dropped_;  // this datagram's destination failed (e.g. ECONNREFUSED): skip it
      ++sent;
      continue;
    }
    sent += static_cast<std::size_t>(n);
  }
  b.queued = 0;
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
  }
  std::error_code ec;
  int n = sys::recvmmsg(b.fd(), b.rx.data(), static_cast<unsigned>(b.size), ec);
  if (n <= 0) return;  // EAGAIN, or an ICMP error for an earlier reply: nothing to deliver
  ++receive_calls_;
  in_batch_ = true;
  for (int i = 0; i < n; ++i) {
    auto& m = b.rx[static_cast<std::size_t>(i)];
    Address from = Address::from_sockaddr(m.msg_hdr.msg_name, m.msg_hdr.msg_namelen);
    ++received_;
    try {
      handler_.on_datagram(
          *this,
          std::span(b.rx_data.data() + static_cast<std::size_t>(i) * b.max_datagram, m.msg_len),
          from, (m.msg_hdr.msg_flags & MSG_TRUNC) != 0);
    } catch (...) {
      // One bad datagram must not cost the others of the batch (nor the server).
      detail::report_error("datagram from " + from.repr(), std::current_exception());
    }
  }
  in_batch_ = false;
  flush();
}

}  // namespace soket::event
