// SPDX-License-Identifier: MIT
// UnixStreamServer and UnixDatagramServer: Python's AF_UNIX socketserver classes.
#pragma once

#include <soket/server/tcp_server.hpp>
#include <soket/server/udp_server.hpp>

namespace soket::server {

/// Python: socketserver.UnixStreamServer. The address must be a Unix address
/// (Address::unix_path / Address::abstract); std::invalid_argument otherwise. As in Python,
/// server_close() does not remove the socket file.
class UnixStreamServer : public TCPServer {
 public:
  UnixStreamServer(Address server_address, HandlerFactory handler_factory,
                   bool bind_and_activate = true);
};

/// Python: socketserver.UnixDatagramServer.
class UnixDatagramServer : public UDPServer {
 public:
  UnixDatagramServer(Address server_address, HandlerFactory handler_factory,
                     bool bind_and_activate = true);
};

}  // namespace soket::server
