// SPDX-License-Identifier: MIT
#include <soket/proto/gopher/client.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <soket/create.hpp>
#include <soket/io/socket_file.hpp>

namespace soket::proto::gopher {
namespace {

Socket dial(const std::string& host, std::uint16_t port, const Limits& limits) {
  if (limits.timeout && !(std::isfinite(*limits.timeout) && *limits.timeout > 0))
    throw std::invalid_argument("gopher: timeout must be a positive number of seconds");
  const soket::Timeout t =
      limits.timeout ? soket::Timeout(std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::duration<double>(*limits.timeout)))
                     : soket::Timeout(std::nullopt);
  return create_connection(Address(host, port == 0 ? DEF_PORT : port), t);
}

void check_selector(std::string_view selector, const char* what) {
  if (selector.find_first_of("\r\n\t") != std::string_view::npos)
    throw std::invalid_argument(std::string("gopher: CR, LF or TAB in the ") + what);
}

// Reads dot-terminated lines (or to EOF) with both caps; the lines come back as received.
std::string read_text(Socket& sock, const Limits& limits, const char* call) {
  io::SocketFile file(sock);
  std::string out;
  for (;;) {
    std::string line;
    try {
      line = file.readline_bounded(limits.max_line);
    } catch (const io::LineTooLongError&) {
      throw Error(std::string("gopher ") + call + ": a line longer than " +
                  std::to_string(limits.max_line) + " bytes");
    }
    if (line.empty()) break;  // EOF: many servers omit the "." line
    if (out.size() + line.size() > limits.max_size)
      throw Error(std::string("gopher ") + call + ": more than " + std::to_string(limits.max_size) +
                  " bytes");
    out += line;
    if (line == ".\r\n" || line == ".\n") break;
  }
  return out;
}

}  // namespace

Socket send_selector(std::string_view selector, const std::string& host, std::uint16_t port,
                     const Limits& limits) {
  check_selector(selector, "selector");
  Socket sock = dial(host, port, limits);
  sock.sendall(std::string(selector) + "\r\n");
  return sock;
}

Socket send_query(std::string_view selector, std::string_view query, const std::string& host,
                  std::uint16_t port, const Limits& limits) {
  check_selector(selector, "selector");
  check_selector(query, "query");
  Socket sock = dial(host, port, limits);
  sock.sendall(std::string(selector) + "\t" + std::string(query) + "\r\n");
  return sock;
}

std::vector<Item> get_directory(Socket& sock, const Limits& limits) {
  return parse_menu(read_text(sock, limits, "get_directory"));
}

std::string get_textfile(Socket& sock, const Limits& limits) {
  return unstuff_text(read_text(sock, limits, "get_textfile"));
}

std::size_t get_binary(Socket& sock, const std::function<void(std::string_view)>& sink,
                       const Limits&) {
  std::array<std::byte, 65536> buf;
  std::size_t total = 0;
  for (;;) {
    const std::size_t n = sock.recv_into(buf);
    if (n == 0) return total;
    total += n;
    sink(std::string_view(reinterpret_cast<const char*>(buf.data()), n));
  }
}

std::string get_binary(Socket& sock, const Limits& limits) {
  std::string out;
  get_binary(
      sock,
      [&](std::string_view piece) {
        if (out.size() + piece.size() > limits.max_size)
          throw Error("gopher get_binary: more than " + std::to_string(limits.max_size) + " bytes");
        out += piece;
      },
      limits);
  return out;
}

Response fetch(const Url& url, const Limits& limits) {
  Socket sock = url.query ? send_query(url.selector, *url.query, url.host, url.port, limits)
                          : send_selector(url.selector, url.host, url.port, limits);
  Response r;
  r.type = url.type;
  if (url.type == A_MENU || url.type == A_INDEX)
    r.menu = get_directory(sock, limits);
  else if (is_binary_type(url.type))
    r.data = get_binary(sock, limits);
  else
    r.data = get_textfile(sock, limits);
  return r;
}

}  // namespace soket::proto::gopher
