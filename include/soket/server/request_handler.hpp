// SPDX-License-Identifier: MIT
// Request handlers: Python's BaseRequestHandler, StreamRequestHandler and
// DatagramRequestHandler.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include <soket/io/socket_file.hpp>
#include <soket/server/base_server.hpp>

namespace soket::server {

/// Python: socketserver.BaseRequestHandler. The server creates one per request and calls
/// run(): setup(), then handle(), then finish() (finish also when handle throws). Override
/// handle() (and setup()/finish() if needed; call the base to keep its behaviour).
/// A handler is used by one thread: the one that processes its request.
class BaseRequestHandler {
 public:
  virtual ~BaseRequestHandler() = default;

  /// Runs setup/handle/finish for one request; called by BaseServer::finish_request.
  void run(Request& request, const Address& client_address, BaseServer& server);

  /// Python: setup(), handle(), finish().
  virtual void setup() {}
  virtual void handle() {}
  virtual void finish() {}

  /// Python: self.request, self.client_address, self.server (valid during run()).
  Request& request() noexcept { return *request_; }
  const Address& client_address() const noexcept { return *client_address_; }
  BaseServer& server() noexcept { return *server_; }

 private:
  Request* request_ = nullptr;
  const Address* client_address_ = nullptr;
  BaseServer* server_ = nullptr;
};

/// A HandlerFactory that makes a T(args...) per request: TCPServer s(addr, handler<Echo>()).
template <class T, class... Args>
HandlerFactory handler(Args... args) {
  return [=]() -> std::unique_ptr<BaseRequestHandler> { return std::make_unique<T>(args...); };
}

/// Python: socketserver.StreamRequestHandler: `connection` plus rfile (buffered reader) and
/// wfile (write-through by default, Python's wbufsize = 0) over it. Set the public settings in
/// the subclass's constructor.
class StreamRequestHandler : public BaseRequestHandler {
 public:
  /// Python: rbufsize (-1: default buffer), wbufsize (0: unbuffered, every write is sent).
  long rbufsize = -1;
  long wbufsize = 0;
  /// Python: timeout applied to the connection in setup() (an idle client then gets
  /// TimeoutError from rfile reads). std::nullopt: no timeout.
  Timeout timeout;
  /// Python: disable_nagle_algorithm: set TCP_NODELAY on the connection.
  bool disable_nagle_algorithm = false;
  /// soket's addition: the line limit readline() applies (LineTooLongError beyond it).
  std::size_t max_line = io::SocketFile::default_line_limit;

  void setup() override;
  void finish() override;

  /// Python: self.connection.
  Socket& connection() noexcept { return request().socket(); }
  /// rfile.readline(max_line).
  std::string readline() { return rfile->readline_bounded(max_line); }

  std::optional<io::SocketFile> rfile;
  std::optional<io::SocketFile> wfile;
};

/// Python: socketserver.DatagramRequestHandler: rfile reads the datagram, whatever handle()
/// writes to wfile is sent back to the client in finish() (one datagram, sent even if empty,
/// as Python does).
class DatagramRequestHandler : public BaseRequestHandler {
 public:
  void setup() override;
  void finish() override;

  /// Python: self.packet and self.socket.
  const std::string& packet() noexcept { return request().data; }
  Socket& socket() noexcept { return request().socket(); }

  std::istringstream rfile;
  std::ostringstream wfile;
};

}  // namespace soket::server
