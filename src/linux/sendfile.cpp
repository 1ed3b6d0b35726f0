// SPDX-License-Identifier: MIT
// sendfile(2) and file helpers for Socket::sendfile.
#include "linux/sendfile.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>

#include "linux/signals.hpp"

namespace soket::sys {
namespace {
std::error_code errno_code() noexcept {
  return {errno, std::system_category()};
}
}  // namespace

ssize_t sendfile(int out_fd, int in_fd, std::uint64_t* offset, std::size_t count,
                 std::error_code& ec) noexcept {
  off_t off = static_cast<off_t>(*offset);
  ssize_t n;
  {
    // sendfile(2) has no MSG_NOSIGNAL: a peer that has gone raises SIGPIPE (also along with a
    // partial count), so it is blocked and consumed here, for every caller.
    NoSigpipe no_sigpipe;
    n = ::sendfile(out_fd, in_fd, &off, count);
  }
  if (n < 0) {
    ec = errno_code();
    return n;
  }
  ec.clear();
  *offset = static_cast<std::uint64_t>(off);
  return n;
}

bool fstat(int fd, FileInfo& info, std::error_code& ec) noexcept {
  struct stat st {};
  if (::fstat(fd, &st) < 0) {
    ec = errno_code();
    return false;
  }
  ec.clear();
  info.regular = S_ISREG(st.st_mode);
  info.size = st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return true;
}

ssize_t read_at(int fd, void* buf, std::size_t len, const std::uint64_t* offset,
                std::error_code& ec) noexcept {
  ssize_t n = offset ? ::pread(fd, buf, len, static_cast<off_t>(*offset)) : ::read(fd, buf, len);
  if (n < 0)
    ec = errno_code();
  else
    ec.clear();
  return n;
}

bool seek(int fd, std::uint64_t offset, std::error_code& ec) noexcept {
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    ec = errno_code();
    return false;
  }
  ec.clear();
  return true;
}

int open_read(const char* path, std::error_code& ec) noexcept {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    ec = errno_code();
  else
    ec.clear();
  return fd;
}

}  // namespace soket::sys
