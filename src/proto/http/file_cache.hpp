// SPDX-License-Identifier: MIT
// FileCache: what StaticFiles knows about the files it served — open, stat'ed, their fields
// built, and small ones read — so that a repeated request costs one fstatat instead of two
// openat2, two fstat and two close. Internal to soket_proto.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <soket/owned_fd.hpp>
#include <soket/proto/http/document_root.hpp>
#include <soket/proto/http/mime_types.hpp>

namespace soket::proto::http::detail {

/// A regular file as served: never changed once built (shared by the loops that serve it).
struct CachedFile {
  FileStamp stamp;
  std::time_t mtime = 0;
  std::uint64_t size = 0;
  std::string etag;
  /// "Content-Type: …\r\nLast-Modified: …\r\nETag: …\r\nAccept-Ranges: bytes\r\n"
  std::string fields;
  /// A small file's bytes (`in_memory`): sent with the head in one writev.
  std::string body;
  bool in_memory = false;
  /// A larger file, open for reading: each response sends a duplicate with sendfile.
  OwnedFd fd;
};

/// Bounded (`max_entries`; 0 turns it off) and validated on every use: an entry is served
/// only while fstatat says the name still leads to the same inode with the same size, mtime
/// and ctime. Anything else (replaced, rewritten, removed, made unreadable) goes through a
/// fresh open. A file changed less than a second before it was opened is not kept: file
/// times are only as fine as the kernel's tick, so a rewrite in that window could leave the
/// stamp unchanged (git's "racy" files). Thread-safe: one mutex around the map only.
class FileCache {
 public:
  FileCache(std::size_t max_entries, std::size_t max_body_bytes);

  /// The regular file `relative` names (translate_path's output), or nullptr with `result`
  /// saying why (not_found, forbidden, other; `found` for a directory, which is not cached).
  std::shared_ptr<const CachedFile> find(const DocumentRoot& root, const std::string& relative,
                                         const MimeTypes& types, LookupResult& result);

  std::size_t size() const;

 private:
  std::shared_ptr<const CachedFile> load(const DocumentRoot& root, const std::string& relative,
                                         const MimeTypes& types, LookupResult& result) const;
  void store(const std::string& relative, std::shared_ptr<const CachedFile> entry);
  void forget(const std::string& relative);

  const std::size_t max_entries_, max_body_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CachedFile>> entries_;
};

}  // namespace soket::proto::http::detail
