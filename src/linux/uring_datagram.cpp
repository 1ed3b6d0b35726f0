// SPDX-License-Identifier: MIT
#include "linux/uring_datagram.hpp"

#include <linux/io_uring.h>
#include <cerrno>
#include <exception>
#include <system_error>

#include "event/report.hpp"
#include "linux/udp_offload.hpp"
#include "linux/uring.hpp"

namespace soket::sys {
namespace {

// Request tags: a receive with its sequence number (bumped when one is cancelled, so the
// cancelled one's last completion is recognised), or a send with its datagram count (its
// completion comes only on failure: IOSQE_CQE_SKIP_SUCCESS, so a successful reply never wakes
// the wait that submitted it).
constexpr std::uint32_t send_bit = 1U << 31;

}  // namespace

std::unique_ptr<DatagramRing> DatagramRing::create(event::detail::Poller& poller, int fd,
                                                   DatagramSink& sink, unsigned count,
                                                   std::size_t max_datagram, std::size_t control) {
  auto* uring = dynamic_cast<UringPoller*>(&poller);
  if (!uring || !uring->completes()) return nullptr;
  std::unique_ptr<DatagramRing> r(new DatagramRing(*uring, fd, sink, control));
  std::size_t size =
      sizeof(io_uring_recvmsg_out) + sizeof(sockaddr_storage) + control + max_datagram;
  // Group 0 is the poller's; each client its own after it.
  r->buffers_ = std::make_unique<BufferRing>(uring->ring(), static_cast<std::uint16_t>(r->id_ + 1),
                                             count, static_cast<unsigned>(size), false);
  if (!r->buffers_->ok()) return nullptr;
  return r;
}

DatagramRing::DatagramRing(UringPoller& poller, int fd, DatagramSink& sink, std::size_t control)
    : poller_(poller), fd_(fd), sink_(sink), id_(poller.attach(*this)) {
  receive_.msg_namelen = sizeof(sockaddr_storage);
  receive_.msg_controllen = control;
}

DatagramRing::~DatagramRing() {
  // Normally nothing is left (pause() ran on the loop thread); the thread that destroys may
  // not be the ring's submitter, so it enters only when it must.
  std::error_code ec;
  if (poller_.ring().unsubmitted() > 0) poller_.ring().enter(0, -1, ec);
  end_receive();
  poller_.detach(id_);
  buffers_.reset();  // unregistered while the ring exists
}

void DatagramRing::end_receive() noexcept {
  if (!armed_) return;
  // Synchronous: when it returns the request is gone, and with it its hold on the socket
  // (an asynchronous cancel would complete in the thread that armed it, maybe gone by now).
  io_uring_sync_cancel_reg reg{};
  reg.addr = UringPoller::client_data(id_, receive_seq_);
  reg.timeout.tv_sec = -1;
  reg.timeout.tv_nsec = -1;
  poller_.ring().register_op(IORING_REGISTER_SYNC_CANCEL, &reg, 1);
  armed_ = false;
  receive_seq_ = (receive_seq_ + 1) & ~send_bit;
}

void DatagramRing::pause() noexcept {
  std::error_code ec;
  poller_.ring().enter(0, -1, ec);  // the sends first
  end_receive();
  stopped_ = true;
}

bool DatagramRing::resume() noexcept {
  stopped_ = failed_ = false;
  return armed_ || arm();
}

bool DatagramRing::arm() noexcept {
  std::error_code ec;
  io_uring_sqe* e = poller_.client_sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_RECVMSG;
  e->fd = fd_;
  e->addr = reinterpret_cast<std::uint64_t>(&receive_);
  e->len = 1;
  e->ioprio = IORING_RECV_MULTISHOT;
  e->flags = IOSQE_BUFFER_SELECT;
  e->buf_group = buffers_->group();
  e->user_data = UringPoller::client_data(id_, receive_seq_);
  armed_ = true;
  return true;
}

bool DatagramRing::queue_send(const msghdr& m, std::uint32_t datagrams) noexcept {
  std::error_code ec;
  io_uring_sqe* e = poller_.client_sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_SENDMSG;
  e->fd = fd_;
  e->addr = reinterpret_cast<std::uint64_t>(&m);
  e->len = 1;
  // MSG_DONTWAIT: sent during the submission or failed with EAGAIN (UDP drops), never parked
  // in the kernel holding pointers into the caller's arrays.
  e->msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
  e->flags = IOSQE_CQE_SKIP_SUCCESS;
  e->user_data = UringPoller::client_data(id_, send_bit | (datagrams & ~send_bit));
  return true;
}

bool DatagramRing::pending() const noexcept {
  return poller_.ring().unsubmitted() > 0;
}

bool DatagramRing::submit(std::error_code& ec) noexcept {
  return poller_.ring().enter(0, -1, ec);
}

void DatagramRing::on_completion(std::uint32_t tag, int res, std::uint32_t flags) noexcept {
  if (tag & send_bit) {
    if (res < 0) sink_.on_ring_send_failed(tag & ~send_bit, -res);
    return;
  }
  if (flags & IORING_CQE_F_BUFFER) {
    const std::byte* buf = buffers_->bytes(flags);
    auto* out = reinterpret_cast<const io_uring_recvmsg_out*>(buf);
    std::size_t head = sizeof *out + receive_.msg_namelen + receive_.msg_controllen;
    auto got = static_cast<std::size_t>(res);
    if (res >= 0 && got >= head) {
      msghdr control{};  // the control data as recvmsg would have returned it, for CMSG_*
      control.msg_control = const_cast<std::byte*>(buf + sizeof *out + receive_.msg_namelen);
      control.msg_controllen = out->controllen;
      std::size_t segment = out->controllen ? udp_gro_segment(control) : 0;
      auto from_len = static_cast<socklen_t>(
          out->namelen < receive_.msg_namelen ? out->namelen : receive_.msg_namelen);
      failed_ = false;
      sink_.on_ring_datagram(std::span(buf + head, got - head),
                             reinterpret_cast<const sockaddr*>(buf + sizeof *out), from_len,
                             segment, (out->flags & MSG_TRUNC) != 0);
    }
    buffers_->done(flags, 0);
  }
  // Datagrams of a cancelled receive were still the server's (above); its end is not news.
  if ((flags & IORING_CQE_F_MORE) || tag != receive_seq_) return;
  // The receive ended: no buffer left (ENOBUFS), the completion queue overflowed, an error.
  // It is re-armed after the batch, when the buffers are back; an error twice in a row
  // without a datagram between ends receiving (a socket that fails every receive would spin).
  armed_ = false;
  if (res >= 0 || res == -ENOBUFS) return;
  if (res == -ECANCELED || failed_) {
    stopped_ = true;
    if (res != -ECANCELED)
      event::detail::report_error("datagram receive", std::make_exception_ptr(std::system_error(
                                                          -res, std::system_category())));
  }
  failed_ = true;
}

void DatagramRing::on_batch_end() noexcept {
  if (!armed_ && !stopped_) arm();
  sink_.on_ring_batch_end();
}

}  // namespace soket::sys
