// SPDX-License-Identifier: MIT
// Asio's classic async echo server (examples/cpp11/echo/async_tcp_echo_server.cpp shape),
// one io_context on one thread. Usage: asio_echo [port]  (prints "PORT <n>")
#include <asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

using asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : socket_(std::move(s)) {}
  void start() { read(); }

 private:
  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(data_), [this, self](std::error_code ec, std::size_t n) {
      if (!ec) write(n);
    });
  }
  void write(std::size_t n) {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(data_, n),
                      [this, self](std::error_code ec, std::size_t) {
                        if (!ec) read();
                      });
  }
  tcp::socket socket_;
  char data_[65536];
};

class Server {
 public:
  Server(asio::io_context& io, unsigned short port)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
    std::printf("PORT %u\n", acceptor_.local_endpoint().port());
    std::fflush(stdout);
    accept();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket s) {
      if (!ec) {
        s.set_option(tcp::no_delay(true));
        std::make_shared<Session>(std::move(s))->start();
      }
      accept();
    });
  }
  tcp::acceptor acceptor_;
};

int main(int argc, char** argv) {
  asio::io_context io(1);
  Server s(io, static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0));
  io.run();
}
