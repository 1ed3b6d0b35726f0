// SPDX-License-Identifier: MIT
// The Gopher transaction (RFC 1436 §2): connect, send "selector CRLF" (or "selector TAB query
// CRLF"), read the answer until the server closes. Names from Python 2's gopherlib.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <soket/proto/gopher/menu.hpp>
#include <soket/proto/gopher/url.hpp>
#include <soket/socket.hpp>

namespace soket::proto::gopher {

/// The caps on what a server may send (RFC 1436 names none; a hostile server must not exhaust
/// memory). Passing one throws gopher::Error naming the selector.
struct Limits {
  std::size_t max_line = 8192;         // one menu or text line
  std::size_t max_size = 64u << 20;    // a whole menu, text or in-memory binary item
  std::optional<double> timeout = 30;  // seconds for connect and each read; nullopt: block
};

/// Python (gopherlib): send_selector(selector, host, port=0): connects (port 0 means 70),
/// sends the selector and returns the socket to read the answer from. Throws
/// std::invalid_argument for a selector holding CR, LF or TAB.
Socket send_selector(std::string_view selector, const std::string& host, std::uint16_t port = 0,
                     const Limits& limits = {});
/// Python (gopherlib): send_query(selector, query, host, port=0): a type-7 search.
Socket send_query(std::string_view selector, std::string_view query, const std::string& host,
                  std::uint16_t port = 0, const Limits& limits = {});

/// Python (gopherlib): get_directory(f): the menu read from `sock` until "." or EOF.
std::vector<Item> get_directory(Socket& sock, const Limits& limits = {});
/// Python (gopherlib): get_textfile(f): a text item, "." line removed and dots undoubled.
std::string get_textfile(Socket& sock, const Limits& limits = {});
/// Python (gopherlib): get_binary(f): every byte until the server closes (max_size applies).
std::string get_binary(Socket& sock, const Limits& limits = {});
/// The same, streamed: `sink` receives each piece; no size cap. Returns the byte count.
std::size_t get_binary(Socket& sock, const std::function<void(std::string_view)>& sink,
                       const Limits& limits = {});

/// What fetch() got: a menu for types 1 and 7, else the (unstuffed, for text types) bytes.
struct Response {
  char type = A_MENU;
  std::vector<Item> menu;
  std::string data;
};

/// One call: the item a URL names, read as its type says.
Response fetch(const Url& url, const Limits& limits = {});

}  // namespace soket::proto::gopher
