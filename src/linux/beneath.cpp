// SPDX-License-Identifier: MIT
// openat2 with RESOLVE_BENEATH (and the O_NOFOLLOW walk where it is missing), fstat, readdir.
#include "linux/beneath.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace soket::sys {
namespace {

std::atomic<bool> no_openat2{false};

int flags_for(bool for_reading) noexcept {
  // O_NONBLOCK: a FIFO that slipped in between the stat and this open cannot block the loop.
  return for_reading ? O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK : O_PATH | O_CLOEXEC;
}

// One component at a time, never through a symlink (the fallback for kernels before 5.6).
int walk_nofollow(int root_fd, const std::string& path, bool for_reading,
                  std::error_code& ec) noexcept {
  int dir = ::openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return checked(dir, ec);
  std::size_t pos = 0;
  while (true) {
    const auto slash = path.find('/', pos);
    const std::string name = path.substr(pos, slash - pos);
    const bool last = slash == std::string::npos;
    const int flags =
        last ? flags_for(for_reading) | O_NOFOLLOW : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    const int next = name.empty() ? ::openat(dir, ".", flags) : ::openat(dir, name.c_str(), flags);
    const int saved = errno;
    ::close(dir);
    errno = saved;
    if (next < 0 || last) return checked(next, ec);
    dir = next;
    pos = slash + 1;
  }
}

NodeKind kind_of(mode_t mode) noexcept {
  if (S_ISREG(mode)) return NodeKind::regular;
  if (S_ISDIR(mode)) return NodeKind::directory;
  if (S_ISLNK(mode)) return NodeKind::symlink;
  return NodeKind::other;
}

void fill(const struct stat& st, NodeInfo& info) noexcept {
  info.kind = kind_of(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime = st.st_mtim.tv_sec;
  info.dev = static_cast<std::uint64_t>(st.st_dev);
  info.ino = static_cast<std::uint64_t>(st.st_ino);
  info.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  info.ctime_ns = st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec;
}

}  // namespace

int open_beneath(int root_fd, const std::string& path, bool for_reading, SymlinkPolicy policy,
                 std::error_code& ec) noexcept {
  const char* name = path.empty() ? "." : path.c_str();
  if (policy == SymlinkPolicy::anywhere)
    return checked(::openat(root_fd, name, flags_for(for_reading)), ec);
  if (!no_openat2.load(std::memory_order_relaxed)) {
    open_how how{};
    how.flags = static_cast<__u64>(static_cast<unsigned>(flags_for(for_reading)));
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, root_fd, name, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS) return checked(static_cast<int>(fd), ec);
    no_openat2.store(true, std::memory_order_relaxed);
  }
  return walk_nofollow(root_fd, path, for_reading, ec);
}

bool stat_fd(int fd, NodeInfo& info, std::error_code& ec) noexcept {
  struct stat st {};
  if (checked(::fstat(fd, &st), ec) < 0) return false;
  fill(st, info);
  return true;
}

bool stat_at(int root_fd, const std::string& path, NodeInfo& info, std::error_code& ec) noexcept {
  struct stat st {};
  if (checked(::fstatat(root_fd, path.empty() ? "." : path.c_str(), &st, 0), ec) < 0) return false;
  fill(st, info);
  return true;
}

bool list_dir(int dir_fd, std::vector<DirEntryInfo>& out, std::error_code& ec) {
  // fdopendir owns the descriptor it is given: hand it a fresh one that reads from the start.
  const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return checked(fd, ec) >= 0;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ec = last_error();
    ::close(fd);
    return false;
  }
  ec.clear();
  while (true) {
    errno = 0;
    const dirent* e = ::readdir(dir);
    if (e == nullptr) {
      if (errno != 0) ec = last_error();
      break;
    }
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    DirEntryInfo entry{std::string(name), {}};
    fill(st, entry.info);
    out.push_back(std::move(entry));
  }
  ::closedir(dir);
  return !ec;
}

}  // namespace soket::sys
