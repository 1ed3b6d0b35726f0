// SPDX-License-Identifier: MIT
// The soket engine's TLS echo server for the benchmark: one loop (one thread).
// Usage: soket_tls_echo CERT KEY [plain]   (prints "PORT <n>", listens on 127.0.0.1;
// "plain" serves the same echo without TLS, for the ratio)
#include <csignal>
#include <cstdio>
#include <string_view>

#include <soket/event.hpp>
#include <soket/server/stop_signals.hpp>
#include <soket/tls/engine.hpp>

namespace {

struct Echo : soket::event::Handler {
  void on_data(soket::event::Connection& c, soket::event::Buffer& in) override {
    c.send(in.data());
    in.retrieve_all();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: soket_tls_echo CERT KEY [plain]\n");
    return 2;
  }
  soket::server::StopSignals stop({SIGTERM, SIGINT});
  soket::tls::SSLContext ctx(soket::tls::PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(argv[1], std::string(argv[2]));
  soket::tls::EngineContext engine(ctx, soket::tls::EngineContext::server_side);
  soket::event::ServerOptions o;
  o.threads = 1;
  if (argc < 4 || std::string_view(argv[3]) != "plain") o.connection.transport = &engine;
  Echo h;
  soket::event::Server server(soket::Address("127.0.0.1", 0), h, o);
  std::printf("PORT %u\n", server.address().port());
  std::fflush(stdout);
  server.start();
  stop.wait();
  server.stop(std::chrono::milliseconds(100));
  return 0;
}
