// SPDX-License-Identifier: MIT
// Scanner: a TCP connect scan on a Loop — many non-blocking connects at once, a bounded number
// in flight, each bounded by a timeout — reporting each port open, closed or filtered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>
#include <vector>

#include <soket/address.hpp>
#include <soket/event/clock.hpp>
#include <soket/event/timer_queue.hpp>

namespace soket::event {

class Loop;

/// What a connect told about a port (nmap's words).
enum class PortState {
  open,      ///< the connect completed (the socket is closed at once, nothing is sent)
  closed,    ///< refused: the host answered with a reset
  filtered,  ///< no answer within the timeout, or the host/network was unreachable
};

/// "open", "closed" or "filtered".
const char* to_string(PortState state) noexcept;

struct ScanResult {
  std::uint16_t port = 0;
  PortState state = PortState::filtered;
  std::error_code error;  ///< why it is not open (ECONNREFUSED, timed_out, EHOSTUNREACH...)
};

struct ScanOptions {
  std::size_t max_in_flight = 1024;            ///< connects outstanding at once (>= 1)
  Duration timeout = std::chrono::seconds(1);  ///< per connect
};

/// Scans `ports` of `host` (a numeric IPv4/IPv6 address; its port is ignored) with
/// non-blocking connects on `loop`: at most options.max_in_flight at once, each abandoned as
/// filtered after options.timeout. Every port gets one on_result call, in completion order,
/// then on_done once. Callbacks run on the loop thread, never inside start().
///
/// A connect that lands on its own source port (the kernel's TCP "self-connect", possible when
/// the port scanned is in the ephemeral range of the same host) is not a listener: it is
/// reported closed.
///
/// Failures to create a socket (EMFILE and the like) wait for a connect in flight to finish
/// and are retried; with none in flight the port is reported with that error as filtered.
///
/// Loop thread only (or before run()). Destroying the Scanner cancels what is in flight
/// (sockets closed, timers cancelled, no further callback).
class Scanner {
 public:
  Scanner(Loop& loop, const Address& host, std::vector<std::uint16_t> ports, ScanOptions options,
          std::function<void(const ScanResult&)> on_result, std::function<void()> on_done);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  /// Starts the scan on the loop's next turn.
  void start();
  /// Connects in flight now.
  std::size_t in_flight() const noexcept { return in_flight_; }

 private:
  struct Probe;
  void fill();
  void sweep();
  void launch(Probe& probe, std::uint16_t port);
  void finish(Probe& probe, PortState state, std::error_code ec);

  Loop& loop_;
  Address host_;
  std::vector<std::uint16_t> ports_;
  ScanOptions options_;
  std::function<void(const ScanResult&)> on_result_;
  std::function<void()> on_done_;
  std::vector<std::unique_ptr<Probe>> probes_;  // max_in_flight slots, reused
  std::vector<Probe*> idle_;
  std::size_t next_ = 0;  // next index into ports_
  std::size_t in_flight_ = 0;
  std::size_t reported_ = 0;
  TimerId start_timer_;
  TimerId sweep_timer_;
  bool filling_ = false;
  bool done_ = false;
};

/// Runs a Scanner on a Loop of its own on the calling thread; returns every port's result,
/// sorted by port.
std::vector<ScanResult> scan(const Address& host, std::vector<std::uint16_t> ports,
                             const ScanOptions& options = {});

}  // namespace soket::event
