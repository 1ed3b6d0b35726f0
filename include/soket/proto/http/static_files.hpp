// SPDX-License-Identifier: MIT
// StaticFiles: what to answer to a GET or HEAD for a file under a document root (Python:
// http.server.SimpleHTTPRequestHandler's send_head), as a plan the server carries out:
// status, fields, and a body that is either text or a span of an open file (for sendfile).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "soket/owned_fd.hpp"
#include "soket/proto/http/document_root.hpp"
#include "soket/proto/http/mime_types.hpp"
#include "soket/proto/http/request.hpp"
#include "soket/proto/http/response.hpp"

namespace soket::proto::http {
namespace detail {
class FileCache;
}

/// The answer StaticFiles::respond() decides on. The server adds Date, Server, Content-Length
/// (`body.size()` or `file_length`) and the connection fields.
struct FileResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> fields;
  /// Text body (listings, redirects, errors); empty when the body is the file.
  std::string body;
  /// The file to send with sendfile: `file_length` bytes from `file_offset`. Invalid when the
  /// body is text. For HEAD and 304 the file is not kept open.
  OwnedFd file;
  std::uint64_t file_offset = 0;
  std::uint64_t file_length = 0;
  /// HEAD: send the fields (with the Content-Length a GET would get), no body.
  bool head = false;

  bool has_file() const noexcept { return static_cast<bool>(file); }
  /// The Content-Length a GET gets for this answer.
  std::uint64_t content_length() const noexcept { return has_file() ? file_length : body.size(); }
};

/// Serves one directory: a Handler for http::Server or a Router route.
///
///   http::StaticFiles files("/srv/www");
///   http::Server server(Address("127.0.0.1", 8000), std::ref(files));
///
/// Thread-safe: respond() only reads (the loops of a multi-loop Server may share one).
class StaticFiles {
 public:
  struct Options {
    /// Files tried, in order, for a directory request (Python: index.html, index.htm).
    std::vector<std::string> index_files{"index.html", "index.htm"};
    /// Answer a directory without an index file with an HTML listing (else 403).
    bool list_directories = true;
    /// Follow symlinks that lead out of the root (DocumentRoot::Options).
    bool follow_symlinks_out = false;
    /// More ranges than this in one Range field: answer 200 with the whole file.
    std::size_t max_ranges = 16;
    /// Files the handler keeps open and stat'ed between requests (0: none, every request
    /// opens). An entry is checked with one fstatat on each use and dropped when the file was
    /// replaced, rewritten or removed, so answers always follow the file system.
    std::size_t cache_entries = 256;
    /// Cached files up to this size are kept in memory and sent with the head in one write
    /// (larger ones keep a descriptor open and go by sendfile).
    std::size_t cache_body_bytes = 16 << 10;
  };

  /// Throws soket::Error when `root` cannot be opened as a directory.
  explicit StaticFiles(const std::filesystem::path& root);
  StaticFiles(const std::filesystem::path& root, Options options,
              const MimeTypes& types = MimeTypes::system());

  ~StaticFiles();
  StaticFiles(StaticFiles&&) noexcept;

  /// The answer to `request` (its method, target, and conditional and Range fields). Only GET
  /// and HEAD are served (405 with Allow otherwise). Never throws for what a client sends; a
  /// failing system call gives 500. Opens the file afresh (the cache is operator()'s).
  FileResponse respond(const Request& request) const;

  /// Handler: a plain GET or HEAD of a file from the cache (Options::cache_entries); anything
  /// else (conditional, Range, directories, errors) respond(), then the plan sent on
  /// `response` (send_file for a file body).
  void operator()(const Request& request, Response& response) const;

  const DocumentRoot& root() const noexcept { return root_; }
  /// How many files the cache holds now (at most Options::cache_entries).
  std::size_t cached_files() const;

 private:
  FileResponse serve_file(RootFile file, std::string_view relative, bool head,
                          const Request& request) const;
  FileResponse serve_directory(RootFile dir, std::string_view target_path,
                               const std::string& relative, bool head,
                               const Request& request) const;

  bool serve_cached(const Request& request, Response& response) const;

  DocumentRoot root_;
  Options options_;
  const MimeTypes& types_;
  std::unique_ptr<detail::FileCache> cache_;
};

}  // namespace soket::proto::http
