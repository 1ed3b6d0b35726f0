// SPDX-License-Identifier: MIT
// Directory-relative file calls (the *at(2) family) and the calls that make a received file
// durable: what a receiver needs to keep every name inside the folder it was given, and to
// make a file appear only when it is complete. Internal: never installed.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// open(path, O_DIRECTORY) — the receive folder itself (a symlink here is the user's choice).
int open_dir(const char* path, std::error_code& ec) noexcept;
/// openat(dirfd, name, O_DIRECTORY | O_NOFOLLOW): one component, never through a symlink.
int open_subdir(int dirfd, const char* name, std::error_code& ec) noexcept;
/// mkdirat(2); EEXIST is reported like any error.
bool make_dir(int dirfd, const char* name, unsigned mode, std::error_code& ec) noexcept;
/// openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW, 0600): a regular file, never a symlink.
int open_file_rw(int dirfd, const char* name, std::error_code& ec) noexcept;

/// What fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW) says; exists == false on ENOENT.
struct EntryInfo {
  bool exists = false;
  bool regular = false;
  bool directory = false;
  bool symlink = false;
  std::uint64_t size = 0;
};
bool stat_entry(int dirfd, const char* name, EntryInfo& info, std::error_code& ec) noexcept;

/// renameat2(2) within one directory; `replace` false adds RENAME_NOREPLACE (EEXIST if taken).
bool rename_in(int dirfd, const char* from, const char* to, bool replace,
               std::error_code& ec) noexcept;
/// unlinkat(dirfd, name, 0).
bool unlink_in(int dirfd, const char* name, std::error_code& ec) noexcept;

/// write(2) of the whole buffer (short writes continued, EINTR retried); false on error.
bool write_all(int fd, const void* data, std::size_t len, std::error_code& ec) noexcept;
bool truncate(int fd, std::uint64_t size, std::error_code& ec) noexcept;
bool fsync(int fd, std::error_code& ec) noexcept;
bool fchmod(int fd, unsigned mode, std::error_code& ec) noexcept;

}  // namespace soket::sys
