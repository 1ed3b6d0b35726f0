// SPDX-License-Identifier: MIT
// The client driver of `soket perf`: a Worker is one event loop (one thread) holding its share
// of the connections; it sends the pattern, checks every echoed byte, records latencies and
// enforces the deadline of every mode (no progress for --timeout seconds ends the run).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include <soket/event.hpp>
#include <soket/soket.hpp>

#include "cmd_perf.hpp"

namespace soket::tools::perf {

class Worker final : public event::Handler {
 public:
  Worker(const Args& a, const std::vector<std::byte>& pattern, event::TransportFactory* transport)
      : a_(a), pat_(pattern) {
    options_.transport = transport;
  }

  struct Conn {
    std::size_t index;
    std::uint64_t sent = 0, received = 0, sent_msgs = 0;
    bool finished = false;
    std::vector<Clock::time_point> times;  // ring of send times, one per message in flight
  };

  void add(Socket s, std::size_t index);

  // Runs the loop on this thread; anything it throws is kept for the main thread.
  void run(Clock::time_point measure_from, Clock::time_point end);

  Stats stats;
  Counters counters;  // read by interval reports while running
  std::uint64_t base_messages = 0, base_out = 0, base_in = 0;  // at the end of the warm-up
  std::atomic<std::size_t> open{0};  // connections held (--idle reports it)
  std::atomic<bool> done{false};
  std::exception_ptr failure;
  Clock::time_point stopped_at{};  // when a timed run stopped counting

 private:
  void run_loop(Clock::time_point measure_from, Clock::time_point end);
  const std::byte* expected(const Conn& c, std::uint64_t offset) const {
    return pat_.data() + (offset + c.index) % period;
  }
  bool want_more(const Conn& c) const {
    return !stopping_ && (a_.messages == 0 || c.sent_msgs < a_.messages);
  }
  void send_one(event::Connection& conn, Conn& c);
  void send_many(event::Connection& conn, Conn& c, std::size_t k);
  void pump(event::Connection& conn, Conn& c);
  void on_open(event::Connection& conn) override;
  void on_drain(event::Connection& conn) override;
  void on_data(event::Connection& conn, event::Buffer& in) override;
  void on_close(event::Connection& conn, std::error_code ec) override;
  void on_connect_error(const Address&, std::error_code ec) override;

  const Args& a_;
  const std::vector<std::byte>& pat_;
  event::Loop loop_;
  event::ConnectionOptions options_{};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Socket> sockets_;
  std::size_t open_ = 0;
  bool stopping_ = false;
  Clock::time_point last_progress_{};
};

// A connected stream socket: every address a name resolves to is tried, as create_connection
// does (so "localhost" works whether the server listens on ::1 or 127.0.0.1).
Socket connect_to(const Address& addr, double timeout);

}  // namespace soket::tools::perf
