// SPDX-License-Identifier: MIT
// StreamRequestHandler and DatagramRequestHandler: the rfile/wfile plumbing.
#include <soket/server/request_handler.hpp>

#include <soket/error.hpp>
#include <soket/options.hpp>

namespace soket::server {

void StreamRequestHandler::setup() {
  Socket& conn = connection();
  if (timeout) conn.settimeout(timeout);
  if (disable_nagle_algorithm) conn.setsockopt(opt::no_delay, true);
  rfile.emplace(conn, rbufsize < 0 ? io::SocketFile::default_buffer_size
                                   : static_cast<std::size_t>(rbufsize == 0 ? 1 : rbufsize));
  // wbufsize 0: Python's _SocketWriter, every write goes straight to sendall.
  wfile.emplace(conn, wbufsize <= 0 ? 1 : static_cast<std::size_t>(wbufsize), wbufsize == 0);
}

void StreamRequestHandler::finish() {
  if (wfile) {
    try {
      wfile->flush();
    } catch (const Error&) {
      // Python: "A final socket error may have occurred here, such as the local error
      // ECONNABORTED." Nothing to flush to any more.
    }
  }
  wfile.reset();
  rfile.reset();
}

void DatagramRequestHandler::setup() {
  rfile.str(request().data);
  wfile.str({});
}

void DatagramRequestHandler::finish() {
  socket().sendto(wfile.str(), client_address);
}

}  // namespace soket::server
