// SPDX-License-Identifier: MIT
// translate_path: percent-decoding and dot-segment removal that refuses to leave the root.
#include "soket/proto/http/target_path.hpp"

#include <vector>

namespace soket::proto::http {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one raw segment (no `/` in it). Refuses what could change the path's shape after
// the split: an encoded separator, NUL, or a control character.
std::optional<std::string> decode_segment(std::string_view raw, TargetPathError& error) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const bool room = i + 2 < raw.size();
      const int hi = room ? hex_value(raw[i + 1]) : -1;
      const int lo = room ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        error = TargetPathError::bad_escape;
        return std::nullopt;
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
      if (c == '/' || c == '\\') {
        error = TargetPathError::encoded_slash;
        return std::nullopt;
      }
    }
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) {
      error = TargetPathError::nul_byte;
      return std::nullopt;
    }
    if (u < 0x20 || u == 0x7f) {
      error = TargetPathError::control_char;
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view to_string(TargetPathError e) noexcept {
  switch (e) {
    case TargetPathError::not_origin_form: return "target is not an absolute path";
    case TargetPathError::bad_escape: return "malformed percent-escape in the path";
    case TargetPathError::nul_byte: return "NUL byte in the path";
    case TargetPathError::encoded_slash: return "encoded slash in the path";
    case TargetPathError::control_char: return "control character in the path";
    case TargetPathError::outside_root: return "path leads outside the root";
  }
  return "bad path";
}

std::optional<TargetPath> translate_path(std::string_view target, TargetPathError& error) {
  const auto end = target.find_first_of("?#");
  std::string_view path = target.substr(0, end);
  if (path.empty() || path.front() != '/') {
    error = TargetPathError::not_origin_form;
    return std::nullopt;
  }
  if (path.find('\0') != std::string_view::npos) {
    error = TargetPathError::nul_byte;
    return std::nullopt;
  }
  TargetPath out;
  std::vector<std::string> segments;
  bool last_was_dir = true;  // "/" names the root, a directory
  std::size_t pos = 1;
  while (pos <= path.size()) {
    const auto slash = path.find('/', pos);
    const std::string_view raw =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    pos = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
    auto seg = decode_segment(raw, error);
    if (!seg) return std::nullopt;
    if (seg->empty() || *seg == ".") {
      last_was_dir = true;
      continue;
    }
    if (*seg == "..") {
      if (segments.empty()) {
        error = TargetPathError::outside_root;
        return std::nullopt;
      }
      segments.pop_back();
      last_was_dir = true;
      continue;
    }
    segments.push_back(std::move(*seg));
    last_was_dir = false;
  }
  for (const auto& s : segments) {
    if (!out.relative.empty()) out.relative.push_back('/');
    out.relative += s;
  }
  out.directory = last_was_dir;
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#x27;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace soket::proto::http
