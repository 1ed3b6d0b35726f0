// SPDX-License-Identifier: MIT
// A raw HTTP/1.1 test client: bytes out as given, responses read back with the project's
// response parser (so chunked and Content-Length bodies are checked the strict way).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <soket/proto/http/parser.hpp>
#include <soket/proto/http/server.hpp>
#include <soket/socket.hpp>

namespace soket::test {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  std::optional<std::string> header(std::string_view name) const;
};

/// One connection to a server; send() writes raw bytes, read() parses the next response.
class RawHttp {
 public:
  explicit RawHttp(const Address& server,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void send(std::string_view bytes) { sock_.sendall(bytes); }
  /// The next response (to a request made with `method`); nullopt if the server closed
  /// before one came. Throws on a malformed response or a timeout.
  std::optional<HttpReply> read(std::string_view method = "GET");
  /// Reads the raw bytes of whatever comes next (at least one recv).
  std::string read_raw();
  /// True if the server closed the connection (reads until EOF, discarding).
  bool closed_by_peer();
  Socket& socket() { return sock_; }

 private:
  Socket sock_;
  proto::http::Parser parser_{proto::http::Parser::Kind::response};
  std::string buf_;
};

/// An http::Server on 127.0.0.1 and a port of its own, started; stopped (1 s grace) at the end.
struct Served {
  explicit Served(proto::http::Handler h, proto::http::ServerOptions o = {});
  ~Served();
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;
  proto::http::Server server;
};

/// "GET path HTTP/1.1\r\nHost: t\r\n\r\n"
std::string get_request(std::string_view path, std::string_view extra = {});

}  // namespace soket::test
