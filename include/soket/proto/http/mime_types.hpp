// SPDX-License-Identifier: MIT
// Content types by file extension (Python: mimetypes). Read from /etc/mime.types when it
// exists, over a small built-in table so a bare container still says text/html for .html.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace soket::proto::http {

/// An extension → type map. Not thread-safe while being filled; const lookups are.
class MimeTypes {
 public:
  /// The built-in table only.
  MimeTypes();

  /// The built-in table, then /etc/mime.types over it (Python: mimetypes.init()). Built once.
  static const MimeTypes& system();

  /// Python: MimeTypes.read(filename). Lines `type/subtype ext ext...`, `#` comments; later
  /// files win. Returns false (and changes nothing) when the file cannot be read.
  bool read(const std::filesystem::path& file);
  /// Python: add_type(type, ext) with ext given without its dot; case-insensitive.
  void add_type(std::string_view type, std::string_view ext);

  /// Python: guess_type(path)[0], or `fallback` when the last dot of the last segment names
  /// no known extension.
  std::string_view guess_type(std::string_view path,
                              std::string_view fallback = "application/octet-stream") const;

  std::size_t size() const noexcept { return types_.size(); }

 private:
  std::unordered_map<std::string, std::string> types_;  // lower-case ext → type
};

}  // namespace soket::proto::http
