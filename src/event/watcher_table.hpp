// SPDX-License-Identifier: MIT
// WatcherTable: descriptor number -> the Watcher registered for it, for a poller whose
// completions name a descriptor (io_uring). Internal: never installed.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <soket/event/watcher.hpp>

namespace soket::event::detail {

/// A pointer per descriptor, in 4 KiB chunks allocated as descriptors reach them: 8 bytes per
/// connection, where a doubling vector would hold up to twice as many entries, all touched.
class WatcherTable {
 public:
  /// The watcher at `fd`, or nullptr.
  Watcher* find(int fd) const noexcept {
    auto i = static_cast<std::size_t>(fd);
    if (fd < 0 || i / chunk >= chunks_.size()) return nullptr;
    return chunks_[i / chunk][i % chunk];
  }
  /// The entry for `fd` (>= 0), its chunk allocated if needed. Throws std::bad_alloc.
  Watcher*& at(int fd) {
    auto i = static_cast<std::size_t>(fd);
    while (chunks_.size() <= i / chunk) chunks_.push_back(std::make_unique<Watcher*[]>(chunk));
    return chunks_[i / chunk][i % chunk];
  }
  void erase(int fd) noexcept {
    auto i = static_cast<std::size_t>(fd);
    if (fd >= 0 && i / chunk < chunks_.size()) chunks_[i / chunk][i % chunk] = nullptr;
  }

 private:
  static constexpr std::size_t chunk = 4096 / sizeof(Watcher*);
  std::vector<std::unique_ptr<Watcher*[]>> chunks_;
};

}  // namespace soket::event::detail
