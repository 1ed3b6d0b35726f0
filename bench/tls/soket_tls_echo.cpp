// SPDX-License-Identifier: MIT
// The soket engine's TLS echo server for the benchmark: one loop (one thread).
// Usage: soket_tls_echo CERT KEY [tls|plain|ktls] [TLS13_SUITES]
// (prints "PORT <n>", listens on 127.0.0.1; "plain" serves the same echo without TLS, for
// the ratio; "ktls" asks for kernel TLS; TLS13_SUITES, e.g. TLS_AES_128_GCM_SHA256, is the
// server's TLS 1.3 suite preference, which it then picks over the client's order)
#include <openssl/ssl.h>

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
    std::fprintf(stderr, "usage: soket_tls_echo CERT KEY [tls|plain|ktls] [TLS13_SUITES]\n");
    return 2;
  }
  std::string_view mode = argc > 3 ? argv[3] : "tls";
  soket::server::StopSignals stop({SIGTERM, SIGINT});
  soket::tls::SSLContext ctx(soket::tls::PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(argv[1], std::string(argv[2]));
  if (argc > 4) {
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_ciphersuites(ctx.native_handle(), argv[4]) != 1) {
      std::fprintf(stderr, "soket_tls_echo: unknown TLS 1.3 suites: %s\n", argv[4]);
      return 2;
    }
  }
  soket::tls::EngineContext engine(ctx, soket::tls::EngineContext::server_side);
  engine.ktls(mode == "ktls");
  soket::event::ServerOptions o;
  o.threads = 1;
  if (mode != "plain") o.connection.transport = &engine;
  Echo h;
  soket::event::Server server(soket::Address("127.0.0.1", 0), h, o);
  std::printf("PORT %u\n", server.address().port());
  std::fflush(stdout);
  server.start();
  stop.wait();
  server.stop(std::chrono::milliseconds(100));
  return 0;
}
