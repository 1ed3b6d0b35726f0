// SPDX-License-Identifier: MIT
// Regular-file calls: what Socket::sendfile needs to open, inspect, read and position a source
// file. Internal: never installed.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "linux/result.hpp"

namespace soket::sys {

/// open(2) read-only, close-on-exec. Returns the fd or -1.
int open_read(const char* path, std::error_code& ec) noexcept;

/// What sendfile needs to know about a source file.
struct FileInfo {
  bool regular = false;    ///< S_ISREG: sendfile(2) can read it with offsets
  std::uint64_t size = 0;  ///< st_size
};
bool fstat(int fd, FileInfo& info, std::error_code& ec) noexcept;

/// pread(2), or read(2) when `offset` is null (pipes, sockets). Retries nothing.
ssize_t read_at(int fd, void* buf, std::size_t len, const std::uint64_t* offset,
                std::error_code& ec) noexcept;
/// write(2) to any descriptor (stdout, a pipe, a file). Retries nothing; a pipe whose reader
/// has gone raises SIGPIPE unless the caller holds a NoSigpipe (signals.hpp).
ssize_t write_some(int fd, const void* buf, std::size_t len, std::error_code& ec) noexcept;

/// lseek(fd, offset, SEEK_SET); ESPIPE for pipes.
bool seek(int fd, std::uint64_t offset, std::error_code& ec) noexcept;

}  // namespace soket::sys
