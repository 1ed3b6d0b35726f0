// SPDX-License-Identifier: MIT
// Client: Python's http.client and urllib.request in one object — requests over a keep-alive
// pool per host, redirects, timeouts, proxies from the environment, HTTPS verified by default,
// streaming bodies and downloads to a file — plus the one-call helpers urlopen/urlretrieve.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <soket/proto/http/client_errors.hpp>
#include <soket/proto/http/limits.hpp>
#include <soket/proto/http/message.hpp>
#include <soket/proto/http/url.hpp>
#include <soket/tls/context.hpp>

namespace soket::proto::http {

/// Header fields in order, names as given (compared case-insensitively).
using Headers = std::vector<std::pair<std::string, std::string>>;
using Seconds = std::chrono::duration<double>;

/// Each one absent means "no limit" (Python's default: block). Expiry is soket::TimeoutError.
struct Timeouts {
  /// Resolving + TCP connect + TLS handshake (+ a proxy's CONNECT), per connection.
  std::optional<Seconds> connect;
  /// Each wait for the server's bytes, and each send (Python's `timeout`, curl has none).
  std::optional<Seconds> read;
  /// The whole request from the first connect until its body is read, redirects included
  /// (curl's --max-time).
  std::optional<Seconds> total;
};

/// The limits a client puts on responses: Python's (_MAXLINE 65536 per line, 100 fields), a
/// 256 KiB head, and no limit on the body (a download may be larger than any upload).
Limits client_limits() noexcept;

/// What `trace` receives: '>' a line of the request head, '<' a line of the response head,
/// '*' what the client does (connecting, reusing, redirecting) — curl -v's marks.
using TraceCallback = std::function<void(char mark, std::string_view line)>;
/// Called as a body arrives: bytes so far, and the total when Content-Length gave it.
using ProgressCallback =
    std::function<void(std::uint64_t done, std::optional<std::uint64_t> total)>;

struct ClientOptions {
  Timeouts timeouts;
  /// Follow 301/302/303/307/308 (303, and 301/302 for anything but HEAD, become a body-less
  /// GET; 307/308 keep the method and body). Credentials (Authorization, Cookie) are not sent
  /// to another origin (curl's rule; Python's urllib keeps them).
  bool follow_redirects = true;
  int max_redirects = 10;  // urllib's; more is TooManyRedirects
  /// Idle keep-alive connections kept per scheme://host:port (0: close after each response).
  std::size_t max_idle_per_host = 4;
  /// HTTPS: the TLS context. None: tls::create_default_context() (the system's CAs, hostname
  /// checked): verification is on unless the caller gives a context without it.
  std::optional<tls::SSLContext> context;
  /// scheme → proxy URL, and "no" → no_proxy, as getproxies_environment() returns them. None:
  /// read from the environment when the client is made. An empty map: no proxy.
  std::optional<std::map<std::string, std::string>> proxies;
  Limits limits = client_limits();
  std::string user_agent = "soket-http";
  TraceCallback trace;
};

/// One request. A body goes out with Content-Length; POST, PUT and PATCH without one send
/// `Content-Length: 0` (as Python). Host, User-Agent and Accept are added unless given.
struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::optional<std::string> body;
};

namespace detail {
class Connection;
class Pool;
}  // namespace detail

/// Python: http.client.HTTPResponse: the status and head are read; the body is read on
/// demand (read, read_piece, save). When the body has been read to its end, the connection
/// goes back to the client's pool (if the server keeps it alive); closing a response or
/// dropping it early closes its connection instead. Move-only. One thread at a time.
class HTTPResponse {
 public:
  HTTPResponse(HTTPResponse&&) noexcept;
  HTTPResponse& operator=(HTTPResponse&&) noexcept;
  HTTPResponse(const HTTPResponse&) = delete;
  HTTPResponse& operator=(const HTTPResponse&) = delete;
  ~HTTPResponse();

  int status = 0;
  std::string reason;
  Version version;
  Headers headers;
  std::string url;     // the final URL (after redirects)
  std::string method;  // the method of the request this answers
  int redirects = 0;   // how many were followed

  /// Python: getheader(name): the first field with that name (case-insensitive).
  std::optional<std::string> getheader(std::string_view name) const;
  /// The body's Content-Length, when the response has one.
  std::optional<std::uint64_t> length() const noexcept;

  /// The next piece of the body, without a copy; valid until the next call. Empty at the end.
  /// Throws IncompleteRead when the server closes before the end, ProtocolError for a broken
  /// framing (a bad chunk), soket::TimeoutError, soket::Error.
  std::string_view read_piece();
  /// Python: read(): the rest of the body. read(amt): at most amt bytes ("" at the end).
  std::string read();
  std::string read(std::size_t amt);
  /// Python: readinto(b): bytes copied into `buffer`, 0 at the end.
  std::size_t readinto(std::span<char> buffer);
  /// Writes the rest of the body to `file` (created or truncated; on failure nothing is left
  /// at that path: the body goes to a temporary file beside it, renamed at the end). Returns
  /// the bytes written.
  std::uint64_t save(const std::filesystem::path& file, const ProgressCallback& progress = {});
  /// Whether the whole body has been read.
  bool done() const noexcept { return done_; }
  std::uint64_t bytes_read() const noexcept { return body_read_; }
  /// Python: close(): drops the rest of the body and the connection.
  void close() noexcept;

 private:
  friend class Client;
  HTTPResponse(std::shared_ptr<detail::Pool> pool, std::unique_ptr<detail::Connection> conn);
  void finish();

  std::shared_ptr<detail::Pool> pool_;
  std::unique_ptr<detail::Connection> conn_;
  std::string_view pending_;  // a piece not yet handed out (inside conn_'s buffer)
  bool done_ = true;
  std::uint64_t body_read_ = 0;
};

/// The client: Python's urllib.request.OpenerDirector with http.client's connections under it.
/// Connections to each scheme://host:port (or proxy) are reused while their server keeps them
/// alive; a request on a reused connection that the server had closed is retried once on a
/// new one, if no byte of an answer came.
///
/// Thread rules: request() may be called from several threads at once (the pool is locked);
/// each HTTPResponse is used by one thread at a time. Responses may outlive the Client.
class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  /// Sends the request and reads the response head, following redirects. Does not throw for
  /// an HTTP status (a 404 is a HTTPResponse); throws InvalidURL, soket::Error (connect, reset,
  /// gaierror), soket::TimeoutError, tls::SSLError (a certificate not verified),
  /// RemoteDisconnected, ProtocolError, TooManyRedirects, HTTPError (a redirect to a scheme
  /// other than http/https).
  HTTPResponse request(const ClientRequest& request);
  HTTPResponse request(std::string_view method, std::string_view url,
                       std::optional<std::string> body = std::nullopt, Headers headers = {});
  HTTPResponse get(std::string_view url, Headers headers = {});
  HTTPResponse head(std::string_view url, Headers headers = {});
  HTTPResponse post(std::string_view url, std::string body,
                    std::string_view content_type = "application/x-www-form-urlencoded",
                    Headers headers = {});
  /// GET url into `file` (see HTTPResponse::save); HTTPError for a status >= 400 (no file).
  std::uint64_t download(std::string_view url, const std::filesystem::path& file,
                         const ProgressCallback& progress = {}, Headers headers = {});

  /// Idle connections in the pool (all hosts).
  std::size_t idle_connections() const;
  /// Connections opened so far (a reused connection is not counted again).
  std::uint64_t connections_opened() const;
  /// Closes the idle connections.
  void close();
  const ClientOptions& options() const noexcept;

 private:
  HTTPResponse send_once(const ClientRequest& request, const URL& url);
  std::shared_ptr<detail::Pool> pool_;
};

/// Python: urllib.request.urlopen(url, data=None, timeout, context=None): GET (POST with data,
/// form-urlencoded), redirects followed, HTTPError for a final status >= 400. The timeout is
/// Python's: connect and each read.
HTTPResponse urlopen(std::string_view url, std::optional<std::string> data = std::nullopt,
                     std::optional<Seconds> timeout = std::nullopt,
                     std::optional<tls::SSLContext> context = std::nullopt);

/// Python: urllib.request.urlretrieve(url, filename, reporthook): downloads into `file`;
/// returns the bytes written. HTTPError for a status >= 400.
std::uint64_t urlretrieve(std::string_view url, const std::filesystem::path& file,
                          const ProgressCallback& progress = {},
                          std::optional<Seconds> timeout = std::nullopt);

}  // namespace soket::proto::http
