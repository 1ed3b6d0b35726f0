// SPDX-License-Identifier: MIT
// `soket ping HOST`: iputils ping over soket::icmp::EchoSocket — the same lines, the same
// statistics (transmitted, received, duplicates, loss, time, rtt min/avg/max/mdev), the same
// end on Ctrl-C.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <bitset>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <soket/icmp.hpp>
#include <soket/resolver.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration;

struct PingArgs {
  std::string host;
  long long count = 0;  // 0: until Ctrl-C
  double interval = 1;
  double timeout = 10;  // iputils' MAXWAIT: how long to linger for the last replies
  long long size = 56;
  int ttl = 0;
  bool v4 = false, v6 = false, quiet = false, numeric = false;
};

// iputils keeps a struct timeval in the payload to time replies: with fewer than 16 data bytes
// it prints no times and no rtt line. The same rule keeps the same shape.
constexpr long long timing_min_size = 16;

volatile std::sig_atomic_t interrupted = 0;
void on_signal(int) {
  interrupted = 1;
}

// SIGINT/SIGTERM end the run with the statistics; no SA_RESTART, so a wait returns at once.
void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

Address resolve(const PingArgs& args, bool& numeric_host) {
  Family family = args.v4 ? Family::inet : args.v6 ? Family::inet6 : Family::unspec;
  // An address literal is never looked up as a name (an IPv4 literal with -6 would otherwise
  // become a DNS query for "127.0.0.1").
  std::error_code ec;
  auto found = getaddrinfo(args.host, "", Family::unspec, Type::dgram, 0, ai::numerichost, ec);
  numeric_host = !ec;
  if (numeric_host) {
    if (family != Family::unspec && found.front().address.family() != family)
      throw_error(std::make_error_code(std::errc::address_family_not_supported),
                  args.host + " with -" + (args.v4 ? "4" : "6"));
  } else {
    found = getaddrinfo(args.host, "", family, Type::dgram);
  }
  return found.front().address;
}

// iputils prints 3 significant decimals below 1 ms, then fewer: 0.042, 1.23, 12.3, 123.
std::string format_rtt(double ms) {
  char buf[64];
  if (ms >= 100 - 0.05)
    std::snprintf(buf, sizeof buf, "%.0f", ms);
  else if (ms >= 10 - 0.005)
    std::snprintf(buf, sizeof buf, "%.1f", ms);
  else if (ms >= 1)
    std::snprintf(buf, sizeof buf, "%.2f", ms);
  else
    std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

struct Stats {
  long long transmitted = 0, received = 0, duplicates = 0;
  double min = 0, max = 0, sum = 0, sum2 = 0;
  void add(double ms) {
    if (received + duplicates == 1 || ms < min) min = ms;
    max = std::max(max, ms);
    sum += ms;
    sum2 += ms * ms;
  }
};

class Pinger {
 public:
  explicit Pinger(const PingArgs& args)
      : args_(args), target_(resolve(args, numeric_host_)), sock_(target_.family()) {
    if (args.ttl > 0) sock_.set_ttl(args.ttl);
    payload_.resize(static_cast<std::size_t>(args.size));
    for (std::size_t i = 0; i < payload_.size(); ++i)
      payload_[i] = static_cast<std::byte>(i & 0xff);
  }

  int run() {
    std::string addr = target_.host();
    if (target_.family() == Family::inet)
      std::printf("PING %s (%s) %lld(%lld) bytes of data.\n", args_.host.c_str(), addr.c_str(),
                  args_.size, args_.size + 28);
    else
      std::printf("PING %s(%s) %lld data bytes\n", args_.host.c_str(), addr.c_str(), args_.size);
    std::fflush(stdout);
    start_ = Clock::now();
    auto interval = std::chrono::duration_cast<Clock::duration>(duration<double>(args_.interval));
    auto next_send = start_;
    while (!interrupted) {
      bool all_sent = args_.count > 0 && stats_.transmitted >= args_.count;
      if (all_sent && stats_.received >= args_.count) break;
      auto now = Clock::now();
      if (!all_sent && now >= next_send) {
        send_one();
        next_send += interval;
        continue;
      }
      // Linger for the last replies at most -W seconds after the last request (iputils).
      auto until = all_sent ? last_send_ + std::chrono::duration_cast<Clock::duration>(
                                               duration<double>(args_.timeout))
                            : next_send;
      if (all_sent && now >= until) break;
      if (auto reply = sock_.receive(until - now)) show(*reply);
    }
    if (interrupted) last_event_ = Clock::now();
    print_statistics();
    return stats_.received > 0 ? 0 : exit_failure;
  }

 private:
  void send_one() {
    auto seq = static_cast<std::uint16_t>((stats_.transmitted + 1) & 0xffff);
    sent_at_[seq] = Clock::now();
    answered_.reset(seq);
    last_send_ = last_event_ = sent_at_[seq];
    sock_.send(target_, seq, payload_);
    ++stats_.transmitted;
  }

  void show(const icmp::Reply& reply) {
    // A sequence number never sent (yet) is not one of ours.
    if (stats_.transmitted < 0x10000 &&
        (reply.sequence == 0 || reply.sequence > stats_.transmitted))
      return;
    bool dup = answered_.test(reply.sequence);
    answered_.set(reply.sequence);
    last_event_ = Clock::now();
    double ms = duration<double, std::milli>(last_event_ - sent_at_[reply.sequence]).count();
    bool timing = args_.size >= timing_min_size;
    if (dup)
      ++stats_.duplicates;
    else
      ++stats_.received;
    if (timing) stats_.add(ms);
    if (args_.quiet) return;
    std::string line = std::to_string(reply.size) + " bytes from " + name_of(reply.from) +
                       ": icmp_seq=" + std::to_string(reply.sequence);
    if (reply.ttl >= 0) line += " ttl=" + std::to_string(reply.ttl);
    if (timing) line += " time=" + format_rtt(ms) + " ms";
    if (dup) line += " (DUP!)";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

  // A numeric target is answered numerically (as iputils does); a name gets "name (address)"
  // from a reverse lookup, unless -n.
  std::string name_of(const Address& from) {
    std::string addr = from.host();
    if (numeric_host_ || args_.numeric) return addr;
    std::error_code ec;
    auto info = getnameinfo(from, ni::namereqd, ec);
    return ec ? addr : info.host + " (" + addr + ")";
  }

  void print_statistics() {
    // iputils' "time" runs from the first request to the last request or reply seen.
    auto ms = std::chrono::duration_cast<std::chrono::microseconds>(last_event_ - start_).count();
    std::printf("\n--- %s ping statistics ---\n", args_.host.c_str());
    std::printf("%lld packets transmitted, %lld received", stats_.transmitted, stats_.received);
    if (stats_.duplicates) std::printf(", +%lld duplicates", stats_.duplicates);
    if (stats_.transmitted) {
      double loss = static_cast<double>(stats_.transmitted - stats_.received) * 100.0 /
                    static_cast<double>(stats_.transmitted);
      std::printf(", %g%% packet loss, time %lldms", static_cast<double>(static_cast<float>(loss)),
                  static_cast<long long>((ms + 500) / 1000));
    }
    std::printf("\n");
    long long total = stats_.received + stats_.duplicates;
    if (stats_.received && args_.size >= timing_min_size) {
      double avg = stats_.sum / static_cast<double>(total);
      double mdev = std::sqrt(std::max(0.0, stats_.sum2 / static_cast<double>(total) - avg * avg));
      std::printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", stats_.min, avg, stats_.max,
                  mdev);
    } else {
      std::printf("\n");  // iputils ends its statistics with a newline either way
    }
    std::fflush(stdout);
  }

  const PingArgs& args_;
  bool numeric_host_ = false;
  Address target_;
  icmp::EchoSocket sock_;
  std::vector<std::byte> payload_;
  Stats stats_;
  std::vector<Clock::time_point> sent_at_ = std::vector<Clock::time_point>(0x10000);
  std::bitset<0x10000> answered_;
  Clock::time_point start_, last_send_, last_event_;
};

}  // namespace

void add_ping_command(CLI::App& app) {
  auto args = std::make_shared<PingArgs>();
  auto* cmd = app.add_subcommand("ping", "Send ICMP echo requests to HOST, as iputils ping");
  cmd->footer("Example: soket ping -c 3 -i 0.2 127.0.0.1");
  cmd->add_option("host", args->host, "host name or IPv4/IPv6 address")
      ->required()
      ->check(non_empty());
  cmd->add_option("-c,--count", args->count, "stop after COUNT replies are due (default: Ctrl-C)")
      ->transform(count_in(1, 1e12));
  cmd->add_option("-i,--interval", args->interval, "seconds between requests (default 1)")
      ->transform(seconds_in(0.002));
  cmd->add_option("-W,--timeout", args->timeout,
                  "seconds to wait for the last replies after the last request (default 10)")
      ->transform(seconds_in(0.001));
  cmd->add_option("-s,--size", args->size, "data bytes per request (default 56)")
      ->transform(count_in(0, 65507));
  cmd->add_option("-t,--ttl", args->ttl, "IP time to live / IPv6 hop limit (1-255)")
      ->transform(count_in(1, 255));
  auto* v4 = cmd->add_flag("-4", args->v4, "IPv4 only");
  cmd->add_flag("-6", args->v6, "IPv6 only")->excludes(v4);
  cmd->add_flag("-q,--quiet", args->quiet, "print only the first line and the statistics");
  cmd->add_flag("-n,--numeric", args->numeric, "no reverse lookup of reply addresses");
  cmd->callback([args] {
    run_command("ping", [&] {
      catch_stop_signals();
      Pinger pinger(*args);
      int status = pinger.run();
      if (status != 0) throw CLI::RuntimeError(status);
    });
  });
}

}  // namespace soket::tools
