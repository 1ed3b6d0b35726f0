// SPDX-License-Identifier: MIT
// MimeTypes: the built-in table and the /etc/mime.types reader.
#include "soket/proto/http/mime_types.hpp"

#include <array>
#include <fstream>
#include <utility>

namespace soket::proto::http {
namespace {

// What a static server needs when /etc/mime.types is missing (the common web types of h2o's
// table, with the current registrations: text/javascript, font/woff2, application/wasm).
constexpr std::array<std::pair<std::string_view, std::string_view>, 34> builtin{{
    {"html", "text/html"},
    {"htm", "text/html"},
    {"css", "text/css"},
    {"js", "text/javascript"},
    {"mjs", "text/javascript"},
    {"json", "application/json"},
    {"txt", "text/plain"},
    {"md", "text/markdown"},
    {"csv", "text/csv"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/vnd.microsoft.icon"},
    {"avif", "image/avif"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
    {"c", "text/plain"},
    {"h", "text/plain"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r';
}

}  // namespace

MimeTypes::MimeTypes() {
  for (const auto& [ext, type] : builtin) types_.emplace(ext, type);
}

const MimeTypes& MimeTypes::system() {
  static const MimeTypes instance = [] {
    MimeTypes m;
    m.read("/etc/mime.types");
    return m;
  }();
  return instance;
}

bool MimeTypes::read(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return false;
  std::unordered_map<std::string, std::string> found;
  std::string line;
  while (std::getline(in, line)) {
    std::string_view rest = line;
    if (const auto hash = rest.find('#'); hash != std::string_view::npos)
      rest = rest.substr(0, hash);
    std::string_view type;
    while (!rest.empty()) {
      while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
      std::size_t n = 0;
      while (n < rest.size() && !is_space(rest[n])) ++n;
      if (n == 0) break;
      const std::string_view word = rest.substr(0, n);
      rest.remove_prefix(n);
      if (type.empty()) {
        if (word.find('/') == std::string_view::npos) break;  // not a type: skip the line
        type = word;
      } else {
        found[lower(word)] = std::string(type);
      }
    }
  }
  for (auto& [ext, type] : found) types_[ext] = std::move(type);
  return true;
}

void MimeTypes::add_type(std::string_view type, std::string_view ext) {
  if (!ext.empty() && ext.front() == '.') ext.remove_prefix(1);
  types_[lower(ext)] = std::string(type);
}

std::string_view MimeTypes::guess_type(std::string_view path, std::string_view fallback) const {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return fallback;
  const auto it = types_.find(lower(name.substr(dot + 1)));
  return it == types_.end() ? fallback : std::string_view(it->second);
}

}  // namespace soket::proto::http
