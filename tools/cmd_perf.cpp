// SPDX-License-Identifier: MIT
// `soket perf`: an echo load generator on the event engine — connections, pipelining, message
// size, duration, warm-up; checks every echoed byte; messages/s, MB/s and latency percentiles;
// a one-way bulk mode (like iperf) and an idle mode (hold connections open). A timed run ends
// with a half-close and reads the echoes still in flight, so no server sees a reset.
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
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include <soket/event.hpp>
#include <soket/soket.hpp>

#include "commands.hpp"

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

struct Args {
  std::string address = "127.0.0.1:12345";
  std::size_t connections = 1, depth = 1, size = 64, threads = 1;
  double seconds = 5;
  double warmup = 0;           // seconds run before `seconds`, not counted
  std::uint64_t messages = 0;  // per connection; 0: run for `seconds`
  bool bulk = false, idle = false, json = false, no_verify = false, nodelay = false;
};

struct Stats {
  std::uint64_t messages = 0, bytes_out = 0, bytes_in = 0, corrupt = 0, errors = 0, finished = 0;
  Histogram latency;
};

class Worker final : public Handler {
 public:
  Worker(const Args& a, const std::vector<std::byte>& pattern) : a_(a), pat_(pattern) {}

  struct Conn {
    std::size_t index;
    std::uint64_t sent = 0, received = 0, sent_msgs = 0;
    std::vector<Clock::time_point> times;  // ring of send times, one per message in flight
  };

  void add(Socket s, std::size_t index) {
    conns_.push_back(std::make_unique<Conn>());
    conns_.back()->index = index;
    conns_.back()->times.resize(a_.depth);
    sockets_.push_back(std::move(s));
  }

  void run(Clock::time_point measure_from, Clock::time_point end) {
    options_.pause_reading_when_congested = !a_.bulk;  // bulk keeps draining the echoes
    for (std::size_t i = 0; i < sockets_.size(); ++i)
      loop_.adopt(std::move(sockets_[i]), *this, options_, conns_[i].get());
    open_ = conns_.size();
    if (a_.messages == 0) {
      if (a_.warmup > 0)
        loop_.call_after(measure_from - Clock::now(), [this] {  // errors still count
          stats.messages = stats.bytes_out = stats.bytes_in = 0;
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
  }
  Stats stats;
  Clock::time_point stopped_at{};  // when a timed run stopped counting

 private:
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
    stats.bytes_out += a_.size;
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
      stats.bytes_out += batch * a_.size;
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
      ConnectionId id = conn.id();
      loop_.post([this, id, &c] {
        if (Connection* again = loop_.find(id)) pump(*again, c);
      });
    }
  }
  void on_drain(Connection& conn) override {
    if (a_.bulk) pump(conn, **conn.context<Conn*>());
  }
  void on_data(Connection& conn, Buffer& in) override {
    auto& c = **conn.context<Conn*>();
    std::size_t n = in.readable();
    if (!a_.no_verify && !a_.bulk) {
      // Compare in pieces that stay inside the pattern buffer.
      std::size_t done = 0;
      while (done < n) {
        std::size_t piece = std::min<std::size_t>(n - done, pat_.size() - period);
        if (std::memcmp(in.peek() + done, expected(c, c.received + done), piece) != 0) {
          for (std::size_t i = 0; i < piece; ++i)
            if (in.peek()[done + i] != expected(c, c.received + done)[i]) ++stats.corrupt;
        }
        done += piece;
      }
    }
    in.retrieve_all();
    if (stopping_) {  // the echoes of the last messages: verified, not counted
      c.received += n;
      return;
    }
    stats.bytes_in += n;
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
      ++stats.messages;
      if (want_more(c) && c.sent_msgs + refill < (a_.messages ? a_.messages : UINT64_MAX)) ++refill;
    }
    if (!stopping_) send_many(conn, c, refill);
    if (a_.messages && c.received == a_.messages * a_.size) {
      ++stats.finished;
      conn.close();
    }
  }
  void on_close(Connection&, std::error_code ec) override {
    if (ec && !stopping_) ++stats.errors;
    if (--open_ == 0) loop_.stop();
  }

  const Args& a_;
  const std::vector<std::byte>& pat_;
  Loop loop_;
  ConnectionOptions options_{};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Socket> sockets_;
  std::size_t open_ = 0;
  bool stopping_ = false;
};

void run_perf(const Args& a) {
  Address addr = Address::parse(a.address);
  if (a.size == 0 || a.depth == 0 || a.connections == 0 || a.threads == 0)
    throw std::invalid_argument("-c, -d, -s and --threads must be at least 1");
  if (a.warmup < 0 || (a.warmup > 0 && a.messages))
    throw std::invalid_argument("--warmup takes seconds >= 0 and goes with -t, not -n");
  // Enough descriptors for many connections (up to the hard limit).
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
  std::vector<std::byte> pattern(period + std::max<std::size_t>(a.size, 1 << 16) + period);
  for (std::size_t i = 0; i < pattern.size(); ++i)
    pattern[i] = static_cast<std::byte>((i % period) * 7 + 1);
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0; t < a.threads; ++t)
    workers.push_back(std::make_unique<Worker>(a, pattern));
  for (std::size_t i = 0; i < a.connections; ++i) {
    Socket s(addr.family(), Type::stream);
    s.settimeout(std::chrono::seconds(10));
    s.connect(addr);
    if (a.nodelay && addr.family() != Family::local) s.setsockopt(opt::no_delay, true);
    workers[i % a.threads]->add(std::move(s), i);
  }
  auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  auto start = Clock::now() + seconds(a.warmup);
  auto end = start + seconds(a.seconds);
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w, start, end] { w->run(start, end); });
  for (auto& t : threads) t.join();
  auto stopped = Clock::now();
  if (a.messages == 0) {  // a timed run counted until its stop timer, not the drain after it
    stopped = start;
    for (auto& w : workers) stopped = std::max(stopped, w->stopped_at);
  }
  double elapsed = std::chrono::duration<double>(stopped - start).count();
  Stats total;
  for (auto& w : workers) {
    total.messages += w->stats.messages;
    total.bytes_out += w->stats.bytes_out;
    total.bytes_in += w->stats.bytes_in;
    total.corrupt += w->stats.corrupt;
    total.errors += w->stats.errors;
    total.finished += w->stats.finished;
    total.latency.merge(w->stats.latency);
  }
  const auto& h = total.latency;
  double mps = static_cast<double>(total.messages) / elapsed;
  double mbs = static_cast<double>(a.bulk ? total.bytes_out : total.bytes_in) / elapsed / 1e6;
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
    if (!a.idle) {
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
  if (total.corrupt || total.errors || (a.messages && total.finished != a.connections)) {
    std::fprintf(stderr,
                 "soket perf: %llu corrupt bytes, %llu connection errors, %llu of %zu "
                 "connections finished\n",
                 static_cast<unsigned long long>(total.corrupt),
                 static_cast<unsigned long long>(total.errors),
                 static_cast<unsigned long long>(total.finished), a.connections);
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void add_perf_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "perf", "Echo load generator on the event engine: throughput and latency percentiles");
  cmd->add_option("address", args->address, "Server address: host:port, [::1]:port, unix:/path")
      ->capture_default_str();
  cmd->add_option("-c,--connections", args->connections, "Concurrent connections")
      ->capture_default_str();
  cmd->add_option("-d,--depth", args->depth, "Messages in flight per connection (pipelining)")
      ->capture_default_str();
  cmd->add_option("-s,--size", args->size, "Message size in bytes")->capture_default_str();
  cmd->add_option("-t,--time", args->seconds, "Duration in seconds")->capture_default_str();
  cmd->add_option("-w,--warmup", args->warmup, "Seconds run first and not counted (with -t)")
      ->capture_default_str();
  cmd->add_option("-n,--messages", args->messages,
                  "Messages per connection, then close (instead of -t)");
  cmd->add_option("-T,--threads", args->threads, "Client loops (threads)")->capture_default_str();
  cmd->add_flag("--bulk", args->bulk, "One-way bulk send (like iperf); the server may discard");
  cmd->add_flag("--idle", args->idle, "Open the connections and hold them idle for -t seconds");
  cmd->add_flag("--no-verify", args->no_verify, "Do not check echoed bytes");
  cmd->add_flag("--nodelay", args->nodelay, "Set TCP_NODELAY on the connections");
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->callback([args] {
    try {
      run_perf(*args);
    } catch (const CLI::RuntimeError&) {
      throw;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "soket perf: %s\n", e.what());
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace soket::tools
