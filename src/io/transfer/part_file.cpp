// SPDX-License-Identifier: MIT
// PartFile: write under a temporary name, fsync, rename into place.
#include <soket/io/transfer/part_file.hpp>

#include <soket/error.hpp>

#include "linux/dirfd.hpp"
#include "linux/fd.hpp"
#include "linux/file.hpp"

namespace soket::transfer {

std::string part_name(const std::string& leaf) {
  return "." + leaf + ".soket-part";
}

PartFile::PartFile(int dir, std::string leaf, bool keep) : leaf_(std::move(leaf)) {
  std::error_code ec;
  dir_ = OwnedFd(sys::dup(dir, ec));
  if (ec) throw_error(ec, leaf_);
  std::string part = part_name(leaf_);
  fd_ = OwnedFd(sys::open_file_rw(dir_.get(), part.c_str(), ec));
  if (ec) throw_error(ec, leaf_ + ": open " + part);
  sys::FileInfo info;
  if (!sys::fstat(fd_.get(), info, ec)) throw_error(ec, leaf_);
  end_ = keep ? info.size : 0;
  truncate(end_);
}

std::uint64_t PartFile::size() const {
  return end_;
}

void PartFile::truncate(std::uint64_t size) {
  std::error_code ec;
  if (!sys::truncate(fd_.get(), size, ec) || !sys::seek(fd_.get(), size, ec))
    throw_error(ec, leaf_);
  end_ = size;
}

std::size_t PartFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  std::error_code ec;
  ssize_t n = sys::read_at(fd_.get(), out.data(), out.size(), &offset, ec);
  if (n < 0) throw_error(ec, leaf_);
  return static_cast<std::size_t>(n);
}

void PartFile::write(std::span<const std::byte> data) {
  std::error_code ec;
  if (!sys::write_all(fd_.get(), data.data(), data.size(), ec)) throw_error(ec, leaf_);
  end_ += data.size();
}

void PartFile::commit(std::uint32_t mode, bool replace) {
  std::error_code ec;
  std::string part = part_name(leaf_);
  if (!sys::fchmod(fd_.get(), mode & 0777U, ec) || !sys::fsync(fd_.get(), ec))
    throw_error(ec, leaf_);
  if (!sys::rename_in(dir_.get(), part.c_str(), leaf_.c_str(), replace, ec))
    throw_error(ec, leaf_ + (ec == std::errc::file_exists ? " (use --force to replace it)" : ""));
  // The rename itself is durable only once the folder is synced. A failure here leaves a
  // complete file in place: report it all the same.
  if (!sys::fsync(dir_.get(), ec)) throw_error(ec, leaf_ + ": fsync of its folder");
  fd_.reset();
}

void PartFile::discard() noexcept {
  if (!fd_) return;
  std::error_code ec;
  std::string part = part_name(leaf_);
  sys::unlink_in(dir_.get(), part.c_str(), ec);
  fd_.reset();
}

}  // namespace soket::transfer
