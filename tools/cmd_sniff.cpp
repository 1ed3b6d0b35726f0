// SPDX-License-Identifier: MIT
// `soket sniff [-i IFACE] [-c N] [-w FILE.pcap] [FILTER]`: tcpdump -n on an AF_PACKET socket
// with a TPACKET_V3 ring; libpcap only compiles FILTER to classic BPF. -r reads a pcap back.
#include <signal.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <soket/diag/capture.hpp>
#include <soket/diag/filter.hpp>
#include <soket/diag/packet.hpp>
#include <soket/diag/pcap_file.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct SniffArgs {
  std::string interface;
  long count = 0;
  std::string write_file, read_file;
  long snaplen = 262144;
  bool no_ring = false, json = false;
  std::vector<std::string> filter;  // the words of the expression, joined by spaces
};

volatile sig_atomic_t stop_requested = 0;

void on_stop_signal(int) {
  stop_requested = 1;
}

// SIGINT/SIGTERM end the capture (and print the counts) instead of killing the process. No
// SA_RESTART: the wait for packets returns at once.
void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

// A filter libpcap cannot compile is a usage error (exit 2), named with libpcap's reason.
diag::BpfProgram compile(const SniffArgs& a, diag::LinkType link, std::uint32_t snaplen) {
  try {
    return diag::compile_filter(joined(a.filter), link, snaplen);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
}

void print_packet(const SniffArgs& a, diag::LinkType link, std::int64_t sec, std::uint32_t usec,
                  std::span<const std::uint8_t> data, std::uint32_t wire) {
  std::string line = diag::describe_packet(data, link, wire);
  if (a.json) {
    nlohmann::json j = {{"time", static_cast<double>(sec) + usec / 1e6},
                        {"wire_length", wire},
                        {"captured", data.size()},
                        {"summary", line}};
    std::puts(j.dump().c_str());
  } else {
    std::printf("%s %s\n", diag::format_timestamp(sec, usec).c_str(), line.c_str());
  }
}

void read_file(const SniffArgs& a) {
  diag::PcapFile file = diag::read_pcap(a.read_file);
  diag::BpfProgram filter = compile(a, file.link, file.snaplen);
  std::fprintf(stderr, "reading from file %s, link-type %s, snapshot length %u\n",
               a.read_file.c_str(), diag::link_type_name(file.link).c_str(), file.snaplen);
  long shown = 0;
  for (const auto& r : file.records) {
    if (a.count > 0 && shown >= a.count) break;
    if (diag::run_filter(filter, r.data, r.wire_length) == 0) continue;
    print_packet(a, file.link, r.seconds, r.microseconds, r.data, r.wire_length);
    ++shown;
  }
  std::fflush(stdout);
}

void capture(const SniffArgs& a) {
  diag::Capture::Options options;
  options.interface = a.interface.empty() ? diag::Capture::default_interface() : a.interface;
  options.snaplen = static_cast<std::uint32_t>(a.snaplen);
  options.ring = !a.no_ring;
  // Every interface Capture supports has Ethernet framing (loopback's is zeroed).
  diag::LinkType link = diag::LinkType::ethernet;
  options.filter = compile(a, link, options.snaplen);
  diag::Capture cap(options);
  std::unique_ptr<diag::PcapWriter> out;
  if (!a.write_file.empty())
    out = std::make_unique<diag::PcapWriter>(a.write_file, link, options.snaplen);
  catch_stop_signals();
  // tcpdump's announcement, on stderr: also the moment a test may start sending.
  std::fprintf(stderr, "listening on %s, link-type %s, snapshot length %u bytes\n",
               options.interface.c_str(), diag::link_type_name(link).c_str(), options.snaplen);
  std::fflush(stderr);
  long captured = 0;
  while (!stop_requested && (a.count == 0 || captured < a.count)) {
    cap.dispatch(std::chrono::milliseconds(250), [&](const diag::CapturedPacket& p) {
      if (a.count > 0 && captured >= a.count) return;  // the rest of a ring block
      ++captured;
      if (out)
        out->write(p.seconds, p.microseconds, p.data, p.wire_length);
      else
        print_packet(a, link, p.seconds, p.microseconds, p.data, p.wire_length);
    });
    if (out) out->flush();
    std::fflush(stdout);
  }
  if (out) out->close();
  auto stats = cap.stats();
  std::fprintf(stderr,
               "\n%ld packet%s captured\n%llu packet%s received by filter\n"
               "%llu packet%s dropped by kernel\n",
               captured, captured == 1 ? "" : "s", static_cast<unsigned long long>(stats.received),
               stats.received == 1 ? "" : "s", static_cast<unsigned long long>(stats.dropped),
               stats.dropped == 1 ? "" : "s");
}

}  // namespace

void add_sniff_command(CLI::App& app) {
  auto args = std::make_shared<SniffArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sniff",
      "Capture packets as tcpdump -n does (AF_PACKET socket, TPACKET_V3 ring, tcpdump filter "
      "expressions), or write/read pcap files");
  cmd->footer(
      "Needs root or CAP_NET_RAW to capture. Sequence numbers are absolute (tcpdump -S).\n"
      "Example: soket sniff -i lo -c 10 tcp port 8080\n"
      "         soket sniff -i eth0 -w dns.pcap udp port 53   # then: tshark -r dns.pcap\n"
      "         soket sniff -r dns.pcap");
  cmd->add_option("-i,--interface", args->interface,
                  "interface to capture on (default: the first up Ethernet one, else lo)")
      ->transform(non_empty());
  cmd->add_option("-c,--count", args->count, "stop after N packets")->transform(count_in(1, 1e12));
  cmd->add_option("-w,--write", args->write_file, "write the packets to a pcap file instead")
      ->transform(non_empty());
  cmd->add_option("-r,--read", args->read_file, "read packets from a pcap file instead")
      ->transform(non_empty());
  cmd->add_option("-s,--snaplen", args->snaplen, "bytes kept of each packet (default 262144)")
      ->transform(count_in(64, 262144));
  cmd->add_flag("--no-ring", args->no_ring, "read with recvfrom instead of the TPACKET_V3 ring");
  cmd->add_flag("--json", args->json, "one JSON object per packet");
  cmd->add_option("filter", args->filter, "filter expression, as tcpdump's (pcap-filter(7))");
  cmd->callback([args] {
    if (!args->read_file.empty() && !args->write_file.empty())
      usage_error("-r and -w cannot be used together");
    if (!args->read_file.empty() && !args->interface.empty())
      usage_error("-r and -i cannot be used together");
    run_command("sniff", [&] {
      if (!args->read_file.empty())
        read_file(*args);
      else
        capture(*args);
    });
  });
}

}  // namespace soket::tools
