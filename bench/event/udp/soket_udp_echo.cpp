// SPDX-License-Identifier: MIT
// soket's DatagramServer as a UDP echo server for the benchmark (one loop).
// Usage: soket_udp_echo [port] [nooffload]   (prints "PORT <n>", listens on 127.0.0.1;
// SOKET_BACKEND picks the poller)
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <soket/event.hpp>
#include <soket/server/stop_signals.hpp>

namespace {

struct Echo : soket::event::DatagramHandler {
  void on_datagram(soket::event::DatagramServer& s, std::span<const std::byte> data,
                   const soket::Address& from, bool) override {
    s.send_to(data, from);
  }
};

}  // namespace

int main(int argc, char** argv) {
  soket::server::StopSignals stop({SIGTERM, SIGINT});
  auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
  soket::event::DatagramOptions o;
  o.offload = !(argc > 2 && std::string_view(argv[2]) == "nooffload");
  Echo h;
  soket::event::DatagramServer server(soket::Address("127.0.0.1", port), h, o);
  std::printf("PORT %u\n", server.address().port());
  std::fflush(stdout);
  server.start();
  stop.wait();
  server.stop();
  return 0;
}
