// SPDX-License-Identifier: MIT
// Client: connecting (directly, through an http proxy, or tunnelled by CONNECT), sending a
// request, reading the response head, and the redirect rules. The body is HTTPResponse's
// (response.cpp).
#include <soket/proto/http/client.hpp>

#include <array>
#include <utility>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/proto/http/proxy.hpp>

#include "deadline.hpp"
#include "proto/http/client_connection.hpp"

namespace soket::proto::http {

using detail::Connection;
using detail::Deadline;
using detail::Pool;

Limits client_limits() noexcept {
  Limits l;
  l.max_start_line = 64 * 1024;
  l.max_field_line = 64 * 1024;
  l.max_fields = 100;
  l.max_head = 256 * 1024;
  l.max_body = ~std::uint64_t{0};
  return l;
}

namespace {

bool is_token_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_token(std::string_view s, const char* what) {
  if (s.empty()) throw std::invalid_argument(std::string("empty ") + what);
  for (char c : s)
    if (!is_token_char(c))
      throw std::invalid_argument(std::string("invalid ") + what + " '" + std::string(s) + "'");
}

// Python's check: no CR, LF or NUL in a value (a header injection otherwise).
void check_value(std::string_view name, std::string_view value) {
  for (char c : value)
    if (c == '\r' || c == '\n' || c == '\0')
      throw std::invalid_argument("invalid value for header '" + std::string(name) +
                                  "': it contains CR, LF or NUL");
}

bool has_header(const Headers& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (iequals(n, name)) return true;
  return false;
}

unsigned byte(char c) noexcept {
  return static_cast<unsigned char>(c);
}

std::string base64(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = byte(in[i]) << 16 | byte(in[i + 1]) << 8 | byte(in[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i < in.size()) {
    unsigned v = byte(in[i]) << 16;
    if (i + 1 < in.size()) v |= byte(in[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string basic_auth(const URL& u) {
  return "Basic " + base64(u.username.value_or("") + ":" + u.password.value_or(""));
}

Deadline deadline_of(const std::optional<Seconds>& total) {
  if (!total) return Deadline::max();
  return ::soket::detail::deadline_after(*total);
}

// The proxy for `url`, if one applies (Python's ProxyHandler: <scheme>_proxy unless no_proxy
// lists the host).
std::optional<URL> proxy_for(const Pool& pool, const URL& url) {
  auto it = pool.proxies.find(url.scheme);
  if (it == pool.proxies.end()) return std::nullopt;
  if (auto no = pool.proxies.find("no");
      no != pool.proxies.end() && proxy_bypass_environment(url.host, url.port, no->second))
    return std::nullopt;
  std::string proxy = it->second;
  // Python accepts "host:port" without a scheme and means http://.
  if (proxy.find("://") == std::string::npos) proxy = "http://" + proxy;
  URL p = urlsplit(proxy);
  if (p.scheme != "http")
    throw InvalidURL("proxy '" + proxy + "': only http:// proxies are supported");
  return p;
}

// Reads a response head into `conn`'s parser: 1xx answers other than 101 are skipped (Python
// skips 100 Continue; the others carry nothing a client needs).
void read_head(Connection& conn, const std::string& what) {
  for (;;) {
    Result r = conn.parser.parse(conn.input());
    conn.consume(r.consumed);
    switch (r.event) {
      case Event::head: {
        int status = conn.parser.response().status;
        if (status >= 200 || status == 101) return;
        break;  // the 1xx's end comes next
      }
      case Event::end:
      case Event::body: break;
      case Event::error:
        throw ProtocolError(what + ": bad response: " + conn.parser.error().message(),
                            conn.parser.error());
      case Event::need_more:
        if (conn.fill() == 0) {
          if (!conn.answered)
            throw RemoteDisconnected(what + ": remote end closed connection without response");
          throw ProtocolError(what + ": the connection closed inside the response head",
                              make_error_code(ParseError::incomplete_message));
        }
        break;
    }
  }
}

std::unique_ptr<Connection> connect(Pool& pool, const std::string& key, const URL& url,
                                    const std::optional<URL>& proxy, Deadline deadline,
                                    const std::string& what) {
  const auto& opt = pool.options;
  Deadline connect_deadline = deadline;
  if (opt.timeouts.connect)
    connect_deadline = std::min(deadline, ::soket::detail::deadline_after(*opt.timeouts.connect));
  Timeout timeout;  // none: block
  if (connect_deadline != Deadline::max()) {
    auto left = ::soket::detail::time_left(connect_deadline);
    if (left.count() == 0) throw TimeoutError(timed_out_error(), what + ": connect timeout");
    timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(left);
  }
  const URL& peer = proxy ? *proxy : url;
  pool.trace('*', "Connecting to " + peer.host + " port " + std::to_string(peer.port_or_default()) +
                      (proxy ? " (proxy)" : ""));
  Socket sock = create_connection(Address(peer.host, peer.port_or_default()), timeout);
  auto conn = std::make_unique<Connection>(key, std::move(sock), opt.limits);
  ++pool.opened;
  conn->arm(connect_deadline, std::nullopt, what);
  if (url.scheme == "https") {
    if (proxy) {
      // A tunnel (RFC 9110 §9.3.6): nothing but the CONNECT exchange before TLS.
      std::string authority =
          (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
          std::to_string(url.port_or_default());
      std::string head = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
      if (proxy->username) head += "Proxy-Authorization: " + basic_auth(*proxy) + "\r\n";
      head += "\r\n";
      pool.trace('>', "CONNECT " + authority + " HTTP/1.1");
      conn->send(head);
      conn->parser.response_to("CONNECT");
      read_head(*conn, what + " (CONNECT)");
      int status = conn->parser.response().status;
      if (status / 100 != 2)
        throw HTTPError(what + ": proxy refused the tunnel: " + std::to_string(status) + " " +
                            std::string(conn->parser.response().reason),
                        status, std::string(conn->parser.response().reason), url.geturl());
      if (!conn->input().empty())
        throw ProtocolError(what + ": proxy sent bytes after its CONNECT answer",
                            make_error_code(ParseError::bad_status_line));
      conn->parser.reset();
    }
    conn->start_tls(pool.context(), url.host);
  }
  return conn;
}

bool is_redirect(int status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Client::Client(ClientOptions options) : pool_(std::make_shared<Pool>(std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const ClientOptions& Client::options() const noexcept {
  return pool_->options;
}
std::size_t Client::idle_connections() const {
  return pool_->idle();
}
std::uint64_t Client::connections_opened() const {
  return pool_->opened.load();
}
void Client::close() {
  pool_->clear();
}

HTTPResponse Client::send_once(const ClientRequest& req, const URL& url) {
  Pool& pool = *pool_;
  if (url.scheme != "http" && url.scheme != "https")
    throw InvalidURL("invalid URL '" + url.geturl() + "': unsupported scheme '" + url.scheme +
                     "' (http and https only)");
  check_token(req.method, "method");
  for (const auto& [name, value] : req.headers) {
    check_token(name, "header name");
    check_value(name, value);
  }
  const std::optional<URL> proxy = proxy_for(pool, url);
  const bool forward = proxy && url.scheme == "http";  // absolute-form through the proxy
  std::string key =
      url.scheme + "://" + url.host_port() + ":" + std::to_string(url.port_or_default());
  if (proxy) key += " via " + proxy->host_port() + ":" + std::to_string(proxy->port_or_default());
  const std::string what = req.method + " " + url.geturl();

  // The head, as curl and Python put it together.
  std::string head =
      req.method + " " +
      (forward ? url.scheme + "://" + url.host_port() + url.target() : url.target()) +
      " HTTP/1.1\r\n";
  if (!has_header(req.headers, "Host")) head += "Host: " + url.host_port() + "\r\n";
  if (!has_header(req.headers, "User-Agent") && !pool.options.user_agent.empty())
    head += "User-Agent: " + pool.options.user_agent + "\r\n";
  if (!has_header(req.headers, "Accept")) head += "Accept: */*\r\n";
  if (url.username && !has_header(req.headers, "Authorization"))
    head += "Authorization: " + basic_auth(url) + "\r\n";
  if (forward && proxy->username) head += "Proxy-Authorization: " + basic_auth(*proxy) + "\r\n";
  for (const auto& [name, value] : req.headers) {
    // The length is the body's: a caller's own would frame the body wrongly.
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    head.append(name).append(": ").append(value).append("\r\n");
  }
  if (req.body)
    head += "Content-Length: " + std::to_string(req.body->size()) + "\r\n";
  else if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
    head += "Content-Length: 0\r\n";
  head += "\r\n";

  const Deadline deadline = deadline_of(pool.options.timeouts.total);
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn = attempt == 0 ? pool.take(key) : nullptr;
    if (conn)
      pool.trace('*', "Reusing the connection to " + key);
    else
      conn = connect(pool, key, url, proxy, deadline, what);
    conn->arm(deadline, pool.options.timeouts.read, what);
    conn->parser.response_to(req.method);
    try {
      if (pool.options.trace) {
        std::string_view h = head;
        while (!h.empty()) {
          auto eol = h.find("\r\n");
          if (eol == 0) break;
          pool.trace('>', h.substr(0, eol));
          h.remove_prefix(eol + 2);
        }
      }
      if (req.body && req.body->size() <= 64 * 1024) {
        conn->send(head + *req.body);  // one segment for a small request
      } else {
        conn->send(head);
        if (req.body) conn->send(*req.body);
      }
      read_head(*conn, what);
    } catch (const Error&) {
      // A kept connection the server closed just as we reused it: once more on a new one, as
      // long as nothing of an answer came (the server did not act on the request).
      if (conn->reused && !conn->answered && attempt == 0) continue;
      throw;
    } catch (const RemoteDisconnected&) {
      if (conn->reused && attempt == 0) continue;
      throw;
    }
    const ResponseHead& h = conn->parser.response();
    if (pool.options.trace) {
      pool.trace('<', "HTTP/" + std::to_string(h.version.major) + "." +
                          std::to_string(h.version.minor) + " " + std::to_string(h.status) + " " +
                          std::string(h.reason));
      for (const Field& f : h.fields)
        pool.trace('<', std::string(f.name) + ": " + std::string(f.value));
    }
    HTTPResponse resp(pool_, std::move(conn));
    resp.status = h.status;
    resp.reason = std::string(h.reason);
    resp.version = h.version;
    resp.headers.reserve(h.fields.size());
    for (const Field& f : h.fields) resp.headers.emplace_back(f.name, f.value);
    resp.url = url.geturl();
    resp.method = req.method;
    resp.done_ = false;
    return resp;
  }
}

HTTPResponse Client::request(const ClientRequest& request) {
  ClientRequest req = request;
  URL url = urlsplit(req.url);
  url.fragment.reset();  // never sent
  const ClientOptions& opt = pool_->options;
  for (int redirects = 0;; ++redirects) {
    HTTPResponse resp = send_once(req, url);
    resp.redirects = redirects;
    if (!opt.follow_redirects || !is_redirect(resp.status)) return resp;
    auto location = resp.getheader("Location");
    if (!location) return resp;  // nothing to follow: the 3xx is the answer
    if (redirects >= opt.max_redirects)
      throw TooManyRedirects(req.method + " " + url.geturl() + ": more than " +
                                 std::to_string(opt.max_redirects) + " redirects",
                             resp.status, resp.reason, resp.url, resp.headers);
    URL next;
    try {
      next = urljoin(url, quote(*location, punctuation));
    } catch (const InvalidURL& e) {
      // A Location we cannot follow is the server's error, reported as urllib does.
      throw HTTPError(req.method + " " + url.geturl() + ": redirection not followed: " + e.what(),
                      resp.status, resp.reason, resp.url, resp.headers);
    }
    if (next.scheme != "http" && next.scheme != "https")
      throw HTTPError(req.method + " " + url.geturl() + ": redirection to '" + next.geturl() +
                          "' is not allowed",
                      resp.status, resp.reason, resp.url, resp.headers);
    pool_->trace('*', "Following " + std::to_string(resp.status) + " to " + next.geturl());
    // A small body is read so the connection can be reused; a large one is not worth it.
    if (auto len = resp.length(); len && *len <= 64 * 1024)
      resp.read();
    else
      resp.close();
    if (resp.status == 303 ||
        ((resp.status == 301 || resp.status == 302) && req.method != "HEAD")) {
      if (req.method != "HEAD") req.method = "GET";
      req.body.reset();
      std::erase_if(req.headers, [](const auto& h) {
        return iequals(h.first, "Content-Type") || iequals(h.first, "Content-Length");
      });
    }
    if (!next.same_origin(url)) {
      std::erase_if(req.headers, [](const auto& h) {
        return iequals(h.first, "Authorization") || iequals(h.first, "Cookie") ||
               iequals(h.first, "Proxy-Authorization");
      });
    }
    if (next.fragment) next.fragment.reset();
    url = std::move(next);
    req.url = url.geturl();
  }
}

HTTPResponse Client::request(std::string_view method, std::string_view url,
                             std::optional<std::string> body, Headers headers) {
  return request(
      ClientRequest{std::string(method), std::string(url), std::move(headers), std::move(body)});
}

HTTPResponse Client::get(std::string_view url, Headers headers) {
  return request("GET", url, std::nullopt, std::move(headers));
}

HTTPResponse Client::head(std::string_view url, Headers headers) {
  return request("HEAD", url, std::nullopt, std::move(headers));
}

HTTPResponse Client::post(std::string_view url, std::string body, std::string_view content_type,
                          Headers headers) {
  if (!has_header(headers, "Content-Type")) headers.emplace_back("Content-Type", content_type);
  return request("POST", url, std::move(body), std::move(headers));
}

namespace {
[[noreturn]] void throw_http_error(HTTPResponse& r) {
  throw HTTPError("HTTP Error " + std::to_string(r.status) + ": " + r.reason, r.status, r.reason,
                  r.url, r.headers);
}
}  // namespace

std::uint64_t Client::download(std::string_view url, const std::filesystem::path& file,
                               const ProgressCallback& progress, Headers headers) {
  HTTPResponse r = get(url, std::move(headers));
  if (r.status >= 400) throw_http_error(r);
  return r.save(file, progress);
}

HTTPResponse urlopen(std::string_view url, std::optional<std::string> data,
                     std::optional<Seconds> timeout, std::optional<tls::SSLContext> context) {
  ClientOptions opt;
  opt.timeouts.connect = timeout;
  opt.timeouts.read = timeout;
  opt.context = std::move(context);
  opt.max_idle_per_host = 0;
  Client client(std::move(opt));
  HTTPResponse r = data ? client.post(url, std::move(*data)) : client.get(url);
  if (r.status >= 400) throw_http_error(r);
  return r;
}

std::uint64_t urlretrieve(std::string_view url, const std::filesystem::path& file,
                          const ProgressCallback& progress, std::optional<Seconds> timeout) {
  ClientOptions opt;
  opt.timeouts.connect = timeout;
  opt.timeouts.read = timeout;
  opt.max_idle_per_host = 0;
  return Client(std::move(opt)).download(url, file, progress);
}

}  // namespace soket::proto::http
