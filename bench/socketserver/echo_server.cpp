// SPDX-License-Identifier: MIT
// The benchmark's soket server: ThreadingTCPServer with the same echo handler as the Python peer
// bench/event/peers/py_echo.py socketserver (recv up to 64 KiB, sendall it back, until EOF).
// Prints its port on stdout; stops on SIGTERM.
//   usage: bench_socketserver_echo [port]
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <soket/server/request_handler.hpp>
#include <soket/server/stop_signals.hpp>
#include <soket/server/threading.hpp>

namespace {

class Echo : public soket::server::BaseRequestHandler {
 public:
  void handle() override {
    soket::Socket& s = request().socket();
    std::byte buf[65536];
    for (;;) {
      std::size_t n = s.recv_into(buf);
      if (n == 0) return;
      s.sendall(std::span<const std::byte>(buf, n));
    }
  }
};

}  // namespace

int main(int argc, char** argv) try {
  // Blocked before any thread starts (they inherit the mask): only stop.serve() sees them.
  soket::server::StopSignals stop({SIGTERM, SIGINT});

  auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
  soket::server::ThreadingTCPServer server({"127.0.0.1", port}, soket::server::handler<Echo>(),
                                           false);
  server.request_queue_size = 128;  // 100 clients connect at once
  server.daemon_threads = true;
  server.server_bind();
  server.server_activate();
  std::printf("%u\n", static_cast<unsigned>(server.server_address.port()));
  std::fflush(stdout);
  stop.serve(server);  // serve_forever until SIGTERM/SIGINT, then shutdown()
  server.server_close();
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_socketserver_echo: %s\n", e.what());
  return 1;
}
