// SPDX-License-Identifier: MIT
// DatagramServer: a UDP (or Unix datagram) server on its own event loop, batched with
// recvmmsg/sendmmsg.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <thread>

#include <soket/address.hpp>
#include <soket/event/backend.hpp>
#include <soket/event/loop.hpp>

namespace soket::event {

class DatagramServer;

/// Called for each datagram, on the server's loop thread.
class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  /// `data` is valid only during the call. truncated: the datagram was longer than
  /// max_datagram and was cut. What this throws is reported on stderr ("soket: datagram from
  /// <address>: <what()>") and the batch goes on with the next datagram.
  virtual void on_datagram(DatagramServer& server, std::span<const std::byte> data,
                           const Address& from, bool truncated) = 0;
};

struct DatagramOptions {
  /// Datagrams taken per recvmmsg(2) (on the ring: receive buffers, rounded up to a power of
  /// two), and replies sent per sendmmsg(2).
  std::size_t batch = 32;
  /// Longer datagrams are cut to this and flagged truncated.
  std::size_t max_datagram = 65536;
  /// The loop's poller (backend.hpp).
  Backend backend = Backend::automatic;
  /// UDP segmentation offloads where they apply (IPv4/IPv6; GRO only with max_datagram of
  /// 65535 or more, so a coalesced buffer is never cut): several datagrams of one peer arrive
  /// as one buffer (UDP_GRO) and are delivered one by one, and consecutive replies of one
  /// size to one peer leave with one message (UDP_SEGMENT). Off: one datagram per message.
  /// Where the kernel refuses UDP_SEGMENT, GSO is off from then on; on epoll the refused run
  /// is sent again datagram by datagram, on the ring (sent after the batch's bytes are gone)
  /// it is counted as dropped.
  bool offload = true;
};

/// Binds at construction (errors throw there, naming the address; a host name binds as
/// UDPServer's does: IPv4, first address), serves after start() on a loop of its own — the
/// same model as Server. On epoll each readiness event takes up to `batch` datagrams with one
/// recvmmsg(2); replies queued with send_to() during the batch go out together with one
/// sendmmsg(2) after it (see DatagramOptions::offload for GRO and GSO). On the uring backend
/// (on_ring()) one multishot receive on the loop's ring fills `batch` buffers of its own, and
/// the batch's replies are sendmsg requests submitted by the loop's next wait: a ping-pong
/// turn is one io_uring_enter. A reply that finds the socket buffer full is dropped and
/// counted (UDP's contract), never blocked on.
///
/// The handler must outlive the server.
///
/// Thread rules: construct, start(), stop() and destroy from a controlling thread that is not
/// the server's loop thread; send_to() and flush() on the loop thread (from on_datagram, or
/// post to loop()); the counters on the loop thread or after stop().
class DatagramServer {
 public:
  DatagramServer(const Address& address, DatagramHandler& handler, DatagramOptions options = {});
  /// stop(), if still running.
  ~DatagramServer();
  DatagramServer(const DatagramServer&) = delete;
  DatagramServer& operator=(const DatagramServer&) = delete;

  const Address& address() const noexcept { return address_; }
  /// Starts the loop thread.
  void start();
  /// Stops the loop and joins its thread (queued replies are flushed first). Harmless if not
  /// started.
  void stop();
  /// The server's loop: post() work to it from other threads.
  Loop& loop() noexcept { return loop_; }

  /// Queues a datagram; sent at the end of the current batch (or at once outside one).
  void send_to(std::span<const std::byte> data, const Address& to);
  void send_to(std::string_view text, const Address& to) {
    send_to(std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()), to);
  }
  /// Sends everything queued now.
  void flush();

  std::size_t received() const noexcept { return received_; }
  /// recvmmsg calls that returned datagrams (on the ring: batches of completions holding some).
  std::size_t receive_calls() const noexcept { return receive_calls_; }
  std::size_t dropped() const noexcept { return dropped_; }
  /// True when datagrams are received and sent on the loop's io_uring ring (the uring backend
  /// with the completion model), false when it reads on readiness (epoll).
  bool on_ring() const noexcept;

 private:
  struct Receiver;
  void on_readable();
  std::size_t build_wires(std::size_t first, std::size_t wire0) noexcept;
  void queue_on_ring() noexcept;
  void deliver_buffer(std::span<const std::byte> data, const Address& from, std::size_t segment,
                      bool truncated) noexcept;
  void deliver(std::span<const std::byte> data, const Address& from, bool truncated) noexcept;

  Loop loop_;  // first: the receiver unwatches from it when destroyed
  DatagramHandler& handler_;
  Address address_;
  std::unique_ptr<Receiver> receiver_;
  std::thread thread_;
  bool in_batch_ = false;
  std::size_t received_ = 0, receive_calls_ = 0, dropped_ = 0;
};

}  // namespace soket::event
