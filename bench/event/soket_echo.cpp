// SPDX-License-Identifier: MIT
// The soket engine's echo server for the benchmark: one loop (one thread).
// Usage: soket_echo [port] [threads] [reuseport|rr] [batch]   (prints "PORT <n>", listens on
// 127.0.0.1)
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <soket/event.hpp>
#include <soket/server/stop_signals.hpp>

namespace {

struct Echo : soket::event::Handler {
  void on_data(soket::event::Connection& c, soket::event::Buffer& in) override {
    c.send(in.data());
    in.retrieve_all();
  }
};

}  // namespace

int main(int argc, char** argv) {
  // Blocked here, before the loop threads start (they inherit the mask): only wait() sees them.
  soket::server::StopSignals stop({SIGTERM, SIGINT});
  auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
  soket::event::ServerOptions o;
  o.threads = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 1;
  if (argc > 3 && std::string_view(argv[3]) == "reuseport")
    o.balance = soket::event::Balance::reuse_port;
  o.connection.batch_writes = argc > 4 && std::string_view(argv[4]) == "batch";
  if (const char* hw = std::getenv("SOKET_HIGH_WATER")) {  // for tuning runs
    o.connection.high_water = static_cast<std::size_t>(std::atol(hw));
    o.connection.low_water = o.connection.high_water / 4;
  }
  Echo h;
  soket::event::Server server(soket::Address("127.0.0.1", port), h, o);
  std::printf("PORT %u\n", server.address().port());
  std::fflush(stdout);
  server.start();
  stop.wait();
  server.stop(std::chrono::milliseconds(100));
  return 0;
}
