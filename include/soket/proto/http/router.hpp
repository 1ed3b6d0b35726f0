// SPDX-License-Identifier: MIT
// Router: a Handler that picks a route by method and path prefix (404 / 405 otherwise).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <soket/proto/http/request.hpp>
#include <soket/proto/http/response.hpp>

namespace soket::proto::http {

/// Routes requests by method and path prefix. A prefix matches whole segments: "/api"
/// matches "/api" and "/api/x", not "/apix"; "/" matches everything. The longest matching
/// prefix wins; among its routes the method decides. No route for the path: 404. Routes for
/// the path but not for the method: 405 with Allow. HEAD uses a GET route when it has none.
///
///   http::Router router;
///   router.get("/hello", [](const http::Request&, http::Response& res) { res.send("hi\n"); });
///   router.route("", "/files", serve_files);   // "" : any method
///   http::Server server(Address("127.0.0.1", 8080), router);
///
/// Thread rules: add routes before the server starts; calls are then read-only (any thread).
class Router {
 public:
  /// Adds a route; `method` "" matches any method.
  Router& route(std::string_view method, std::string_view prefix, Handler handler);
  Router& get(std::string_view prefix, Handler handler) {
    return route("GET", prefix, std::move(handler));
  }
  Router& post(std::string_view prefix, Handler handler) {
    return route("POST", prefix, std::move(handler));
  }

  void operator()(const Request& request, Response& response) const;

 private:
  struct Route {
    std::string method, prefix;
    Handler handler;
  };
  std::vector<Route> routes_;
};

/// Whether `path` is under `prefix` by whole segments (the Router's rule).
bool path_has_prefix(std::string_view path, std::string_view prefix) noexcept;

}  // namespace soket::proto::http
