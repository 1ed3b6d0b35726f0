// SPDX-License-Identifier: MIT
#include <soket/proto/ftp/data_connection.hpp>
#include <soket/tls/ssl_socket.hpp>

#include <utility>

namespace soket::proto::ftp {

DataConnection::DataConnection(Socket sock) : sock_(std::move(sock)) {}
DataConnection::DataConnection(tls::SSLSocket tls)
    : tls_(std::make_unique<tls::SSLSocket>(std::move(tls))) {}
DataConnection::DataConnection(DataConnection&&) noexcept = default;
DataConnection& DataConnection::operator=(DataConnection&&) noexcept = default;
DataConnection::~DataConnection() = default;

std::size_t DataConnection::read_some(std::span<std::byte> buffer) {
  return tls_ ? tls_->recv_into(buffer) : sock_.recv_into(buffer);
}

void DataConnection::write_all(std::span<const std::byte> data) {
  if (tls_)
    tls_->sendall(data);
  else
    sock_.sendall(data);
}

void DataConnection::close() {
  if (tls_) {
    Socket plain = tls_->unwrap();
    tls_.reset();
    plain.close();
    return;
  }
  sock_.close();
}

bool DataConnection::session_reused() const noexcept {
  return tls_ && tls_->session_reused();
}

Socket& DataConnection::socket() noexcept {
  return tls_ ? tls_->socket() : sock_;
}

}  // namespace soket::proto::ftp
