// SPDX-License-Identifier: MIT
// The parts of an HTTP/1.1 message head the parser hands out: views into the caller's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace soket::proto::http {

/// One field line: the name as sent (compare it case-insensitively), the value without its
/// leading and trailing whitespace (RFC 9112 §5). Both view the caller's input buffer.
struct Field {
  std::string_view name;
  std::string_view value;
};

/// `HTTP/major.minor`. A request's HTTP/1.2 means 1.1's semantics (RFC 9112 §2.3); the parser
/// keeps the digits as sent.
struct Version {
  int major = 1;
  int minor = 1;
};

/// How the body's length is known (RFC 9112 §6.3).
enum class BodyKind : std::uint8_t {
  none,         // no body (no framing field; HEAD, 1xx, 204 and 304 responses)
  length,       // Content-Length: content_length bytes
  chunked,      // Transfer-Encoding: chunked, with trailers
  until_close,  // a response without framing: everything until the peer closes
};

/// The request-target's form (RFC 9112 §3.2).
enum class TargetForm : std::uint8_t {
  origin,     // /path?query
  absolute,   // http://host/path?query (its authority replaces Host)
  authority,  // host:port, CONNECT only
  asterisk,   // *, OPTIONS only
};

/// Case-insensitive ASCII comparison (field names, coding names).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// The value of the first field named `name` (case-insensitive), if any.
std::optional<std::string_view> find_field(std::span<const Field> fields,
                                           std::string_view name) noexcept;

/// What the request and response heads share. `fields` views the parser's storage, whose
/// string_views view the caller's input buffer.
struct MessageHead {
  Version version;
  std::span<const Field> fields;
  BodyKind body = BodyKind::none;
  std::uint64_t content_length = 0;  // when body == length
  /// Whether the connection stays open after this message (RFC 9112 §9.3): HTTP/1.1 unless
  /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`; never when the body
  /// runs until close.
  bool keep_alive = true;
  /// `Connection: upgrade` with an Upgrade field (requests), a 101 answer or a 2xx answer to
  /// CONNECT (responses): after this message the bytes are no longer HTTP.
  bool upgrade = false;

  std::optional<std::string_view> field(std::string_view name) const noexcept {
    return find_field(fields, name);
  }
};

struct RequestHead : MessageHead {
  std::string_view method;  // case-sensitive (RFC 9110 §9.1)
  std::string_view target;  // as sent; not percent-decoded
  TargetForm form = TargetForm::origin;
  /// The authority the request is for: the absolute-form target's if it has one, else the
  /// Host field (RFC 9112 §3.2.2). Empty for an HTTP/1.0 request without Host.
  std::string_view host;
  /// `Expect: 100-continue` on an HTTP/1.1 request with a body: send `100 Continue` before
  /// reading the body, or answer at once (RFC 9110 §10.1.1).
  bool expect_continue = false;
};

struct ResponseHead : MessageHead {
  int status = 0;           // 100-999
  std::string_view reason;  // may be empty; a client ignores it (RFC 9112 §4)
};

}  // namespace soket::proto::http
