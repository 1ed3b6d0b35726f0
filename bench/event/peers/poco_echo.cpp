// SPDX-License-Identifier: MIT
// POCO's TCPServer echo: a thread per connection from TCPServer's pool (POCO's model).
// Usage: poco_echo [port]  (prints "PORT <n>")
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/Thread.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <soket/server/stop_signals.hpp>

class EchoConnection : public Poco::Net::TCPServerConnection {
 public:
  using Poco::Net::TCPServerConnection::TCPServerConnection;
  void run() override {
    auto& s = socket();
    s.setNoDelay(true);
    static thread_local char buf[65536];
    try {
      for (;;) {
        int n = s.receiveBytes(buf, sizeof buf);
        if (n <= 0) break;
        int off = 0;
        while (off < n) off += s.sendBytes(buf + off, n - off);
      }
    } catch (...) {
    }
  }
};

int main(int argc, char** argv) {
  // Blocked before POCO's pool threads start (they inherit the mask): only wait() sees them.
  soket::server::StopSignals stop({SIGTERM, SIGINT});
  Poco::Net::ServerSocket listener(
      Poco::Net::SocketAddress("127.0.0.1",
                               static_cast<Poco::UInt16>(argc > 1 ? std::atoi(argv[1]) : 0)),
      4096);
  auto* params = new Poco::Net::TCPServerParams;
  params->setMaxThreads(256);
  params->setMaxQueued(4096);
  Poco::Net::TCPServer server(new Poco::Net::TCPServerConnectionFactoryImpl<EchoConnection>(),
                              listener, params);
  server.start();
  std::printf("PORT %u\n", listener.address().port());
  std::fflush(stdout);
  stop.wait();
  std::_Exit(0);
}
