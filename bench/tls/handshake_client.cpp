// SPDX-License-Identifier: MIT
// Load generator for TLS handshakes per second: CONCURRENCY connections on one engine loop,
// each connects, completes the handshake, sends one small request, reads the first bytes of
// the answer (so TLS 1.3 tickets are read, as `openssl s_time -www` needs), closes, and
// starts again. "resume" offers the last connection's session (ticket) to the next.
// Usage: handshake_client PORT SECONDS CONCURRENCY new|resume
// Prints one JSON line: {"handshakes":N,"resumed":R,"errors":E,"seconds":S}
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <soket/event.hpp>
#include <soket/tls/engine.hpp>

namespace {

using namespace soket::event;

struct Load : Handler {
  Loop& loop;
  soket::Address target;
  const ConnectionOptions& options;
  bool running = true;
  long handshakes = 0, resumed = 0, errors = 0;
  Load(Loop& l, soket::Address t, const ConnectionOptions& o)
      : loop(l), target(std::move(t)), options(o) {}
  void start() { connect(loop, target, *this, options, std::chrono::seconds(5)); }
  void on_open(Connection& c) override {
    auto i = soket::tls::info(c);
    if (i && i->session_reused) ++resumed;
    c.send(std::string_view("GET / HTTP/1.0\r\n\r\n"));
  }
  void on_data(Connection& c, Buffer& in) override {
    in.retrieve_all();
    ++handshakes;
    c.close();
  }
  void on_close(Connection&, std::error_code) override {
    if (running) start();
  }
  void on_connect_error(const soket::Address&, std::error_code) override {
    ++errors;
    if (running) start();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: handshake_client PORT SECONDS CONCURRENCY new|resume\n");
    return 2;
  }
  auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  double seconds = std::atof(argv[2]);
  int concurrency = std::atoi(argv[3]);
  soket::tls::SSLContext ctx = soket::tls::create_unverified_context();
  ctx.minimum_version(soket::tls::TLSVersion::tlsv1_3);
  soket::tls::EngineContext engine(ctx, soket::tls::EngineContext::client_side);
  engine.resume_sessions(std::string_view(argv[4]) == "resume");
  ConnectionOptions o;
  o.transport = &engine;
  Loop loop;
  Load load(loop, soket::Address("127.0.0.1", port), o);
  for (int i = 0; i < concurrency; ++i) load.start();
  auto begin = std::chrono::steady_clock::now();
  loop.call_after(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)),
                  [&] {
                    load.running = false;
                    loop.stop();
                  });
  loop.run();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf("{\"handshakes\":%ld,\"resumed\":%ld,\"errors\":%ld,\"seconds\":%.3f}\n",
              load.handshakes, load.resumed, load.errors, took);
  return 0;
}
