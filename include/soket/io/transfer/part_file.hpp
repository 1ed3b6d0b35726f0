// SPDX-License-Identifier: MIT
// PartFile: atomic arrival. A received file is written under a temporary name beside its
// final one (".NAME.soket-part"), synced, and renamed into place only when it is complete and
// verified; a failed transfer removes it, an interrupted one leaves it for --resume.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <soket/owned_fd.hpp>

namespace soket::transfer {

/// The temporary name of `leaf` in the same folder.
std::string part_name(const std::string& leaf);

class PartFile {
 public:
  /// Opens or creates the part of `leaf` in the folder `dir` (borrowed: a dup is kept).
  /// Throws soket::Error naming the file.
  PartFile(int dir, std::string leaf, bool keep);
  PartFile(PartFile&&) noexcept = default;
  PartFile& operator=(PartFile&&) noexcept = default;
  ~PartFile() = default;  // an unfinished part stays (resume); discard() removes it

  /// Bytes already there.
  std::uint64_t size() const;
  /// Keeps the first `size` bytes and appends after them.
  void truncate(std::uint64_t size);
  /// Reads `out.size()` bytes at `offset` (the part already there, to verify it).
  std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) const;
  /// Appends; throws soket::Error ("NAME: No space left on device").
  void write(std::span<const std::byte> data);
  /// Sets the permission bits, fsyncs, and renames into place; fails with EEXIST (never
  /// overwrites) unless `replace`. The folder is fsynced too, so the name survives a crash.
  void commit(std::uint32_t mode, bool replace);
  /// Removes the part (a failed transfer).
  void discard() noexcept;

  const std::string& leaf() const { return leaf_; }

 private:
  OwnedFd dir_, fd_;
  std::string leaf_;
  std::uint64_t end_ = 0;
};

}  // namespace soket::transfer
