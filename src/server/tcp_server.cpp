// SPDX-License-Identifier: MIT
// TCPServer, UDPServer and the Unix servers: binding, listening, accepting, receiving.
#include <soket/server/tcp_server.hpp>
#include <soket/server/udp_server.hpp>
#include <soket/server/unix_server.hpp>

#include <stdexcept>

#include <soket/error.hpp>
#include <soket/options.hpp>

namespace soket::server {
namespace {

// Python's address_family: AF_INET unless the address says otherwise (IPv6, Unix).
Family family_of(const Address& address) {
  Family f = address.family();
  return f == Family::unspec ? Family::inet : f;
}

const Address& require_unix(const Address& address) {
  if (address.family() != Family::unix)
    throw std::invalid_argument("Unix server needs a Unix address, not " + address.to_string());
  return address;
}

}  // namespace

TCPServer::TCPServer(Address address, HandlerFactory factory, Type type)
    : BaseServer(std::move(address), std::move(factory)), socket(family_of(server_address), type) {}

TCPServer::TCPServer(Address address, HandlerFactory factory, bool bind_and_activate)
    : TCPServer(std::move(address), std::move(factory), Type::stream) {
  if (bind_and_activate) {
    // Python closes the socket if bind or listen fails; the Socket destructor does that here.
    server_bind();
    server_activate();
  }
}

TCPServer::~TCPServer() = default;

void TCPServer::server_bind() {
  if (allow_reuse_address) socket.setsockopt(opt::reuse_address, true);
  if (allow_reuse_port) socket.setsockopt(opt::reuse_port, true);
  socket.bind(server_address);
  server_address = socket.getsockname();
}

void TCPServer::server_activate() {
  socket.listen(request_queue_size);
}

void TCPServer::server_close() {
  BaseServer::server_close();
  socket.close();
}

std::pair<Request, Address> TCPServer::get_request() {
  auto [conn, addr] = socket.accept();
  return {Request(std::move(conn)), std::move(addr)};
}

void TCPServer::shutdown_request(Request& request) {
  // Python: "explicitly shutdown. socket.close() merely releases the socket and waits for GC
  // to perform the actual close." Errors (the peer already left) are ignored.
  std::error_code ec;
  request.socket().shutdown(Shut::wr, ec);
  close_request(request);
}

void TCPServer::close_request(Request& request) {
  std::error_code ec;
  request.socket().close(ec);
}

// -- UDP --------------------------------------------------------------------------------------

UDPServer::UDPServer(Address address, HandlerFactory factory, bool bind_and_activate)
    : TCPServer(std::move(address), std::move(factory), Type::dgram) {
  if (bind_and_activate) {
    server_bind();
    server_activate();
  }
}

std::pair<Request, Address> UDPServer::get_request() {
  auto [data, addr] = socket.recvfrom(max_packet_size);
  return {Request(std::move(data), socket), std::move(addr)};
}

void UDPServer::shutdown_request(Request& request) {
  close_request(request);
}

// -- Unix -------------------------------------------------------------------------------------

UnixStreamServer::UnixStreamServer(Address address, HandlerFactory factory, bool bind_and_activate)
    : TCPServer(require_unix(address), std::move(factory), bind_and_activate) {}

UnixDatagramServer::UnixDatagramServer(Address address, HandlerFactory factory,
                                       bool bind_and_activate)
    : UDPServer(require_unix(address), std::move(factory), bind_and_activate) {}

}  // namespace soket::server
