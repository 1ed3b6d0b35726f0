// SPDX-License-Identifier: MIT
// ReceiveDir: names checked, then opened component by component with O_NOFOLLOW.
#include <soket/io/transfer/receive_dir.hpp>

#include <string>
#include <vector>

#include <soket/error.hpp>
#include <soket/io/transfer/protocol.hpp>

#include "linux/dirfd.hpp"
#include "linux/fd.hpp"

namespace soket::transfer {
namespace {

constexpr std::size_t max_component = 255;  // NAME_MAX

// The components of a name why_unsafe accepted.
std::vector<std::string> components(std::string_view name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    parts.emplace_back(name.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string why_unsafe(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.size() > max_name) return "name longer than " + std::to_string(max_name) + " bytes";
  for (char c : name) {
    if (c == '\0') return "name contains a NUL byte";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return "name contains a control character";
  }
  if (name.front() == '/') return "absolute path";
  for (const auto& part : components(name)) {
    if (part.empty()) return "empty path component";
    if (part == "." || part == "..") return "'" + part + "' path component";
    if (part.size() > max_component)
      return "path component longer than " + std::to_string(max_component) + " bytes";
    if (part.ends_with(".soket-part") && part.front() == '.') return "reserved name";
  }
  return "";
}

ReceiveDir::ReceiveDir(const std::string& path) : path_(path) {
  std::error_code ec;
  fd_ = OwnedFd(sys::open_dir(path.c_str(), ec));
  if (ec) throw_error(ec, "receive folder " + path);
}

ReceiveDir::Parent ReceiveDir::parent_of(std::string_view name, bool create) {
  if (std::string why = why_unsafe(name); !why.empty()) throw ProtocolError("refused name: " + why);
  auto parts = components(name);
  std::error_code ec;
  OwnedFd dir(sys::dup(fd_.get(), ec));
  if (ec) throw_error(ec, "receive folder " + path_);
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& part = parts[i];
    walked += (walked.empty() ? "" : "/") + part;
    OwnedFd next(sys::open_subdir(dir.get(), part.c_str(), ec));
    if (ec == std::errc::no_such_file_or_directory && create) {
      if (!sys::make_dir(dir.get(), part.c_str(), 0755, ec) && ec != std::errc::file_exists)
        throw_error(ec, walked);
      next = OwnedFd(sys::open_subdir(dir.get(), part.c_str(), ec));
    }
    // O_DIRECTORY | O_NOFOLLOW says ENOTDIR for a symlink and for a file alike: tell them
    // apart, the symlink is a refusal (someone may be trying to redirect the receiver).
    if (ec == std::errc::not_a_directory || ec == std::errc::too_many_symbolic_link_levels) {
      std::error_code stat_ec;
      sys::EntryInfo info;
      if (sys::stat_entry(dir.get(), part.c_str(), info, stat_ec) && info.symlink)
        throw ProtocolError("refused name: " + walked + " is a symlink");
    }
    if (ec) throw_error(ec, walked);
    dir = std::move(next);
  }
  return {std::move(dir), parts.back()};
}

void ReceiveDir::make_dirs(std::string_view name, std::uint32_t mode) {
  Parent p = parent_of(name, true);
  std::error_code ec;
  sys::EntryInfo info;
  if (!sys::stat_entry(p.fd.get(), p.leaf.c_str(), info, ec)) throw_error(ec, std::string(name));
  if (info.directory) return;
  if (info.symlink) throw ProtocolError("refused name: " + std::string(name) + " is a symlink");
  if (info.exists) throw_error(std::make_error_code(std::errc::file_exists), std::string(name));
  if (!sys::make_dir(p.fd.get(), p.leaf.c_str(), (mode & 0777U) | 0700U, ec))
    throw_error(ec, std::string(name));
}

bool ReceiveDir::exists(std::string_view name) {
  Parent p = parent_of(name, true);
  std::error_code ec;
  sys::EntryInfo info;
  if (!sys::stat_entry(p.fd.get(), p.leaf.c_str(), info, ec)) throw_error(ec, std::string(name));
  return info.exists;
}

PartFile ReceiveDir::open_part(std::string_view name, bool keep) {
  Parent p = parent_of(name, true);
  return PartFile(p.fd.get(), p.leaf, keep);
}

}  // namespace soket::transfer
