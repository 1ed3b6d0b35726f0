// SPDX-License-Identifier: MIT
// HTTPResponse: the body, read piece by piece from the connection's buffer, and the connection
// given back to the pool at its end.
#include <soket/proto/http/client.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

#include "proto/http/client_connection.hpp"

namespace soket::proto::http {

HTTPResponse::HTTPResponse(std::shared_ptr<detail::Pool> pool,
                           std::unique_ptr<detail::Connection> conn)
    : pool_(std::move(pool)), conn_(std::move(conn)) {}

HTTPResponse::HTTPResponse(HTTPResponse&&) noexcept = default;
HTTPResponse& HTTPResponse::operator=(HTTPResponse&&) noexcept = default;
HTTPResponse::~HTTPResponse() = default;

std::optional<std::string> HTTPResponse::getheader(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

std::optional<std::uint64_t> HTTPResponse::length() const noexcept {
  // The parser has checked the field (one value, digits only, no overflow) before the head
  // was handed out.
  for (const auto& [n, v] : headers) {
    if (!iequals(n, "Content-Length")) continue;
    std::uint64_t value = 0;
    for (char c : v) value = value * 10 + static_cast<std::uint64_t>(c - '0');
    return value;
  }
  return std::nullopt;
}

void HTTPResponse::close() noexcept {
  conn_.reset();
  pending_ = {};
  done_ = true;
}

// The body's end: the connection goes back to the pool when the server keeps it open and
// sent nothing more (bytes beyond the response would be taken for the next one's).
void HTTPResponse::finish() {
  done_ = true;
  pending_ = {};
  if (!conn_) return;
  const bool keep = conn_->parser.response().keep_alive && conn_->input().empty();
  if (keep && pool_ && pool_->options.max_idle_per_host > 0) pool_->put(std::move(conn_));
  conn_.reset();
}

std::string_view HTTPResponse::read_piece() {
  if (!pending_.empty()) {
    std::string_view p = pending_;
    pending_ = {};
    return p;
  }
  if (done_ || !conn_) return {};
  detail::Connection& c = *conn_;
  for (;;) {
    Result r = c.parser.parse(c.input());
    c.consume(r.consumed);
    switch (r.event) {
      case Event::body:
        if (r.data.empty()) break;
        body_read_ += r.data.size();
        return r.data;
      case Event::end: finish(); return {};
      case Event::head: break;  // not after the head
      case Event::error: {
        auto ec = c.parser.error();
        close();
        throw ProtocolError("bad response body: " + ec.message(), ec);
      }
      case Event::need_more:
        if (c.fill() == 0) {
          Result f = c.parser.finish();
          if (f.event == Event::end) {
            finish();
            return {};
          }
          const ResponseHead& h = c.parser.response();
          std::uint64_t expected = h.body == BodyKind::length ? h.content_length - body_read_ : 0;
          std::uint64_t got = body_read_;
          close();
          throw IncompleteRead("incomplete read: " + std::to_string(got) + " bytes read" +
                                   (expected ? ", " + std::to_string(expected) + " more expected"
                                             : ", the chunked body did not end"),
                               got, expected);
        }
        break;
    }
  }
}

std::string HTTPResponse::read() {
  std::string out;
  if (auto len = length(); len && *len > body_read_ && *len - body_read_ < (std::uint64_t{1} << 30))
    out.reserve(static_cast<std::size_t>(*len - body_read_));
  for (std::string_view p = read_piece(); !p.empty(); p = read_piece()) out.append(p);
  return out;
}

std::string HTTPResponse::read(std::size_t amt) {
  std::string out;
  while (out.size() < amt) {
    std::string_view p = read_piece();
    if (p.empty()) break;
    std::size_t take = std::min(p.size(), amt - out.size());
    out.append(p.substr(0, take));
    if (take < p.size()) pending_ = p.substr(take);
  }
  return out;
}

std::size_t HTTPResponse::readinto(std::span<char> buffer) {
  std::size_t n = 0;
  while (n < buffer.size()) {
    std::string_view p = read_piece();
    if (p.empty()) break;
    std::size_t take = std::min(p.size(), buffer.size() - n);
    std::memcpy(buffer.data() + n, p.data(), take);
    n += take;
    if (take < p.size()) {
      pending_ = p.substr(take);
      break;
    }
  }
  return n;
}

std::uint64_t HTTPResponse::save(const std::filesystem::path& file,
                                 const ProgressCallback& progress) {
  // The body goes to a temporary name beside the file and is renamed at the end, so a failed
  // download never leaves a truncated file under the name asked for.
  std::random_device rd;
  std::filesystem::path part = file;
  part += ".soket-part-" + std::to_string(rd() % 1000000);
  std::FILE* out = std::fopen(part.c_str(), "wb");
  if (!out) throw std::system_error(errno, std::generic_category(), "open " + part.string());
  std::setvbuf(out, nullptr, _IONBF, 0);  // pieces are large: write them as they come
  std::uint64_t written = 0;
  const std::optional<std::uint64_t> total = length();
  try {
    if (progress) progress(0, total);
    for (std::string_view p = read_piece(); !p.empty(); p = read_piece()) {
      if (std::fwrite(p.data(), 1, p.size(), out) != p.size())
        throw std::system_error(errno, std::generic_category(), "write " + part.string());
      written += p.size();
      if (progress) progress(written, total);
    }
    if (std::fclose(out) != 0) {
      out = nullptr;
      throw std::system_error(errno, std::generic_category(), "close " + part.string());
    }
    out = nullptr;
    std::filesystem::rename(part, file);
  } catch (...) {
    if (out) std::fclose(out);
    std::error_code ec;
    std::filesystem::remove(part, ec);
    throw;
  }
  return written;
}

}  // namespace soket::proto::http
