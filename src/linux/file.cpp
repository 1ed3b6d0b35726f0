// SPDX-License-Identifier: MIT
// Regular-file calls: open, fstat, pread, lseek.
#include "linux/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace soket::sys {

int open_read(const char* path, std::error_code& ec) noexcept {
  return checked(::open(path, O_RDONLY | O_CLOEXEC), ec);
}

bool fstat(int fd, FileInfo& info, std::error_code& ec) noexcept {
  struct stat st {};
  if (checked(::fstat(fd, &st), ec) < 0) return false;
  info.regular = S_ISREG(st.st_mode);
  info.size = st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return true;
}

ssize_t read_at(int fd, void* buf, std::size_t len, const std::uint64_t* offset,
                std::error_code& ec) noexcept {
  return checked(offset ? ::pread(fd, buf, len, static_cast<off_t>(*offset)) : ::read(fd, buf, len),
                 ec);
}

ssize_t write_some(int fd, const void* buf, std::size_t len, std::error_code& ec) noexcept {
  return checked(::write(fd, buf, len), ec);
}

bool seek(int fd, std::uint64_t offset, std::error_code& ec) noexcept {
  return checked(::lseek(fd, static_cast<off_t>(offset), SEEK_SET), ec) >= 0;
}

}  // namespace soket::sys
