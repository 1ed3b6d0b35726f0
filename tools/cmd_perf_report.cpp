// SPDX-License-Identifier: MIT
// `soket perf`'s report: see cmd_perf_report.hpp.
#include "cmd_perf_report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <thread>

namespace soket::tools::perf {

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

namespace {

double per_second(double amount, double elapsed) {
  return elapsed > 0 ? amount / elapsed : 0;  // never inf or nan
}

}  // namespace

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

void print_report(const Args& a, const Address& addr, const Stats& total, double elapsed,
                  const nlohmann::json& intervals) {
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
}

}  // namespace soket::tools::perf
