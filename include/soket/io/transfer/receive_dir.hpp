// SPDX-License-Identifier: MIT
// ReceiveDir: the folder a receiver writes into, and the only way names from the network
// become files. Every name is checked (why_unsafe) and then opened one component at a time
// relative to the folder, never following a symlink, so nothing a sender names can land
// outside it — not through "..", an absolute path, nor a symlink someone left inside.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <soket/io/transfer/part_file.hpp>
#include <soket/owned_fd.hpp>

namespace soket::transfer {

/// Why `name` (as a sender sent it) cannot be received, or "" if it can: it must be relative,
/// '/'-separated, without empty, "." or ".." components, NUL or control characters, at most
/// max_name bytes, each component at most 255 bytes.
std::string why_unsafe(std::string_view name);

class ReceiveDir {
 public:
  /// Opens the folder; throws soket::Error "receive folder PATH: ..." if it cannot.
  explicit ReceiveDir(const std::string& path);

  /// Creates directory `name` and its missing parents with `mode`; existing ones are kept.
  /// Throws soket::Error naming the component for a symlink or a file in the way.
  void make_dirs(std::string_view name, std::uint32_t mode);

  /// Whether `name` exists (a symlink counts: it is never followed); creates its parents.
  bool exists(std::string_view name);

  /// The part file that will become `name` (its parent folders created, mode 0755); an
  /// existing part is kept when `keep` (resume), else emptied.
  PartFile open_part(std::string_view name, bool keep);

 private:
  struct Parent {
    OwnedFd fd;
    std::string leaf;
  };
  Parent parent_of(std::string_view name, bool create);

  std::string path_;
  OwnedFd fd_;
};

}  // namespace soket::transfer
