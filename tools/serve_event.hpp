// SPDX-License-Identifier: MIT
// `soket serve --engine event`: the serve modes on the event engine instead of socketserver.
#pragma once

#include <cstddef>
#include <string>

#include <soket/address.hpp>

namespace soket::tools {

struct EventServeOptions {
  std::string mode;         // greet, echo, discard, daytime, chargen
  std::string proto;        // tcp, udp, unix, unixgram
  std::string address;      // HOST:PORT (tcp/udp)
  std::string unix_path;    // unix/unixgram
  std::size_t threads = 0;  // loops; 0: one per core
  std::size_t max_connections = 0;
  double idle_timeout = 0;  // seconds; 0: never
  std::string cert, key;    // --tls: TLS on every connection (empty: plain)
};

/// Serves until SIGINT, SIGTERM or SIGHUP, then shuts down gracefully. Throws on setup errors.
int serve_event(const EventServeOptions& options);

/// What --unix names, for both engines: "@name" is an abstract name, anything else a path.
Address serve_unix_address(const std::string& text);

}  // namespace soket::tools
