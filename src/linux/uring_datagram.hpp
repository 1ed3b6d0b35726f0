// SPDX-License-Identifier: MIT
// Datagrams on the uring poller's ring: one multishot IORING_OP_RECVMSG into a provided-buffer
// group of their own, and sends as IORING_OP_SENDMSG submitted by the loop's next wait, so a
// ping-pong turn is one io_uring_enter. Internal: never installed.
#pragma once

#include <sys/socket.h>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

#include "event/poller.hpp"
#include "linux/uring_buffers.hpp"
#include "linux/uring_poller.hpp"

namespace soket::sys {

/// What the ring hands to its owner, on the loop thread.
class DatagramSink {
 public:
  /// One received buffer: a datagram, or with GRO (`gro_segment` > 0) several of one peer cut
  /// at that size. `data` is valid only during the call. truncated: longer than the buffer.
  virtual void on_ring_datagram(std::span<const std::byte> data, const sockaddr* from,
                                socklen_t from_len, std::size_t gro_segment,
                                bool truncated) noexcept = 0;
  /// After each batch of completions: the time to queue replies (they leave with the wait).
  virtual void on_ring_batch_end() noexcept = 0;
  /// A queued send of `datagrams` datagrams failed with -`error` (never called on success).
  virtual void on_ring_send_failed(std::uint32_t datagrams, int error) noexcept = 0;

 protected:
  ~DatagramSink() = default;
};

/// The completion model for one datagram socket. Buffers: `count` (a power of two) of room for
/// the io_uring_recvmsg_out header, a sockaddr_storage, `control` bytes of control data and
/// `max_datagram` bytes; each goes back to the ring as soon as the sink has seen it. When the
/// ring is empty the receive ends with ENOBUFS and is re-armed after the batch (the datagrams
/// wait in the socket buffer meanwhile). Loop thread only (construct and destroy while the
/// loop does not run, or on its thread).
class DatagramRing final : public RingClient {
 public:
  /// nullptr if `poller` is not a uring poller with the completion model or the kernel refuses
  /// the buffer group: the caller then reads on readiness.
  static std::unique_ptr<DatagramRing> create(event::detail::Poller& poller, int fd,
                                              DatagramSink& sink, unsigned count,
                                              std::size_t max_datagram, std::size_t control);
  /// Submits what is queued and ends the receive (a request holds the socket open).
  ~DatagramRing();
  DatagramRing(const DatagramRing&) = delete;
  DatagramRing& operator=(const DatagramRing&) = delete;

  /// Queues sendmsg(m, MSG_DONTWAIT | MSG_NOSIGNAL) carrying `datagrams` datagrams. The kernel
  /// copies m, what it points to and the bytes when the request is submitted (the loop's next
  /// wait, or submit()): they must stay unchanged until then. False if the ring refused.
  bool queue_send(const msghdr& m, std::uint32_t datagrams) noexcept;
  /// Sends queued and not yet handed to the kernel.
  bool pending() const noexcept;
  /// Hands everything queued to the kernel now.
  bool submit(std::error_code& ec) noexcept;
  /// Queues the receive, submitted by the loop's next wait: call before the loop runs (the
  /// thread that submits a request owns it).
  bool resume() noexcept;
  /// On the loop thread before its run() ends: submits the sends and ends the receive there.
  void pause() noexcept;

  void on_completion(std::uint32_t tag, int res, std::uint32_t flags) noexcept override;
  void on_batch_end() noexcept override;

 private:
  DatagramRing(UringPoller& poller, int fd, DatagramSink& sink, std::size_t control);
  bool arm() noexcept;
  void end_receive() noexcept;

  UringPoller& poller_;
  int fd_;
  DatagramSink& sink_;
  std::uint32_t id_;
  std::unique_ptr<BufferRing> buffers_;
  msghdr receive_{};  // the multishot receive's layout: name and control lengths, no iovec
  std::uint32_t receive_seq_ = 0;  // names the current receive (its tag)
  bool armed_ = false;
  bool failed_ = false;   // the last receive ended with an error and no datagram since
  bool stopped_ = false;  // cancelled, or failing: not re-armed
};

}  // namespace soket::sys
