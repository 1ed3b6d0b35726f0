// SPDX-License-Identifier: MIT
// UDPServer: Python's socketserver.UDPServer — one request per datagram.
#pragma once

#include <cstddef>

#include <soket/server/tcp_server.hpp>

namespace soket::server {

/// Python: socketserver.UDPServer (a TCPServer with SOCK_DGRAM, as in Python). A request is
/// (data, socket): Request::data and Request::socket() (the server's socket).
class UDPServer : public TCPServer {
 public:
  UDPServer(Address server_address, HandlerFactory handler_factory, bool bind_and_activate = true);

  /// Python: server_activate() does nothing for datagrams.
  void server_activate() override {}
  /// Python: shutdown_request/close_request do nothing (the socket is shared).
  void shutdown_request(Request& request) override;
  void close_request(Request&) override {}

  /// Python: max_packet_size = 8192: longer datagrams are truncated by the kernel.
  std::size_t max_packet_size = 8192;

 protected:
  std::pair<Request, Address> get_request() override;
};

}  // namespace soket::server
