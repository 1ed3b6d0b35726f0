// SPDX-License-Identifier: MIT
// `soket perf`: an echo load generator on the event engine — connections, pipelining, message
// size, duration, warm-up; checks every echoed byte; messages/s, MB/s and latency percentiles,
// with interval reports (-i, as iperf3); a one-way bulk mode (like iperf) and an idle mode (hold
// connections open). A timed run ends with a half-close and reads the echoes still in flight,
// so no server sees a reset. Every mode has a deadline: no progress for --timeout seconds ends
// the run as a failure, and so does a server that closes early or echoes nothing.
// This file: the options and the run; the driver and the report are cmd_perf_driver.* and
// cmd_perf_report.*.
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <soket/soket.hpp>
#include <soket/tls/engine.hpp>

#include "cli.hpp"
#include "cmd_perf.hpp"
#include "cmd_perf_driver.hpp"
#include "cmd_perf_report.hpp"
#include "commands.hpp"
#include "tls_setup.hpp"

namespace soket::tools {
namespace {

using namespace perf;

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
  print_report(a, addr, total, elapsed, intervals);
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
