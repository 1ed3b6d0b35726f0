// SPDX-License-Identifier: MIT
// What the HTTP client throws besides soket::Error (network) and tls::SSLError: Python's
// http.client and urllib.error exceptions.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace soket::proto::http {

/// Python: http.client.HTTPException, the base of the client's protocol errors.
class HTTPException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Python: http.client.RemoteDisconnected: the server closed the connection before sending
/// any byte of a response ("Remote end closed connection without response").
class RemoteDisconnected : public HTTPException {
 public:
  using HTTPException::HTTPException;
};

/// Python: http.client.IncompleteRead: the body ended (the server closed) before the length
/// it announced. partial() bytes came; expected() more were announced (0 when unknown: a
/// chunked body cut short).
class IncompleteRead : public HTTPException {
 public:
  IncompleteRead(const std::string& what, std::uint64_t partial, std::uint64_t expected)
      : HTTPException(what), partial_(partial), expected_(expected) {}
  std::uint64_t partial() const noexcept { return partial_; }
  std::uint64_t expected() const noexcept { return expected_; }

 private:
  std::uint64_t partial_, expected_;
};

/// The response broke RFC 9112 (a bad status line, a header over the limits, Content-Length
/// with Transfer-Encoding, a bad chunk): code() is the parser's ParseError. Python's
/// BadStatusLine, LineTooLong and "got more than 100 headers" are all this one.
class ProtocolError : public HTTPException {
 public:
  ProtocolError(const std::string& what, std::error_code code) : HTTPException(what), code_(code) {}
  std::error_code code() const noexcept { return code_; }

 private:
  std::error_code code_;
};

/// Python: urllib.error.HTTPError: a final status the caller asked to treat as a failure
/// (urlopen and download: >= 400; a redirect that cannot be followed). what() is
/// "HTTP Error 404: Not Found".
class HTTPError : public HTTPException {
 public:
  HTTPError(const std::string& what, int code, std::string reason, std::string url,
            std::vector<std::pair<std::string, std::string>> headers = {})
      : HTTPException(what),
        code_(code),
        reason_(std::move(reason)),
        url_(std::move(url)),
        headers_(std::move(headers)) {}
  int code() const noexcept { return code_; }
  const std::string& reason() const noexcept { return reason_; }
  const std::string& url() const noexcept { return url_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
    return headers_;
  }

 private:
  int code_;
  std::string reason_, url_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

/// More redirects than ClientOptions::max_redirects (Python raises HTTPError with "would lead
/// to an infinite loop"; curl exits 47). code() is the last 3xx.
class TooManyRedirects : public HTTPError {
 public:
  using HTTPError::HTTPError;
};

}  // namespace soket::proto::http
