// SPDX-License-Identifier: MIT
// `soket perf`: an echo load generator on the event engine — connections, pipelining, message
// size, duration, warm-up; checks every echoed byte; messages/s, MB/s and latency percentiles,
// with interval reports (-i, as iperf3); a one-way bulk mode (like iperf) and an idle mode (hold
// connections open). A timed run ends with a half-close and reads the echoes still in flight,
// so no server sees a reset. Every mode has a deadline: no progress for --timeout seconds ends
// the run as a failure, and so does a server that closes early or echoes nothing.
#include <fmt/format.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include <soket/event.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "tls_setup.hpp"

namespace soket::tools {
namespace {

using Clock = std::chrono::steady_clock;
using namespace soket::event;

/// Latency histogram with log buckets: 16 sub-buckets per power of two (HDR-style, ~6%
/// resolution), in nanoseconds, no allocation per sample.
class Histogram {
 public:
  void record(std::uint64_t ns) {
    ++counts_[index(ns)];
    ++total_;
    max_ = std::max(max_, ns);
  }
  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    max_ = std::max(max_, o.max_);
  }
  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }
  /// The value below which fraction q of the samples lie (a bucket's midpoint).
  double percentile(double q) const {
    if (total_ == 0) return 0;
    auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= want && counts_[i]) return std::min<double>(mid(i), static_cast<double>(max_));
    }
    return static_cast<double>(max_);
  }

 private:
  static constexpr int sub = 16;
  static std::size_t index(std::uint64_t v) {
    if (v < sub) return v;
    int msb = 63 - __builtin_clzll(v);
    auto frac = static_cast<std::size_t>((v >> (msb - 4)) & (sub - 1));
    return static_cast<std::size_t>(msb - 3) * sub + frac;
  }
  static double mid(std::size_t i) {
    if (i < sub) return static_cast<double>(i);
    int msb = static_cast<int>(i / sub) + 3;
    double lo = std::ldexp(static_cast<double>(sub + i % sub), msb - 4);
    return lo + std::ldexp(1.0, msb - 4) / 2;
  }
  std::array<std::uint64_t, 64 * sub> counts_{};
  std::uint64_t total_ = 0, max_ = 0;
};

/// The bytes every connection sends: a 251-byte period (prime, so it never lines up with
/// message sizes) shifted per connection. Expected bytes are a memcmp against this buffer.
constexpr std::size_t period = 251;

/// iperf3's default write size for TCP (its -l): what --bulk sends per write unless -s says.
constexpr std::size_t bulk_write_size = 128 * 1024;

struct Args {
  std::string address = "127.0.0.1:12345";
  std::size_t connections = 1, depth = 1, size = 64, threads = 1;
  double seconds = 5;
  double warmup = 0;           // seconds run before `seconds`, not counted
  double timeout = 10;         // connect, and the longest wait for any progress
  double interval = 0;         // seconds between interval reports; 0: none
  std::uint64_t messages = 0;  // per connection; 0: run for `seconds`
  bool bulk = false, idle = false, json = false, no_verify = false, nodelay = false;
  bool tls = false;     // TLS on every connection (verified only with --ca)
  std::string ca, sni;  // --ca FILE, --sni NAME
};

template <class Rep>
Clock::duration seconds(Rep s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// The counters interval reports read from another thread: monotonic, relaxed (each is only
// written by its worker's loop thread).
struct Counters {
  std::atomic<std::uint64_t> messages{0}, bytes_out{0}, bytes_in{0};
  void add(std::atomic<std::uint64_t>& c, std::uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

struct Stats {
  std::uint64_t messages = 0, bytes_out = 0, bytes_in = 0, corrupt = 0, errors = 0, finished = 0;
  std::uint64_t closed_early = 0;  // connections the server closed before the run ended
  bool stalled = false;            // no progress for --timeout seconds
  std::string handshake_error;     // --tls: why the first failed handshake failed
  Histogram latency;
};

class Worker final : public Handler {
 public:
  Worker(const Args& a, const std::vector<std::byte>& pattern, TransportFactory* transport)
      : a_(a), pat_(pattern) {
    options_.transport = transport;
  }

  struct Conn {
    std::size_t index;
    std::uint64_t sent = 0, received = 0, sent_msgs = 0;
    bool finished = false;
    std::vector<Clock::time_point> times;  // ring of send times, one per message in flight
  };

  void add(Socket s, std::size_t index) {
    conns_.push_back(std::make_unique<Conn>());
    conns_.back()->index = index;
    conns_.back()->times.resize(a_.depth);
    sockets_.push_back(std::move(s));
  }

  // Runs the loop on this thread; anything it throws is kept for the main thread.
  void run(Clock::time_point measure_from, Clock::time_point end) {
    try {
      run_loop(measure_from, end);
    } catch (...) {
      failure = std::current_exception();
    }
    done.store(true);
  }

  Stats stats;
  Counters counters;  // read by interval reports while running
  std::uint64_t base_messages = 0, base_out = 0, base_in = 0;  // at the end of the warm-up
  std::atomic<std::size_t> open{0};  // connections held (--idle reports it)
  std::atomic<bool> done{false};
  std::exception_ptr failure;
  Clock::time_point stopped_at{};  // when a timed run stopped counting

 private:
  void run_loop(Clock::time_point measure_from, Clock::time_point end) {
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

  const std::byte* expected(const Conn& c, std::uint64_t offset) const {
    return pat_.data() + (offset + c.index) % period;
  }
  bool want_more(const Conn& c) const {
    return !stopping_ && (a_.messages == 0 || c.sent_msgs < a_.messages);
  }
  void send_one(Connection& conn, Conn& c) {
    c.times[c.sent_msgs % a_.depth] = Clock::now();
    conn.send(std::span(expected(c, c.sent), a_.size));
    c.sent += a_.size;
    ++c.sent_msgs;
    counters.add(counters.bytes_out, a_.size);
  }
  // Replaces completed messages with new ones in one send: the messages of a connection are
  // consecutive stretches of the periodic pattern, so k of them are one contiguous span.
  void send_many(Connection& conn, Conn& c, std::size_t k) {
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
  void on_open(Connection& conn) override {
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
  void pump(Connection& conn, Conn& c) {
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
  void on_drain(Connection& conn) override {
    last_progress_ = Clock::now();
    if (a_.bulk) pump(conn, **conn.context<Conn*>());
  }
  void on_data(Connection& conn, Buffer& in) override {
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
  void on_close(Connection& conn, std::error_code ec) override {
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
  void on_connect_error(const Address&, std::error_code ec) override {
    ++stats.errors;
    if (stats.handshake_error.empty()) stats.handshake_error = ec.message();
    open.store(--open_);
    if (open_ == 0) loop_.stop();
  }

  const Args& a_;
  const std::vector<std::byte>& pat_;
  Loop loop_;
  ConnectionOptions options_{};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Socket> sockets_;
  std::size_t open_ = 0;
  bool stopping_ = false;
  Clock::time_point last_progress_{};
};

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

Stats totals(const std::vector<std::unique_ptr<Worker>>& workers) {
  Stats total;
  for (auto& w : workers) {
    total.messages += w->stats.messages;
    total.bytes_out += w->stats.bytes_out;
    total.bytes_in += w->stats.bytes_in;
    total.corrupt += w->stats.corrupt;
    total.errors += w->stats.errors;
    total.finished += w->stats.finished;
    total.closed_early += w->stats.closed_early;
    total.stalled = total.stalled || w->stats.stalled;
    if (total.handshake_error.empty()) total.handshake_error = w->stats.handshake_error;
    total.latency.merge(w->stats.latency);
  }
  return total;
}

double per_second(double amount, double elapsed) {
  return elapsed > 0 ? amount / elapsed : 0;  // never inf or nan
}

// Interval reports, as iperf3 prints them: one line per -i seconds while the workers run.
void report_intervals(const Args& a, const std::vector<std::unique_ptr<Worker>>& workers,
                      Clock::time_point start, nlohmann::json& intervals) {
  auto all_done = [&] {
    return std::all_of(workers.begin(), workers.end(), [](auto& w) { return w->done.load(); });
  };
  auto sample = [&](std::uint64_t& msgs, std::uint64_t& out, std::uint64_t& in, std::size_t& open) {
    msgs = out = in = 0;
    open = 0;
    for (auto& w : workers) {
      msgs += w->counters.messages.load(std::memory_order_relaxed);
      out += w->counters.bytes_out.load(std::memory_order_relaxed);
      in += w->counters.bytes_in.load(std::memory_order_relaxed);
      open += w->open.load();
    }
  };
  auto wait_until = [&](Clock::time_point t) {
    while (Clock::now() < t && !all_done())
      std::this_thread::sleep_for(std::min<Clock::duration>(t - Clock::now(), seconds(0.05)));
    return !all_done();
  };
  if (!wait_until(start)) return;
  std::uint64_t m0, o0, i0;
  std::size_t open;
  sample(m0, o0, i0, open);
  for (int k = 1;; ++k) {
    Clock::time_point t = start + seconds(a.interval * k);
    if (!wait_until(t)) return;
    std::uint64_t m1, o1, i1;
    sample(m1, o1, i1, open);
    double from = a.interval * (k - 1), to = a.interval * k;
    double mps = per_second(static_cast<double>(m1 - m0), a.interval);
    double mbs = per_second(static_cast<double>(a.bulk ? o1 - o0 : i1 - i0), a.interval) / 1e6;
    if (a.json) {
      intervals.push_back({{"start", from},
                           {"end", to},
                           {"messages_per_second", mps},
                           {"mb_per_second", mbs},
                           {"connections", open}});
    } else if (a.idle) {
      std::printf("[%7.2f-%7.2f s] holding %zu connections\n", from, to, open);
    } else {
      std::printf("%s", fmt::format("[{:7.2f}-{:7.2f} s] messages/s: {:.0f}   MB/s: {:.1f}\n", from,
                                    to, mps, mbs)
                            .c_str());
    }
    std::fflush(stdout);
    m0 = m1, o0 = o1, i0 = i1;
  }
}

// What went wrong, in words, or "" for a good run.
std::string failure_of(const Args& a, const Stats& total, double elapsed) {
  std::vector<std::string> faults;
  if (total.stalled)
    faults.push_back(fmt::format("no progress for {:g} s (--timeout): the server stopped {}",
                                 a.timeout, a.bulk ? "reading" : "echoing"));
  if (total.closed_early)
    faults.push_back(fmt::format("the server closed {} of {} connections before the run ended",
                                 total.closed_early, a.connections));
  if (!total.handshake_error.empty())
    faults.push_back("TLS handshake failed: " + total.handshake_error);
  if (total.errors) faults.push_back(fmt::format("{} connection errors", total.errors));
  if (total.corrupt)
    faults.push_back(fmt::format("{} echoed bytes differ from what was sent", total.corrupt));
  if (a.messages && total.finished != a.connections)
    faults.push_back(
        fmt::format("{} of {} connections finished their messages", total.finished, a.connections));
  if (faults.empty() && !a.idle) {
    if (a.bulk && total.bytes_out == 0)
      faults.push_back("nothing was sent: the server never read");
    else if (!a.bulk && total.messages == 0)
      faults.push_back(
          fmt::format("nothing was echoed in {:.2f} s: is the server an echo server?", elapsed));
  }
  std::string text;
  for (const auto& f : faults) text += (text.empty() ? "" : "; ") + f;
  return text;
}

void run_perf(const Args& a) {
  Address addr = Address::parse(a.address);
  // Enough descriptors for many connections (up to the hard limit).
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
  std::vector<std::byte> pattern(period + std::max<std::size_t>(a.size, 1 << 16) + period);
  for (std::size_t i = 0; i < pattern.size(); ++i)
    pattern[i] = static_cast<std::byte>((i % period) * 7 + 1);
  std::unique_ptr<tls::EngineContext> tls;
  if (a.tls) {
    std::optional<std::string> name;  // what the certificate must name, when it is verified
    if (!a.sni.empty())
      name = a.sni;
    else if (!a.ca.empty())
      name = addr.host();
    tls = client_tls(a.ca, name);
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0; t < std::min(a.threads, a.connections); ++t)
    workers.push_back(std::make_unique<Worker>(a, pattern, tls.get()));
  for (std::size_t i = 0; i < a.connections; ++i) {
    Socket s = connect_to(addr, a.timeout);
    if (a.nodelay && s.family() != Family::local) s.setsockopt(opt::no_delay, true);
    workers[i % workers.size()]->add(std::move(s), i);
  }
  if (a.idle && !a.json)
    std::printf("soket perf: holding %zu connections to %s for %.2f s\n", a.connections,
                addr.to_string().c_str(), a.seconds);
  auto start = Clock::now() + seconds(a.warmup);
  auto end = start + seconds(a.seconds);
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (auto& w : workers) threads.emplace_back([&w, start, end] { w->run(start, end); });
  nlohmann::json intervals = nlohmann::json::array();
  if (a.interval > 0) report_intervals(a, workers, start, intervals);
  for (auto& t : threads) t.join();
  for (auto& w : workers)
    if (w->failure) std::rethrow_exception(w->failure);
  auto stopped = Clock::now();
  if (a.messages == 0) {  // a timed run counted until its stop timer, not the drain after it
    stopped = start;
    for (auto& w : workers) stopped = std::max(stopped, w->stopped_at);
  }
  double elapsed = std::max(0.0, std::chrono::duration<double>(stopped - start).count());
  Stats total = totals(workers);
  const auto& h = total.latency;
  double mps = per_second(static_cast<double>(total.messages), elapsed);
  double mbs =
      per_second(static_cast<double>(a.bulk ? total.bytes_out : total.bytes_in), elapsed) / 1e6;
  std::size_t held = a.connections - total.closed_early - total.errors;
  std::string mode = a.idle ? "idle" : a.bulk ? "bulk" : "echo";
  if (a.json) {
    nlohmann::json j = {{"address", addr.to_string()},
                        {"mode", mode},
                        {"connections", a.connections},
                        {"depth", a.depth},
                        {"size", a.size},
                        {"threads", a.threads},
                        {"seconds", elapsed},
                        {"messages", total.messages},
                        {"messages_per_second", mps},
                        {"mb_per_second", mbs},
                        {"bytes_sent", total.bytes_out},
                        {"bytes_received", total.bytes_in},
                        {"corrupt_bytes", total.corrupt},
                        {"errors", total.errors},
                        {"closed_early", total.closed_early},
                        {"connections_held", held},
                        {"intervals", intervals},
                        {"latency_us",
                         {{"p50", h.percentile(0.5) / 1e3},
                          {"p90", h.percentile(0.9) / 1e3},
                          {"p99", h.percentile(0.99) / 1e3},
                          {"p99.9", h.percentile(0.999) / 1e3},
                          {"max", static_cast<double>(h.max()) / 1e3}}}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s", fmt::format("soket perf: {} {}, {} connections x {} in flight, {}-byte "
                                  "messages, {:.2f} s\n",
                                  addr.to_string(), mode, a.connections, a.depth, a.size, elapsed)
                          .c_str());
    if (a.idle) {
      std::printf("held %zu of %zu connections for %.2f s\n", held, a.connections, elapsed);
    } else {
      if (a.bulk)
        std::printf("%s", fmt::format("MB/s sent: {:.1f}   bytes sent: {}   received: {}\n", mbs,
                                      total.bytes_out, total.bytes_in)
                              .c_str());
      else
        std::printf("%s", fmt::format("messages/s: {:.0f}   MB/s: {:.1f}   bytes sent: {}   "
                                      "received: {}\n",
                                      mps, mbs, total.bytes_out, total.bytes_in)
                              .c_str());
      if (!a.bulk)
        std::printf("%s", fmt::format("latency us: p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  "
                                      "p99.9 {:.1f}  max {:.1f}\n",
                                      h.percentile(0.5) / 1e3, h.percentile(0.9) / 1e3,
                                      h.percentile(0.99) / 1e3, h.percentile(0.999) / 1e3,
                                      static_cast<double>(h.max()) / 1e3)
                              .c_str());
    }
    std::printf("errors: %llu   corrupt bytes: %llu\n",
                static_cast<unsigned long long>(total.errors),
                static_cast<unsigned long long>(total.corrupt));
  }
  std::fflush(stdout);
  if (std::string fault = failure_of(a, total, elapsed); !fault.empty())
    throw std::runtime_error(fault);
}

}  // namespace

void add_perf_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "perf", "Echo load generator on the event engine: throughput and latency percentiles");
  cmd->add_option("address", args->address, "Server address: host:port, [::1]:port, unix:/path")
      ->capture_default_str()
      ->check(non_empty());
  cmd->add_option("-c,--connections", args->connections, "Concurrent connections")
      ->capture_default_str()
      ->transform(count_in(1, 100000));
  cmd->add_option("-d,--depth", args->depth, "Messages in flight per connection (pipelining)")
      ->capture_default_str()
      ->transform(count_in(1, 65536));
  auto* size = cmd->add_option("-s,--size", args->size,
                               "Message size in bytes (--bulk: bytes per write, default 128 KiB)")
                   ->capture_default_str()
                   ->transform(count_in(1, 16 << 20));
  cmd->add_option("-t,--time", args->seconds, "Duration in seconds")
      ->capture_default_str()
      ->transform(seconds_in(0.001));
  cmd->add_option("--warmup", args->warmup, "Seconds run first and not counted (with -t)")
      ->capture_default_str()
      ->transform(seconds_in(0));
  cmd->add_option("-w,--timeout", args->timeout,
                  "Seconds to wait for a connect, and for any progress (echo, or the server "
                  "reading) before the run fails, as nc -w")
      ->capture_default_str()
      ->transform(seconds_in(0.001));
  cmd->add_option("-n,--messages", args->messages,
                  "Messages per connection, then close (instead of -t)")
      ->transform(count_in(1, 1e12));
  cmd->add_option("-i,--interval", args->interval,
                  "Seconds between interval reports while running (0: none), as iperf3 -i")
      ->capture_default_str()
      ->transform(seconds_in(0));
  cmd->add_option("-T,--threads", args->threads, "Client loops (threads)")
      ->capture_default_str()
      ->transform(count_in(1, 1024));
  cmd->add_flag("--bulk", args->bulk, "One-way bulk send (like iperf3); the server may discard");
  cmd->add_flag("--idle", args->idle, "Open the connections and hold them idle for -t seconds");
  cmd->add_flag("--no-verify", args->no_verify, "Do not check echoed bytes");
  cmd->add_flag("--nodelay", args->nodelay, "Set TCP_NODELAY on the connections");
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->add_flag("--tls", args->tls, "TLS on every connection (no verification without --ca)");
  cmd->add_option("--ca", args->ca, "With --tls: verify the server against this CA (PEM)")
      ->check(non_empty());
  cmd->add_option("--sni", args->sni, "With --tls: server name to ask for and verify")
      ->check(non_empty());
  cmd->callback([args, size] {
    Args& a = *args;
    if (!a.tls && (!a.ca.empty() || !a.sni.empty())) usage_error("--ca and --sni go with --tls");
    if (a.warmup > 0 && a.messages) usage_error("--warmup goes with a timed run (-t), not -n");
    if ((a.bulk || a.idle) && a.messages)
      usage_error("-n goes with the echo mode, not --bulk/--idle");
    if (a.bulk && a.idle) usage_error("--bulk and --idle are different modes: choose one");
    if (a.bulk && size->count() == 0) a.size = bulk_write_size;
    // What one connection may have queued at once: the window of -d messages of -s bytes.
    if (!a.bulk && static_cast<double>(a.depth) * static_cast<double>(a.size) > (64 << 20))
      usage_error("-d x -s: at most 64 MiB in flight per connection");
    if (static_cast<double>(a.connections) * static_cast<double>(a.depth) > 1e7)
      usage_error("-c x -d: at most 10 million messages in flight");
    run_command("perf", [&] { run_perf(a); });
  });
}

}  // namespace soket::tools
