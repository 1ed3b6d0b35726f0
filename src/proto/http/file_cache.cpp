// SPDX-License-Identifier: MIT
// FileCache: look up, validate with one fstatat, else open, build and (when not racy) keep.
#include "file_cache.hpp"

#include <chrono>
#include <utility>

#include "linux/file.hpp"
#include "soket/proto/http/conditional.hpp"

namespace soket::proto::http::detail {
namespace {

// A file changed this close to its opening may change again without its stamp moving.
constexpr std::int64_t racy_ns = 1'000'000'000;

std::int64_t wall_clock_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The whole file into `out`; false if it is not exactly `size` bytes now.
bool read_whole(int fd, std::uint64_t size, std::string& out) {
  out.resize(size);
  std::uint64_t off = 0;
  while (off < size) {
    std::error_code ec;
    const ssize_t n = sys::read_at(fd, out.data() + off, size - off, &off, ec);
    if (n < 0 && ec == std::errc::interrupted) continue;
    if (n <= 0) return false;
    off += static_cast<std::uint64_t>(n);
  }
  char probe = 0;  // one byte more: grown since the stat
  std::error_code ec;
  return sys::read_at(fd, &probe, 1, &off, ec) == 0;
}

}  // namespace

FileCache::FileCache(std::size_t max_entries, std::size_t max_body_bytes)
    : max_entries_(max_entries), max_body_(max_body_bytes) {}

std::size_t FileCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::shared_ptr<const CachedFile> FileCache::find(const DocumentRoot& root,
                                                  const std::string& relative,
                                                  const MimeTypes& types, LookupResult& result) {
  if (max_entries_ > 0) {
    std::shared_ptr<const CachedFile> hit;
    {
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(relative); it != entries_.end()) hit = it->second;
    }
    if (hit) {
      FileStamp now;
      std::error_code ec;
      if (root.stamp(relative, now, ec) && now == hit->stamp) {
        result = LookupResult::found;
        return hit;
      }
      forget(relative);
    }
  }
  auto entry = load(root, relative, types, result);
  if (entry && max_entries_ > 0 && entry->stamp.ctime_ns < wall_clock_ns() - racy_ns &&
      entry->stamp.mtime_ns < wall_clock_ns() - racy_ns)
    store(relative, entry);
  return entry;
}

std::shared_ptr<const CachedFile> FileCache::load(const DocumentRoot& root,
                                                  const std::string& relative,
                                                  const MimeTypes& types,
                                                  LookupResult& result) const {
  RootFile file;
  std::error_code ec;
  result = root.open(relative, file, ec);
  if (result != LookupResult::found || file.directory) return nullptr;
  auto entry = std::make_shared<CachedFile>();
  entry->stamp = file.stamp;
  entry->mtime = file.mtime;
  entry->size = file.size;
  entry->etag = make_etag(file.mtime, file.size);
  entry->fields.append("Content-Type: ").append(types.guess_type(relative)).append("\r\n");
  entry->fields.append("Last-Modified: ").append(format_http_date(file.mtime)).append("\r\n");
  entry->fields.append("ETag: ").append(entry->etag).append("\r\n");
  entry->fields.append("Accept-Ranges: bytes\r\n");
  if (file.size <= max_body_ && read_whole(file.fd.get(), file.size, entry->body)) {
    entry->in_memory = true;
  } else {
    entry->body.clear();
    entry->fd = std::move(file.fd);
  }
  return entry;
}

void FileCache::store(const std::string& relative, std::shared_ptr<const CachedFile> entry) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(relative);
  if (it != entries_.end()) {
    it->second = std::move(entry);
    return;
  }
  // Full: drop one entry (whichever the table lists first), so the bound holds at O(1).
  if (entries_.size() >= max_entries_) entries_.erase(entries_.begin());
  entries_.emplace(relative, std::move(entry));
}

void FileCache::forget(const std::string& relative) {
  std::lock_guard lock(mutex_);
  entries_.erase(relative);
}

}  // namespace soket::proto::http::detail
