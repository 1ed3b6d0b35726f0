// SPDX-License-Identifier: MIT
// Request: what an HTTP server's handler is asked (Python's BaseHTTPRequestHandler fields).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <soket/address.hpp>
#include <soket/proto/http/message.hpp>

namespace soket::proto::http {

/// One header field of a Request, owned.
struct Header {
  std::string name;   // as sent; compare case-insensitively
  std::string value;  // without surrounding whitespace
};

/// A complete request, head and body, owned by value: a handler that answers later (from
/// another thread) copies what it needs, or the whole Request. Python's BaseHTTPRequestHandler
/// names: `command` is spelled `method` here, as in http.client.
struct Request {
  std::string method;  // "GET" (case-sensitive)
  std::string target;  // as sent: "/a%20b?x=1" (not percent-decoded)
  std::string path;    // the target before '?': "/a%20b"
  std::string query;   // after '?', without it: "x=1"
  std::string host;    // the Host field (or the absolute-form target's authority)
  Version version;
  std::vector<Header> headers;
  std::string body;  // Content-Length or chunked bodies, de-chunked
  /// The chunked body's trailer fields, if any.
  std::vector<Header> trailers;
  /// The client asked to keep the connection open (the server may still close it).
  bool keep_alive = true;
  /// The client's address (read once per connection).
  Address peer;

  /// The value of the first header named `name` (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const noexcept;
};

}  // namespace soket::proto::http
