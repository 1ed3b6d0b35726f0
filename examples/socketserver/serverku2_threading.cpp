// SPDX-License-Identifier: MIT
// The documents' serverku2.py on Python's socketserver: a ThreadingTCPServer whose
// BaseRequestHandler greets each client, so many clients are served at once.
//   usage: serverku2_threading [host] [port]     (defaults: 127.0.0.1 12345)
#include <iostream>
#include <mutex>

#include <soket/server/request_handler.hpp>
#include <soket/server/stop_signals.hpp>
#include <soket/server/threading.hpp>

#include "../example_args.hpp"

namespace {

std::mutex out_mutex;  // handlers run on their own threads: one line at a time

class Greeter : public soket::server::BaseRequestHandler {
 public:
  void handle() override {
    {
      std::lock_guard lock(out_mutex);
      std::cout << client_address << " Now Connected" << std::endl;
    }
    request().socket().sendall("Thank you for connecting");
  }
};

}  // namespace

int main(int argc, char** argv) try {
  // Ctrl-C, SIGTERM and SIGHUP wait for stop.serve() below; first, before any thread starts.
  soket::server::StopSignals stop;
  auto [host, port] = examples::host_port(argc, argv);
  using soket::server::ThreadingTCPServer;
  ThreadingTCPServer server({host, port}, soket::server::handler<Greeter>(), false);
  server.allow_reuse_address = true;  // restart without waiting, as serverku2.py's SO_REUSEADDR
  server.server_bind();
  server.server_activate();
  std::cerr << "Listening on " << server.server_address << std::endl;
  stop.serve(server);  // serve_forever until a stop signal, then shutdown()
  server.stop_requests(std::chrono::seconds(2));  // clients that never leave are ended
  server.server_close();
  std::cerr << "server stopped" << std::endl;
} catch (const std::exception& e) {
  std::cerr << "serverku2_threading: " << e.what() << '\n';
  return 1;
}
