// SPDX-License-Identifier: MIT
// `soket perf`'s client driver: see cmd_perf_driver.hpp.
#include "cmd_perf_driver.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <span>

namespace soket::tools::perf {

using namespace soket::event;

void Worker::add(Socket s, std::size_t index) {
  conns_.push_back(std::make_unique<Conn>());
  conns_.back()->index = index;
  conns_.back()->times.resize(a_.depth);
  sockets_.push_back(std::move(s));
}

void Worker::run(Clock::time_point measure_from, Clock::time_point end) {
  try {
    run_loop(measure_from, end);
  } catch (...) {
    failure = std::current_exception();
  }
  done.store(true);
}

void Worker::run_loop(Clock::time_point measure_from, Clock::time_point end) {
  options_.pause_reading_when_congested = !a_.bulk;  // bulk keeps draining the echoes
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    loop_.adopt(std::move(sockets_[i]), *this, options_, conns_[i].get());
    ++open_;
  }
  open.store(open_);
  last_progress_ = Clock::now();
  // The deadline of every mode: a server that stops echoing (or reading) ends the run.
  auto check = std::min(seconds(a_.timeout) / 4, Clock::duration(std::chrono::seconds(1)));
  loop_.call_every(check, [this] {
    if (stopping_ || a_.idle || Clock::now() - last_progress_ < seconds(a_.timeout)) return;
    stats.stalled = true;
    stopping_ = true;
    stopped_at = Clock::now();
    loop_.for_each_connection([](Connection& c) { c.close(); });
  });
  if (a_.messages == 0) {
    if (a_.warmup > 0)
      loop_.call_after(measure_from - Clock::now(), [this] {  // errors still count
        base_messages = counters.messages.load(std::memory_order_relaxed);
        base_out = counters.bytes_out.load(std::memory_order_relaxed);
        base_in = counters.bytes_in.load(std::memory_order_relaxed);
        stats.latency = Histogram{};
      });
    loop_.call_after(end - Clock::now(), [this] {
      stopping_ = true;
      stopped_at = Clock::now();
      // Half-close and keep reading until each server closes its side; a server that
      // does not within the grace period is closed on.
      loop_.for_each_connection([](Connection& c) { c.shutdown(); });
      loop_.call_after(std::chrono::seconds(3),
                       [this] { loop_.for_each_connection([](Connection& c) { c.close(); }); });
    });
  }
  if (open_ > 0) loop_.run();
  if (stopped_at == Clock::time_point{}) stopped_at = Clock::now();  // ended early
  stats.messages = counters.messages.load() - base_messages;
  stats.bytes_out = counters.bytes_out.load() - base_out;
  stats.bytes_in = counters.bytes_in.load() - base_in;
}

void Worker::send_one(Connection& conn, Conn& c) {
  c.times[c.sent_msgs % a_.depth] = Clock::now();
  conn.send(std::span(expected(c, c.sent), a_.size));
  c.sent += a_.size;
  ++c.sent_msgs;
  counters.add(counters.bytes_out, a_.size);
}

// Replaces completed messages with new ones in one send: the messages of a connection are
// consecutive stretches of the periodic pattern, so k of them are one contiguous span.
void Worker::send_many(Connection& conn, Conn& c, std::size_t k) {
  std::size_t max_batch = std::max<std::size_t>(1, (pat_.size() - period) / a_.size);
  while (k > 0) {
    std::size_t batch = std::min(k, max_batch);
    auto now = Clock::now();
    for (std::size_t i = 0; i < batch; ++i) c.times[(c.sent_msgs + i) % a_.depth] = now;
    conn.send(std::span(expected(c, c.sent), batch * a_.size));
    c.sent += batch * a_.size;
    c.sent_msgs += batch;
    counters.add(counters.bytes_out, batch * a_.size);
    k -= batch;
  }
}

void Worker::on_open(Connection& conn) {
  auto& c = **conn.context<Conn*>();
  if (a_.idle) return;
  if (a_.bulk) return pump(conn, c);
  std::size_t first = a_.depth;
  if (a_.messages) first = static_cast<std::size_t>(std::min<std::uint64_t>(first, a_.messages));
  send_many(conn, c, first);  // the whole window in one write
}

// Bulk: keep the output queue topped up to the high-water mark; on_drain resumes. A fast
// reader may never let it fill, so send a bounded batch per turn and come back, or the
// loop would never see its timers.
void Worker::pump(Connection& conn, Conn& c) {
  for (int i = 0; i < 64 && !stopping_ && !conn.congested() && conn.is_open(); ++i)
    send_one(conn, c);
  if (!stopping_ && conn.is_open() && !conn.congested()) {
    last_progress_ = Clock::now();  // the kernel took everything: the reader keeps up
    ConnectionId id = conn.id();
    loop_.post([this, id, &c] {
      if (Connection* again = loop_.find(id)) pump(*again, c);
    });
  }
}

void Worker::on_drain(Connection& conn) {
  last_progress_ = Clock::now();
  if (a_.bulk) pump(conn, **conn.context<Conn*>());
}

void Worker::on_data(Connection& conn, Buffer& in) {
  auto& c = **conn.context<Conn*>();
  last_progress_ = Clock::now();
  std::size_t n = in.readable();
  if (!a_.no_verify && !a_.bulk) {
    // Compare in pieces that stay inside the pattern buffer.
    std::size_t checked = 0;
    while (checked < n) {
      std::size_t piece = std::min<std::size_t>(n - checked, pat_.size() - period);
      const std::byte* want = expected(c, c.received + checked);
      if (std::memcmp(in.peek() + checked, want, piece) != 0) {
        for (std::size_t i = 0; i < piece; ++i)
          if (in.peek()[checked + i] != want[i]) ++stats.corrupt;
      }
      checked += piece;
    }
  }
  in.retrieve_all();
  if (stopping_) {  // the echoes of the last messages: verified, not counted
    c.received += n;
    return;
  }
  counters.add(counters.bytes_in, n);
  if (a_.bulk) {
    c.received += n;
    return;
  }
  std::uint64_t before = c.received / a_.size;
  c.received += n;
  std::uint64_t after = c.received / a_.size;
  auto now = Clock::now();
  std::size_t refill = 0;
  for (std::uint64_t m = before; m < after; ++m) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.times[m % a_.depth]);
    stats.latency.record(static_cast<std::uint64_t>(ns.count()));
    if (want_more(c) && c.sent_msgs + refill < (a_.messages ? a_.messages : UINT64_MAX)) ++refill;
  }
  counters.add(counters.messages, after - before);
  if (!stopping_) send_many(conn, c, refill);
  if (a_.messages && c.received >= a_.messages * a_.size) {
    ++stats.finished;
    c.finished = true;
    conn.close();
  }
}

void Worker::on_close(Connection& conn, std::error_code ec) {
  auto& c = **conn.context<Conn*>();
  if (!stopping_ && !c.finished) {
    // An EOF or a reset: the server closed (killed, or not an echo server, which closes
    // with our message unread); anything else is an error of its own.
    if (!ec || ec == std::errc::connection_reset || ec == std::errc::broken_pipe)
      ++stats.closed_early;
    else
      ++stats.errors;
  }
  open.store(--open_);
  if (open_ == 0) loop_.stop();
}

// --tls: the handshake failed, so the connection never opened (no on_open, no on_close).
void Worker::on_connect_error(const Address&, std::error_code ec) {
  ++stats.errors;
  if (stats.handshake_error.empty()) stats.handshake_error = ec.message();
  open.store(--open_);
  if (open_ == 0) loop_.stop();
}

// A connected stream socket: every address a name resolves to is tried, as create_connection
// does (so "localhost" works whether the server listens on ::1 or 127.0.0.1).
Socket connect_to(const Address& addr, double timeout) {
  if (addr.family() == Family::local) {
    Socket s(Family::local, Type::stream);
    s.settimeout(timeout);
    s.connect(addr);
    return s;
  }
  return create_connection(addr,
                           std::chrono::duration_cast<std::chrono::nanoseconds>(seconds(timeout)));
}

}  // namespace soket::tools::perf
