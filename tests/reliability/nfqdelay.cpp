// SPDX-License-Identifier: MIT
// nfqdelay: the fault tests' stand-in for netem (this kernel has no sch_netem). Holds each
// packet iptables queues to it for DELAY_MS plus up to JITTER_MS at random (which reorders),
// and drops LOSS_PCT percent. Stops after SECONDS, releasing what it holds.
//   usage: nfqdelay QUEUE DELAY_MS JITTER_MS LOSS_PCT SECONDS
//   feed it: iptables -A OUTPUT -o lo -j NFQUEUE --queue-num QUEUE --queue-bypass
// (From the project's reliability research kit; Debian: libnetfilter-queue-dev.)
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <sys/socket.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <queue>
#include <random>
#include <vector>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

namespace {

using Clock = std::chrono::steady_clock;

struct Held {
  std::uint32_t id;
  Clock::time_point due;
  bool operator>(const Held& o) const { return due > o.due; }
};

struct State {
  int delay_ms = 0, jitter_ms = 0, loss_pct = 0;
  long in = 0, dropped = 0;
  std::mt19937 rng{12345};
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held;
};

int on_packet(nfq_q_handle* qh, nfgenmsg*, nfq_data* nfa, void* data) {
  auto& st = *static_cast<State*>(data);
  std::uint32_t id = ntohl(nfq_get_msg_packet_hdr(nfa)->packet_id);
  ++st.in;
  if (static_cast<int>(st.rng() % 100) < st.loss_pct) {
    ++st.dropped;
    return nfq_set_verdict(qh, id, NF_DROP, 0, nullptr);
  }
  int jitter = st.jitter_ms ? static_cast<int>(st.rng() % (st.jitter_ms + 1u)) : 0;
  st.held.push({id, Clock::now() + std::chrono::milliseconds(st.delay_ms + jitter)});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: nfqdelay QUEUE DELAY_MS JITTER_MS LOSS_PCT SECONDS\n");
    return 2;
  }
  State st;
  const auto queue = static_cast<std::uint16_t>(std::atoi(argv[1]));
  st.delay_ms = std::atoi(argv[2]);
  st.jitter_ms = std::atoi(argv[3]);
  st.loss_pct = std::atoi(argv[4]);
  const auto end = Clock::now() + std::chrono::seconds(std::atoi(argv[5]));

  nfq_handle* h = nfq_open();
  nfq_q_handle* qh = h ? nfq_create_queue(h, queue, &on_packet, &st) : nullptr;
  if (!qh) {
    std::perror("nfqdelay: cannot open the netfilter queue");
    return 1;
  }
  nfq_set_mode(qh, NFQNL_COPY_META, 0);
  nfq_set_queue_maxlen(qh, 65536);
  std::vector<char> buf(65536);
  pollfd p{nfq_fd(h), POLLIN, 0};
  while (Clock::now() < end) {
    int wait_ms = 100;
    if (!st.held.empty()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(st.held.top().due - Clock::now());
      wait_ms = static_cast<int>(std::max<long>(left.count(), 0));
    }
    if (poll(&p, 1, wait_ms) > 0) {
      auto n = recv(p.fd, buf.data(), buf.size(), 0);
      if (n >= 0) nfq_handle_packet(h, buf.data(), static_cast<int>(n));
    }
    while (!st.held.empty() && st.held.top().due <= Clock::now()) {
      nfq_set_verdict(qh, st.held.top().id, NF_ACCEPT, 0, nullptr);
      st.held.pop();
    }
  }
  for (; !st.held.empty(); st.held.pop())
    nfq_set_verdict(qh, st.held.top().id, NF_ACCEPT, 0, nullptr);
  std::fprintf(stderr, "nfqdelay: %ld packets, %ld dropped\n", st.in, st.dropped);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
