// SPDX-License-Identifier: MIT
// Router: longest whole-segment prefix, then the method.
#include <soket/proto/http/router.hpp>

#include <string>

namespace soket::proto::http {

bool path_has_prefix(std::string_view path, std::string_view prefix) noexcept {
  if (prefix.empty() || prefix == "/") return true;
  if (prefix.back() == '/') prefix.remove_suffix(1);
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

Router& Router::route(std::string_view method, std::string_view prefix, Handler handler) {
  routes_.push_back({std::string(method), std::string(prefix), std::move(handler)});
  return *this;
}

void Router::operator()(const Request& request, Response& response) const {
  std::size_t best = 0;
  bool found = false;
  for (const Route& r : routes_)
    if (path_has_prefix(request.path, r.prefix) && (!found || r.prefix.size() > best)) {
      best = r.prefix.size();
      found = true;
    }
  if (!found) {
    response.status(404)
        .header("Content-Type", "text/plain; charset=utf-8")
        .send("404 Not Found\n");
    return;
  }
  const Route* get = nullptr;
  std::string allow;
  for (const Route& r : routes_) {
    if (r.prefix.size() != best || !path_has_prefix(request.path, r.prefix)) continue;
    if (r.method.empty() || r.method == request.method) return r.handler(request, response);
    if (r.method == "GET") get = &r;
    if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + r.method;
  }
  if (get && request.method == "HEAD") return get->handler(request, response);
  if (allow.find("GET") != std::string::npos && allow.find("HEAD") == std::string::npos)
    allow += ", HEAD";
  response.status(405)
      .header("Allow", allow)
      .header("Content-Type", "text/plain; charset=utf-8")
      .send("405 Method Not Allowed\n");
}

}  // namespace soket::proto::http
