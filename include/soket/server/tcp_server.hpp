// SPDX-License-Identifier: MIT
// TCPServer: Python's socketserver.TCPServer — a listening stream socket, one request per
// accepted connection.
#pragma once

#include <soket/server/base_server.hpp>

namespace soket::server {

/// Python: socketserver.TCPServer(server_address, RequestHandlerClass, bind_and_activate).
/// The socket's family follows the address (IPv4, IPv6, Unix). Owns its socket.
///
///   TCPServer s({"127.0.0.1", 0}, handler<Echo>(), false);
///   s.allow_reuse_address = true;           // Python sets these as class attributes
///   s.server_bind(); s.server_activate();
class TCPServer : public BaseServer {
 public:
  TCPServer(Address server_address, HandlerFactory handler_factory, bool bind_and_activate = true);
  ~TCPServer() override;

  /// Python: server_bind(): SO_REUSEADDR/SO_REUSEPORT as allowed, bind, then
  /// server_address = getsockname().
  virtual void server_bind();
  /// Python: server_activate(): listen(request_queue_size).
  virtual void server_activate();
  void server_close() override;
  int fileno() const noexcept override { return socket.fileno(); }

  void shutdown_request(Request& request) override;
  void close_request(Request& request) override;

  /// Python: request_queue_size = 5, allow_reuse_address = False, allow_reuse_port = False.
  int request_queue_size = 5;
  bool allow_reuse_address = false;
  bool allow_reuse_port = false;

  /// Python: self.socket.
  Socket socket;

 protected:
  TCPServer(Address server_address, HandlerFactory handler_factory, Type type);
  std::pair<Request, Address> get_request() override;
};

}  // namespace soket::server
