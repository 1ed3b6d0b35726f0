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

/// soket's addition, for a server that restarts: makes a Unix socket path free for bind().
/// A socket file that nothing answers on (left by a server that died: a stream and a datagram
/// connect are both refused) is removed. Anything else stays and is reported: a live socket
/// throws AddressInUseError ("bind to 'PATH': Address already in use"); a regular file, a
/// directory, a symlink or any other non-socket throws soket::Error (File exists) naming the
/// path and what is there. An abstract name or an empty path: nothing to do. Call it before
/// bind (e.g. before a UnixStreamServer with bind_and_activate, or event::Server).
void remove_stale_unix_socket(const Address& address);

/// soket's addition: removes the socket file of a server that has stopped (Python's
/// server_close leaves it), only if a socket is still what is there. Never throws.
void remove_unix_socket(const Address& address) noexcept;

}  // namespace soket::server
