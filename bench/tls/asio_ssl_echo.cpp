// SPDX-License-Identifier: MIT
// Asio 1.22 ssl::stream echo server (the peer of the TLS bulk benchmark): one thread, one
// io_context, 64 KiB reads echoed with async_write.
// Usage: asio_ssl_echo CERT KEY   (prints "PORT <n>", listens on 127.0.0.1)
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <cstdio>
#include <memory>

using asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, asio::ssl::context& ctx) : stream_(std::move(s), ctx) {}
  void start() {
    auto self = shared_from_this();
    stream_.async_handshake(asio::ssl::stream_base::server, [self](std::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    auto self = shared_from_this();
    stream_.async_read_some(asio::buffer(buf_), [self](std::error_code ec, std::size_t n) {
      if (ec) return;
      asio::async_write(self->stream_, asio::buffer(self->buf_, n),
                        [self](std::error_code e, std::size_t) {
                          if (!e) self->read();
                        });
    });
  }
  asio::ssl::stream<tcp::socket> stream_;
  char buf_[65536];
};

void accept(tcp::acceptor& a, asio::ssl::context& ctx) {
  a.async_accept([&a, &ctx](std::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(s), ctx)->start();
    }
    accept(a, ctx);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: asio_ssl_echo CERT KEY\n");
    return 2;
  }
  asio::io_context io(1);
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.use_certificate_chain_file(argv[1]);
  ctx.use_private_key_file(argv[2], asio::ssl::context::pem);
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::printf("PORT %u\n", a.local_endpoint().port());
  std::fflush(stdout);
  accept(a, ctx);
  asio::signal_set stop(io, SIGTERM, SIGINT);
  stop.async_wait([&](std::error_code, int) { io.stop(); });
  io.run();
  return 0;
}
