// SPDX-License-Identifier: MIT
// Directory-relative file calls: openat, mkdirat, fstatat, renameat2, unlinkat, and write,
// ftruncate, fsync, fchmod for the file being received.
#include "linux/dirfd.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc 2.28)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace soket::sys {

int open_dir(const char* path, std::error_code& ec) noexcept {
  return checked(::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ec);
}

int open_subdir(int dirfd, const char* name, std::error_code& ec) noexcept {
  return checked(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ec);
}

bool make_dir(int dirfd, const char* name, unsigned mode, std::error_code& ec) noexcept {
  return checked(::mkdirat(dirfd, name, static_cast<mode_t>(mode)), ec) == 0;
}

int open_file_rw(int dirfd, const char* name, std::error_code& ec) noexcept {
  return checked(::openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), ec);
}

bool stat_entry(int dirfd, const char* name, EntryInfo& info, std::error_code& ec) noexcept {
  struct stat st {};
  info = {};
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) {
      ec.clear();
      return true;
    }
    ec = last_error();
    return false;
  }
  ec.clear();
  info.exists = true;
  info.regular = S_ISREG(st.st_mode);
  info.directory = S_ISDIR(st.st_mode);
  info.symlink = S_ISLNK(st.st_mode);
  info.size = st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return true;
}

bool rename_in(int dirfd, const char* from, const char* to, bool replace,
               std::error_code& ec) noexcept {
  return checked(::renameat2(dirfd, from, dirfd, to, replace ? 0U : RENAME_NOREPLACE), ec) == 0;
}

bool unlink_in(int dirfd, const char* name, std::error_code& ec) noexcept {
  return checked(::unlinkat(dirfd, name, 0), ec) == 0;
}

bool write_all(int fd, const void* data, std::size_t len, std::error_code& ec) noexcept {
  const auto* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (checked(n, ec) < 0) return false;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  ec.clear();
  return true;
}

bool truncate(int fd, std::uint64_t size, std::error_code& ec) noexcept {
  return checked(::ftruncate(fd, static_cast<off_t>(size)), ec) == 0;
}

bool fsync(int fd, std::error_code& ec) noexcept {
  return checked(::fsync(fd), ec) == 0;
}

bool fchmod(int fd, unsigned mode, std::error_code& ec) noexcept {
  return checked(::fchmod(fd, static_cast<mode_t>(mode)), ec) == 0;
}

}  // namespace soket::sys
