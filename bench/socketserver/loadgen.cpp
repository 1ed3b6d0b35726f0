// SPDX-License-Identifier: MIT
// Echo load generator for the socketserver benchmark: N connections on one thread (an epoll
// selector), each sending `pipeline` messages of `size` bytes and waiting for all of them to
// come back before sending again. Prints completed messages per second (after a warm-up).
//   usage: bench_echo_loadgen PORT CONNECTIONS PIPELINE SIZE SECONDS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <soket/io/selector.hpp>
#include <soket/options.hpp>
#include <soket/soket.hpp>

int main(int argc, char** argv) try {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s PORT CONNECTIONS PIPELINE SIZE SECONDS\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const int connections = std::atoi(argv[2]);
  const std::size_t pipeline = std::strtoul(argv[3], nullptr, 10);
  const std::size_t size = std::strtoul(argv[4], nullptr, 10);
  const double seconds = std::atof(argv[5]);
  using Clock = std::chrono::steady_clock;

  const std::string burst(pipeline * size, 'm');
  std::vector<soket::Socket> socks;
  std::vector<std::size_t> pending(static_cast<std::size_t>(connections), burst.size());
  soket::selectors::DefaultSelector sel;
  for (int i = 0; i < connections; ++i) {
    socks.emplace_back(soket::Family::inet);
    socks.back().connect(soket::Address("127.0.0.1", port));
    socks.back().setsockopt(soket::opt::no_delay, true);
  }
  for (std::size_t i = 0; i < socks.size(); ++i) {
    sel.register_(socks[i], soket::selectors::EVENT_READ, i);
    socks[i].sendall(burst);
  }

  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::milliseconds(500);  // warm-up not counted
  const auto end = measure_from + std::chrono::duration<double>(seconds);
  std::size_t done = 0;
  std::byte buf[65536];
  for (auto now = Clock::now(); now < end; now = Clock::now()) {
    for (auto [key, events] : sel.select(std::chrono::milliseconds(100))) {
      auto i = std::any_cast<std::size_t>(key.data);
      std::size_t n = socks[i].recv_into(buf);
      if (n == 0) throw std::runtime_error("server closed a connection");
      pending[i] -= n < pending[i] ? n : pending[i];
      if (pending[i] == 0) {
        if (Clock::now() >= measure_from) done += pipeline;
        pending[i] = burst.size();
        socks[i].sendall(burst);
      }
    }
  }
  // Half-close and read the echoes still in flight, so no server sees a reset.
  for (auto& sock : socks) {
    sock.shutdown(soket::Shut::wr);
    sock.settimeout(5.0);
    while (sock.recv_into(buf) != 0) {
    }
  }
  double rate = static_cast<double>(done) / seconds;
  std::printf("%.0f\n", rate);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_echo_loadgen: %s\n", e.what());
  return 1;
}
