// SPDX-License-Identifier: MIT
// `soket perf`, in parts: the options and the run (cmd_perf.cpp), the client driver
// (cmd_perf_driver.*: one event loop per thread, checking every echoed byte) and the report
// (cmd_perf_report.*: interval lines, totals, what went wrong). This header holds what they
// share: the options, the counters and the latency histogram.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace soket::tools::perf {

using Clock = std::chrono::steady_clock;

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
inline constexpr std::size_t period = 251;

/// iperf3's default write size for TCP (its -l): what --bulk sends per write unless -s says.
inline constexpr std::size_t bulk_write_size = 128 * 1024;

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
inline Clock::duration seconds(Rep s) {
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

}  // namespace soket::tools::perf
