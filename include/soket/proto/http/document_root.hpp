// SPDX-License-Identifier: MIT
// DocumentRoot: a directory whose files a server hands out, opened so that no request can reach
// anything outside it (symlinks included) and nothing but regular files and directories.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "soket/owned_fd.hpp"

namespace soket::proto::http {

/// What says that a file is still the one that was opened: the same inode, size and times
/// (a rename over it changes the inode; a rewrite in place changes ctime).
struct FileStamp {
  std::uint64_t dev = 0, ino = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// A regular file or directory found under the root, open. `fd` reads the file (for a
/// directory it is an O_PATH handle). Move-only through `fd`.
struct RootFile {
  OwnedFd fd;
  bool directory = false;
  std::uint64_t size = 0;
  std::time_t mtime = 0;
  FileStamp stamp;  // of what `fd` holds
};

/// One directory entry for a listing: a trailing `/` on directories and `@` on symlinks is
/// the renderer's business (Python's list_directory).
struct RootEntry {
  std::string name;
  bool directory = false;
  bool symlink = false;
  std::uint64_t size = 0;
};

/// How a lookup failed, for the status code: not_found → 404, forbidden → 403, other → 500
/// (with the errno in the error_code).
enum class LookupResult : std::uint8_t { found, not_found, forbidden, other };

/// The open root directory. Thread-safe: lookups only read (openat2 relative to one fd).
class DocumentRoot {
 public:
  struct Options {
    /// Follow symlinks whose target is outside the root (off: such links answer 403; links
    /// that stay inside are always followed).
    bool follow_symlinks_out = false;
  };

  /// Opens `dir`; throws soket::Error (Python's OSError) naming it when it cannot be opened
  /// or is not a directory.
  explicit DocumentRoot(const std::filesystem::path& dir);
  DocumentRoot(const std::filesystem::path& dir, Options options);

  /// Opens `relative` (translate_path's output: no `..`, no leading `/`; "" is the root).
  /// Devices, FIFOs and sockets are forbidden and never opened for reading.
  LookupResult open(const std::string& relative, RootFile& out, std::error_code& ec) const;

  /// The stamp of what `relative` names now (one fstatat, symlinks followed), to compare with
  /// a RootFile's: a cache's cheap check that its open file is still the one to serve. Never
  /// a way to open: a name that leads out of the root stamps a file that was never opened.
  bool stamp(const std::string& relative, FileStamp& out, std::error_code& ec) const;

  /// The entries of an open directory, sorted by name (Python sorts with key=str.lower; soket
  /// sorts bytewise, which is stable for every encoding).
  std::vector<RootEntry> list(const RootFile& dir, std::error_code& ec) const;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  OwnedFd fd_;
  Options options_;
};

/// An HTML page listing `entries` under the heading `Directory listing for <display_path>`
/// (Python's list_directory layout). Names are percent-encoded in links and HTML-escaped in
/// text, so a file called `<script>` or `a"b` cannot break out of the page.
std::string render_directory_listing(std::string_view display_path,
                                     const std::vector<RootEntry>& entries);

}  // namespace soket::proto::http
