// SPDX-License-Identifier: MIT
#include "http_server_client.hpp"

#include <stdexcept>
#include <utility>

namespace soket::test {

namespace http = proto::http;

std::optional<std::string> HttpReply::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (http::iequals(n, name)) return v;
  return std::nullopt;
}

Served::Served(http::Handler h, http::ServerOptions o)
    : server(Address("127.0.0.1", 0), std::move(h), std::move(o)) {
  server.start();
}

Served::~Served() {
  server.stop(std::chrono::seconds(1));
}

RawHttp::RawHttp(const Address& server, std::chrono::milliseconds timeout)
    : sock_(Family::inet, Type::stream) {
  sock_.settimeout(timeout);
  sock_.connect(server);
}

std::optional<HttpReply> RawHttp::read(std::string_view method) {
  HttpReply reply;
  parser_.response_to(method);
  bool started = false;
  for (;;) {
    http::Result r = parser_.parse(buf_);
    switch (r.event) {
      case http::Event::head: {
        const auto& h = parser_.response();
        started = true;
        reply.status = h.status;
        reply.keep_alive = h.keep_alive;
        for (const auto& f : h.fields) reply.headers.emplace_back(f.name, f.value);
        break;
      }
      case http::Event::body: reply.body.append(r.data); break;
      case http::Event::end:
        buf_.erase(0, r.consumed);
        if (reply.status >= 100 && reply.status < 200 && reply.status != 101) {
          reply = {};  // 1xx: the final answer follows
          started = false;
          continue;
        }
        return reply;
      case http::Event::error:
        throw std::runtime_error("bad response: " + parser_.error().message());
      case http::Event::need_more: {
        buf_.erase(0, r.consumed);
        std::string more = sock_.recv(65536);
        if (more.empty()) {
          http::Result f = parser_.finish();
          if (f.event == http::Event::end) return reply;
          if (!started && buf_.empty()) return std::nullopt;
          throw std::runtime_error("connection closed inside a response");
        }
        buf_ += more;
        continue;
      }
    }
    buf_.erase(0, r.consumed);
  }
}

std::string RawHttp::read_raw() {
  if (!buf_.empty()) return std::exchange(buf_, {});
  return sock_.recv(65536);
}

bool RawHttp::closed_by_peer() {
  buf_.clear();
  for (;;) {
    std::string more = sock_.recv(65536);
    if (more.empty()) return true;
  }
}

std::string get_request(std::string_view path, std::string_view extra) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

}  // namespace soket::test
