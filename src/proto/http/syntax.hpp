// SPDX-License-Identifier: MIT
// The grammar checks the parser runs on a whole element once it has it: request-target forms,
// Host, Content-Length, Transfer-Encoding and Connection lists (RFC 9110, 9112, 3986).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <soket/proto/http/message.hpp>
#include <soket/proto/http/parse_error.hpp>

namespace soket::proto::http::detail {

/// The methods RFC 9110 §9 and RFC 5789 (PATCH) define; others get 501 unless allowed.
bool known_method(std::string_view method) noexcept;

/// `HTTP/` DIGIT `.` DIGIT, exactly (RFC 9112 §2.3).
bool valid_version(std::string_view v) noexcept;

/// uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2): a reg-name, an IPv4 address or a
/// bracketed IP literal; the port all digits, at most 65535. Empty is valid (§3.2).
bool valid_host(std::string_view host) noexcept;

/// The request-target's form, or nothing if it is not valid for `method` (RFC 9112 §3.2).
/// `authority` gets the authority the target names (absolute and authority forms), relative
/// to the target's start.
struct Target {
  TargetForm form;
  std::size_t authority = 0, authority_len = 0;
};
std::optional<Target> check_target(std::string_view method, std::string_view target) noexcept;

/// Content-Length: 1*DIGIT with an overflow check (RFC 9110 §8.6). Returns the error, if any.
std::optional<ParseError> parse_content_length(std::string_view v, std::uint64_t& out) noexcept;

/// What a Transfer-Encoding list said, accumulated over all its field lines (RFC 9112 §6.1).
struct Codings {
  std::uint8_t chunked = 0;   // times chunked appeared (capped)
  bool last_chunked = false;  // the last coding so far is chunked
  bool other = false;         // some other coding (soket decodes none)
};
/// Adds one field line's list; false when it is not 1#transfer-coding.
bool add_codings(std::string_view v, Codings& c) noexcept;

/// Connection's options that matter to framing (RFC 9112 §9.3, RFC 9110 §7.6.1).
struct ConnectionOptions {
  bool close = false, keep_alive = false, upgrade = false;
};
void add_connection_options(std::string_view v, ConnectionOptions& c) noexcept;

}  // namespace soket::proto::http::detail
