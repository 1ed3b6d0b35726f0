// SPDX-License-Identifier: MIT
// Request handlers: Python's BaseRequestHandler, StreamRequestHandler and
// DatagramRequestHandler.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
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
  void run(Request& request, const Address& from, BaseServer& server);

  /// Python: setup(), handle(), finish().
  virtual void setup() {}
  virtual void handle() {}
  virtual void finish() {}

  /// Python: self.request and self.server (valid during run()).
  Request& request() noexcept { return *request_; }
  BaseServer& server() noexcept { return *server_; }
  /// Python: self.client_address, set by run(). A member, as the server's server_address.
  Address client_address;

 private:
  Request* request_ = nullptr;
  BaseServer* server_ = nullptr;
};

/// A HandlerFactory that makes a T(args...) per request: TCPServer s(addr, handler<Echo>()).
/// The arguments are copied into the factory once, and each handler is constructed from those
/// copies. To share one object between the handlers (a counter, a chat room), pass it by
/// reference with std::ref (T's constructor takes `Room&`), or pass a pointer; the object must
/// outlive the server, and handlers of threading servers use it from several threads at once:
///
///   Room room;
///   ThreadingTCPServer s(addr, handler<Chat>(std::ref(room)));   // Chat(Room& room)
///
/// Python passes the handler class; state shared the Python way (class attributes, the server
/// object) is also reachable here through server().
template <class T, class... Args>
HandlerFactory handler(Args... args) {
  static_assert(std::is_base_of_v<BaseRequestHandler, T>,
                "handler<T>: T must derive from BaseRequestHandler");
  static_assert(std::is_constructible_v<T, const Args&...>,
                "handler<T>(args...): T must be constructible from copies of args; to share "
                "an object between handlers, pass std::ref(object) or a pointer");
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
