// SPDX-License-Identifier: MIT
// FTP::Impl: the control connection (the shared proto::LineChannel, plain or after AUTH TLS)
// and the session's state, shared by ftp.cpp, transfer.cpp and ftp_tls.cpp.
#pragma once

#include <soket/proto/ftp/ftp.hpp>
#include <soket/proto/line_channel.hpp>

#include <optional>
#include <string>

namespace soket::proto::ftp {

struct FTP::Impl {
  Timeout timeout;
  std::string host;
  std::uint16_t port = FTP_PORT;
  std::optional<Address> source;
  std::optional<LineChannel> channel;  // empty before connect() and after close()
  std::string welcome, lastresp;
  std::string command = "connect";  // the command being answered, for error messages

  Socket& control_socket() {
    if (!channel) throw Error(command, "not connected");
    return channel->socket();
  }
};

}  // namespace soket::proto::ftp
