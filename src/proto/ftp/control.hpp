// SPDX-License-Identifier: MIT
// FTP::Impl: the control connection (a Socket, or an SSLSocket after AUTH TLS) and its line
// file, shared by ftp.cpp, transfer.cpp and ftp_tls.cpp.
#pragma once

#include <soket/io/socket_file.hpp>
#include <soket/proto/ftp/ftp.hpp>
#include <soket/tls/ssl_socket.hpp>

#include <memory>
#include <optional>
#include <string>

namespace soket::proto::ftp {

struct FTP::Impl {
  Timeout timeout;
  std::string host;
  std::uint16_t port = FTP_PORT;
  std::optional<Address> source;
  Socket sock;                           // the plain control connection (empty under TLS)
  std::unique_ptr<tls::SSLSocket> ssl;   // the control connection after AUTH TLS
  std::unique_ptr<io::SocketFile> file;  // reads replies, writes commands, over either
  std::string welcome, lastresp;
  std::string command = "connect";  // the command being answered, for error messages

  Socket& control_socket();
};

}  // namespace soket::proto::ftp
