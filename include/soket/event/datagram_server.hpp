// SPDX-License-Identifier: MIT
// DatagramServer: a UDP (or Unix datagram) server on a Loop, batched with recvmmsg/sendmmsg.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include <soket/address.hpp>
#include <soket/event/watcher.hpp>

namespace soket::event {

class DatagramServer;
class Loop;

/// Called for each datagram, on the loop thread.
class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  /// `data` is valid only during the call. truncated: the datagram was longer than
  /// max_datagram and was cut.
  virtual void on_datagram(DatagramServer& server, std::span<const std::byte> data,
                           const Address& from, bool truncated) = 0;
};

/// Binds at construction and watches the socket on `loop`. Each readiness event takes up to
/// `batch` datagrams with one recvmmsg(2); replies queued with send_to() during the batch go
/// out together with one sendmmsg(2) after it. A reply that finds the socket buffer full is
/// dropped and counted (UDP's contract), never blocked on.
///
/// Thread rules: construct, use and destroy on the loop thread (or before run()).
class DatagramServer final : public Watcher {
 public:
  DatagramServer(Loop& loop, const Address& address, DatagramHandler& handler,
                 std::size_t batch = 32, std::size_t max_datagram = 65536);
  ~DatagramServer() override;

  const Address& address() const noexcept { return address_; }
  /// Queues a datagram; sent at the end of the current batch (or at once outside one).
  void send_to(std::span<const std::byte> data, const Address& to);
  void send_to(std::string_view text, const Address& to) {
    send_to(std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()), to);
  }
  /// Sends everything queued now.
  void flush();

  std::size_t received() const noexcept { return received_; }
  std::size_t receive_calls() const noexcept { return receive_calls_; }
  std::size_t dropped() const noexcept { return dropped_; }

  void handle_events(std::uint32_t ready) override;

 private:
  struct Batch;
  Loop& loop_;
  DatagramHandler& handler_;
  Address address_;
  std::unique_ptr<Batch> batch_;
  bool in_batch_ = false;
  std::size_t received_ = 0, receive_calls_ = 0, dropped_ = 0;
};

}  // namespace soket::event
