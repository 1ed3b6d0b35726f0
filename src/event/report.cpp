// SPDX-License-Identifier: MIT
#include "event/report.hpp"

#include <unistd.h>
#include <string>

#include <soket/event/connection.hpp>
#include <soket/event/handler.hpp>

namespace soket::event {

namespace detail {

void report_error(std::string_view where, const std::exception_ptr& error) noexcept {
  try {
    std::string line = "soket: ";
    line += where;
    line += ": ";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      line += e.what();
    } catch (...) {
      line += "unknown exception";
    }
    for (char& c : line)
      if (c == '\n') c = ' ';  // one line, whatever what() says
    line += '\n';
    // stderr is unbuffered; a failed or short write is not worth a second failure.
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  } catch (...) {
  }
}

void route_error(Handler& handler, Connection* conn, const std::exception_ptr& error) noexcept {
  try {
    handler.handle_error(conn, error);
  } catch (...) {
    report_error("handle_error", std::current_exception());
    if (conn) conn->close();
  }
}

}  // namespace detail

void Handler::handle_error(Connection* conn, std::exception_ptr error) {
  if (!conn) return detail::report_error("on_connect_error", error);
  std::string where = "connection";
  std::error_code ec;
  Address peer = conn->peer(ec);
  where += ec ? " (peer unknown: " + ec.message() + ")" : " from " + peer.repr();
  detail::report_error(where, error);
  conn->close();
}

}  // namespace soket::event
