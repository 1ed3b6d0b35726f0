// SPDX-License-Identifier: MIT
// Socket::sendfile: kernel zero-copy sendfile(2) with Python's fallback to read + send.
#include <soket/socket.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>

#include <soket/error.hpp>
#include <soket/owned_fd.hpp>

#include "linux/fd.hpp"
#include "linux/file.hpp"
#include "linux/poll.hpp"
#include "linux/sendfile.hpp"
#include "linux/socket.hpp"
#include "socket_call.hpp"

namespace soket {
namespace {

using sys::Want;

// One sendfile(2) call moves at most 1 GiB (bpo-38319: larger counts overflow on some systems).
constexpr std::uint64_t max_chunk = std::uint64_t{1} << 30;
// The fallback's read size: large enough to keep syscalls few, small enough for any stack.
constexpr std::size_t fallback_block = 64 * 1024;

// Python's _check_sendfile_params, as text for std::invalid_argument (Python's ValueError).
const char* check_params(Type type, const Timeout& timeout, std::optional<std::uint64_t> count) {
  if (type != Type::stream) return "sendfile: only SOCK_STREAM type sockets are supported";
  if (timeout && timeout->count() == 0) return "sendfile: non-blocking sockets are not supported";
  if (count && *count == 0) return "sendfile: count must be a positive integer";
  return nullptr;
}

// Errors after which sendfile(2) cannot work for this pair of descriptors but read + send can.
// (Python gives up on any error before the first byte; the same here, except timeouts.)
bool give_up_on_sendfile(const std::error_code& ec) {
  return ec != std::errc::timed_out;
}

}  // namespace

std::size_t Socket::sendfile(int fd, std::uint64_t offset, std::optional<std::uint64_t> count) {
  if (const char* why = check_params(type_, timeout_, count)) throw std::invalid_argument(why);
  std::error_code ec;
  std::size_t n = sendfile(fd, offset, count, ec);
  if (ec) raise(ec, "sendfile", "to");
  return n;
}

std::size_t Socket::sendfile(int fd, std::uint64_t offset, std::optional<std::uint64_t> count,
                             std::error_code& ec) noexcept {
  ec.clear();
  if (check_params(type_, timeout_, count)) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return 0;
  }
  const auto deadline = detail::deadline_for(timeout_);
  const std::uint64_t limit = count ? *count : std::numeric_limits<std::uint64_t>::max();
  std::uint64_t total = 0;
  bool seekable = true;

  // Zero-copy first, when the source is a regular file with data (st_size 0 may still be a
  // /proc file with contents: the fallback reads those).
  sys::FileInfo info;
  bool zero_copy = sys::fstat(fd, info, ec) && info.regular && info.size > 0;
  if (ec) return 0;
  while (zero_copy && total < limit) {
    std::uint64_t pos = offset + total;
    std::size_t chunk = static_cast<std::size_t>(std::min(limit - total, max_chunk));
    ssize_t n = 0;
    bool ok = detail::call(fd_, Want::write, deadline, ec, [&](std::error_code& e) {
      n = sys::sendfile(fd_, fd, &pos, chunk, e);
      return n >= 0;
    });
    if (!ok) {
      if (total == 0 && give_up_on_sendfile(ec)) {
        ec.clear();
        zero_copy = false;
        break;
      }
      break;
    }
    if (n == 0) break;  // end of file
    total += static_cast<std::uint64_t>(n);
  }

  if (!zero_copy && !ec) {
    // Python's _sendfile_use_send: read a block, send it all, one deadline for everything.
    std::unique_ptr<std::byte[]> buf(new (std::nothrow) std::byte[fallback_block]);
    if (!buf) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return 0;
    }
    while (total < limit) {
      std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(limit - total, fallback_block));
      std::uint64_t pos = offset + total;
      ssize_t got;
      do {
        got = sys::read_at(fd, buf.get(), want, seekable ? &pos : nullptr, ec);
        // A pipe or socket cannot pread: read it from where it is, if no offset was asked.
        if (got < 0 && ec == std::errc::invalid_seek && seekable && offset == 0 && total == 0) {
          seekable = false;
          got = -2;  // retry with read()
        }
      } while ((got < 0 && ec == std::errc::interrupted) || got == -2);
      if (got < 0) break;
      if (got == 0) break;  // end of file
      std::size_t done = 0;
      while (done < static_cast<std::size_t>(got)) {
        ssize_t n = 0;
        if (!detail::call(fd_, Want::write, deadline, ec, [&](std::error_code& e) {
              n = sys::sendto(fd_, buf.get() + done, static_cast<std::size_t>(got) - done, 0,
                              nullptr, 0, e);
              return n >= 0;
            }))
          break;
        done += static_cast<std::size_t>(n);
        total += static_cast<std::uint64_t>(n);
      }
      if (ec) break;
    }
  }

  // Python leaves the file position after the last byte sent, also after an error.
  if (total > 0 && seekable) {
    std::error_code ignored;
    sys::seek(fd, offset + total, ignored);
  }
  return static_cast<std::size_t>(total);
}

std::size_t Socket::sendfile(std::FILE* file, std::uint64_t offset,
                             std::optional<std::uint64_t> count) {
  if (!file) throw std::invalid_argument("sendfile: null FILE");
  if (const char* why = check_params(type_, timeout_, count)) throw std::invalid_argument(why);
  std::error_code ec;
  std::size_t n = sendfile(file, offset, count, ec);
  if (ec) raise(ec, "sendfile", "to");
  return n;
}

std::size_t Socket::sendfile(std::FILE* file, std::uint64_t offset,
                             std::optional<std::uint64_t> count, std::error_code& ec) noexcept {
  if (!file) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return 0;
  }
  std::fflush(file);  // sync the descriptor's position with the stream
  std::size_t n = sendfile(::fileno(file), offset, count, ec);
  if (ec) {
    std::fseek(file, 0, SEEK_CUR);  // drop stale buffered data; the position is the fd's
    return n;
  }
  std::fseek(file, static_cast<long>(offset + n), SEEK_SET);
  return n;
}

std::size_t Socket::sendfile(const std::filesystem::path& path, std::uint64_t offset,
                             std::optional<std::uint64_t> count) {
  if (const char* why = check_params(type_, timeout_, count)) throw std::invalid_argument(why);
  std::error_code ec;
  OwnedFd file(sys::open_read(path.c_str(), ec));
  if (!file) throw_error(ec, "sendfile: open " + path.string());
  std::size_t n = sendfile(file.get(), offset, count, ec);
  if (ec) throw_error(ec, "sendfile " + path.string());
  return n;
}

std::size_t Socket::sendfile(const std::filesystem::path& path, std::uint64_t offset,
                             std::optional<std::uint64_t> count, std::error_code& ec) noexcept {
  OwnedFd file(sys::open_read(path.c_str(), ec));
  if (!file) return 0;
  return sendfile(file.get(), offset, count, ec);
}

}  // namespace soket
