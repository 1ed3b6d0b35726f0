// SPDX-License-Identifier: MIT
// DocumentRoot: lookups with openat2(RESOLVE_BENEATH), O_PATH first so special files are
// refused before anything opens them, and the directory listing page.
#include "soket/proto/http/document_root.hpp"

#include <algorithm>
#include <cerrno>

#include "linux/beneath.hpp"
#include "linux/dirfd.hpp"
#include "soket/error.hpp"
#include "soket/proto/http/target_path.hpp"
#include "soket/proto/http/url.hpp"

namespace soket::proto::http {
namespace {

LookupResult classify(const std::error_code& ec) noexcept {
  switch (ec.value()) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG: return LookupResult::not_found;
    case EXDEV:  // a symlink leading out of the root
    case ELOOP:  // a symlink where none may be followed, or a loop
    case EACCES:
    case EPERM: return LookupResult::forbidden;
    default: return LookupResult::other;
  }
}

FileStamp stamp_of(const sys::NodeInfo& info) noexcept {
  return {info.dev, info.ino, info.size, info.mtime_ns, info.ctime_ns};
}

}  // namespace

DocumentRoot::DocumentRoot(const std::filesystem::path& dir) : DocumentRoot(dir, Options{}) {}

DocumentRoot::DocumentRoot(const std::filesystem::path& dir, Options options)
    : path_(dir), options_(options) {
  std::error_code ec;
  fd_ = OwnedFd(sys::open_dir(dir.c_str(), ec));
  if (ec) throw_error(ec, "open directory " + dir.string());
}

LookupResult DocumentRoot::open(const std::string& relative, RootFile& out,
                                std::error_code& ec) const {
  const auto policy = options_.follow_symlinks_out ? sys::SymlinkPolicy::anywhere
                                                   : sys::SymlinkPolicy::stay_beneath;
  // O_PATH first: a device or FIFO is refused on its stat, never opened (open(2) on a device
  // can act: rewind a tape, hang up a modem).
  OwnedFd handle(sys::open_beneath(fd_.get(), relative, false, policy, ec));
  if (ec) return classify(ec);
  sys::NodeInfo info;
  if (!sys::stat_fd(handle.get(), info, ec)) return LookupResult::other;
  if (info.kind == sys::NodeKind::directory) {
    out = RootFile{std::move(handle), true, info.size, info.mtime, stamp_of(info)};
    return LookupResult::found;
  }
  if (info.kind != sys::NodeKind::regular) return LookupResult::forbidden;
  OwnedFd file(sys::open_beneath(fd_.get(), relative, true, policy, ec));
  if (ec) return classify(ec);
  sys::NodeInfo again;
  if (!sys::stat_fd(file.get(), again, ec)) return LookupResult::other;
  // Replaced between the two opens: answer for what the second open holds only if it is
  // still a regular file.
  if (again.kind != sys::NodeKind::regular) return LookupResult::forbidden;
  out = RootFile{std::move(file), false, again.size, again.mtime, stamp_of(again)};
  return LookupResult::found;
}

bool DocumentRoot::stamp(const std::string& relative, FileStamp& out, std::error_code& ec) const {
  sys::NodeInfo info;
  if (!sys::stat_at(fd_.get(), relative, info, ec)) return false;
  out = stamp_of(info);
  return true;
}

std::vector<RootEntry> DocumentRoot::list(const RootFile& dir, std::error_code& ec) const {
  std::vector<sys::DirEntryInfo> raw;
  std::vector<RootEntry> out;
  if (!sys::list_dir(dir.fd.get(), raw, ec)) return out;
  out.reserve(raw.size());
  for (auto& e : raw)
    out.push_back({std::move(e.name), e.info.kind == sys::NodeKind::directory,
                   e.info.kind == sys::NodeKind::symlink, e.info.size});
  std::sort(out.begin(), out.end(),
            [](const RootEntry& a, const RootEntry& b) { return a.name < b.name; });
  return out;
}

std::string render_directory_listing(std::string_view display_path,
                                     const std::vector<RootEntry>& entries) {
  const std::string title = "Directory listing for " + html_escape(display_path);
  std::string page =
      "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
      "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<hr>\n<ul>\n";
  for (const auto& e : entries) {
    std::string shown = e.name;
    std::string link = e.name;
    if (e.directory) {
      shown += '/';
      link += '/';
    }
    if (e.symlink) shown += '@';
    page +=
        "<li><a href=\"" + html_escape(quote(link)) + "\">" + html_escape(shown) + "</a></li>\n";
  }
  page += "</ul>\n<hr>\n</body>\n</html>\n";
  return page;
}

}  // namespace soket::proto::http
