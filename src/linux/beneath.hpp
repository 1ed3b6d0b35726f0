// SPDX-License-Identifier: MIT
// Opening names under a directory without leaving it: openat2(2) with RESOLVE_BENEATH, the
// stat a file server needs, and a directory's entries. Internal: never installed.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <system_error>
#include <vector>

#include "linux/result.hpp"

namespace soket::sys {

enum class NodeKind : std::uint8_t { regular, directory, symlink, other };

struct NodeInfo {
  NodeKind kind = NodeKind::other;
  std::uint64_t size = 0;
  std::time_t mtime = 0;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  // Nanoseconds since the epoch: a file cache compares them to see a rewrite in place.
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
};

/// How far a symlink under the root may lead.
enum class SymlinkPolicy : std::uint8_t {
  stay_beneath,  // followed while the target stays under the root, else EXDEV
  anywhere,      // followed anywhere (the caller's `path` holds no `..`)
};

/// openat2(root_fd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): `path` relative,
/// "" for the root itself. `for_reading` false gives an O_PATH descriptor (no open(2) side
/// effects on devices or FIFOs: stat it before opening it for reading). Where openat2 is
/// missing (ENOSYS), every component is opened with O_NOFOLLOW, so any symlink is refused
/// with ELOOP. Returns the fd or -1.
int open_beneath(int root_fd, const std::string& path, bool for_reading, SymlinkPolicy policy,
                 std::error_code& ec) noexcept;

/// fstat(2) of any descriptor, O_PATH ones included.
bool stat_fd(int fd, NodeInfo& info, std::error_code& ec) noexcept;

/// fstatat(root_fd, path, 0): symlinks followed wherever they lead, so use it only to compare
/// with a file opened by open_beneath (a cache's validation), never to decide what to open.
bool stat_at(int root_fd, const std::string& path, NodeInfo& info, std::error_code& ec) noexcept;

struct DirEntryInfo {
  std::string name;
  NodeInfo info;  // of the entry itself (a symlink is NodeKind::symlink)
};

/// The entries of the directory `dir_fd` (not `.` or `..`), unsorted, each with
/// fstatat(AT_SYMLINK_NOFOLLOW). Entries that vanish while being read are skipped.
bool list_dir(int dir_fd, std::vector<DirEntryInfo>& out, std::error_code& ec);

}  // namespace soket::sys
