// SPDX-License-Identifier: MIT
// From a request-target to a path under a document root that cannot leave it (Python:
// http.server.SimpleHTTPRequestHandler.translate_path, made strict).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::http {

/// Why a target was refused. Every case answers 400 except `outside_root` (403 in the file
/// handler: the request is well-formed, the place it names is off limits).
enum class TargetPathError : std::uint8_t {
  not_origin_form,  // not `/...` (absolute-form is the caller's to reduce to its path)
  bad_escape,       // `%` not followed by two hex digits
  nul_byte,         // a NUL, sent raw or as %00
  encoded_slash,    // %2F or %5C: a separator that the client hid from normalisation
  control_char,     // a decoded control character (CR, LF, DEL...) in a segment
  outside_root,     // `..` (plain or %2e%2e) that would climb above the root
};

std::string_view to_string(TargetPathError e) noexcept;

/// A normalised relative path: segments joined by `/`, no `.`, `..` or empty segment, no
/// leading slash (the root itself is ""). `directory` is true when the target ended in `/`.
struct TargetPath {
  std::string relative;
  bool directory = false;
};

/// Strips the query, percent-decodes each segment once, and resolves `.` and `..` lexically.
/// Symlinks are the opener's business (DocumentRoot); this is the pure, fuzzed part.
std::optional<TargetPath> translate_path(std::string_view target, TargetPathError& error);

/// `&`, `<`, `>`, `"` and `'` as character references (Python: html.escape(s, quote=True)).
std::string html_escape(std::string_view s);

}  // namespace soket::proto::http
