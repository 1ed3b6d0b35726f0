// SPDX-License-Identifier: MIT
#include <soket/proto/mailbox.hpp>

#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <soket/error.hpp>

#include "linux/dirfd.hpp"
#include "linux/file.hpp"

namespace soket::proto::mailbox {

namespace {

// Python's time.asctime(time.gmtime()): "Thu Jan  1 00:00:00 1970".
std::string asctime_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%a %b %e %H:%M:%S %Y", &tm);
  return buf.data();
}

void write_synced(int fd, std::string_view data, const std::string& what) {
  std::error_code ec;
  if (!sys::write_all(fd, data.data(), data.size(), ec) || !sys::fsync(fd, ec))
    throw_error(ec, what);
}

OwnedFd subdir(int dir, const char* name, bool create, const std::string& what) {
  std::error_code ec;
  if (create && !sys::make_dir(dir, name, 0700, ec) && ec != std::errc::file_exists)
    throw_error(ec, what + "/" + name);
  OwnedFd fd(sys::open_subdir(dir, name, ec));
  if (ec) throw_error(ec, what + "/" + name);
  return fd;
}

}  // namespace

std::string lf_lines(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (std::size_t i = 0; i < message.size(); ++i)
    if (!(message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n'))
      out += message[i];
  return out;
}

mbox::mbox(std::string path) : path_(std::move(path)) {
  const std::filesystem::path p(path_);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  std::error_code ec;
  const OwnedFd dirfd(sys::open_dir(dir.c_str(), ec));
  if (ec) throw_error(ec, dir);
  fd_ = OwnedFd(sys::open_file_rw(dirfd.get(), p.filename().c_str(), ec));
  if (ec) throw_error(ec, path_);
}

std::uint64_t mbox::add(std::string_view message) {
  std::error_code ec;
  sys::FileInfo info;
  if (!sys::fstat(fd_.get(), info, ec) || !sys::seek(fd_.get(), info.size, ec))
    throw_error(ec, path_);
  std::string text = info.size == 0 ? "" : "\n";
  text += "From MAILER-DAEMON " + asctime_now() + "\n";
  const std::string body = lf_lines(message);
  for (std::size_t pos = 0; pos < body.size();) {
    const auto nl = body.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? body.size() : nl + 1;
    if (std::string_view(body).substr(pos).starts_with("From ")) text += '>';
    text.append(body, pos, end - pos);
    pos = end;
  }
  if (!text.ends_with('\n')) text += '\n';
  try {
    write_synced(fd_.get(), text, path_);
  } catch (...) {
    std::error_code ignored;
    sys::truncate(fd_.get(), info.size, ignored);  // no half message left behind
    throw;
  }
  return info.size;
}

Maildir::Maildir(std::string dirname, bool create) : dirname_(std::move(dirname)) {
  std::error_code ec;
  if (create && !std::filesystem::create_directory(dirname_, ec) && ec) throw_error(ec, dirname_);
  dir_ = OwnedFd(sys::open_dir(dirname_.c_str(), ec));
  if (ec) throw_error(ec, dirname_);
  tmp_ = subdir(dir_.get(), "tmp", create, dirname_);
  new_ = subdir(dir_.get(), "new", create, dirname_);
  subdir(dir_.get(), "cur", create, dirname_);
}

std::string Maildir::add(std::string_view message) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::array<char, 256> host{};
  std::string hostname =
      ::gethostname(host.data(), host.size() - 1) == 0 ? host.data() : "localhost";
  for (auto& c : hostname)  // Python's Maildir escapes these too: they would break the name
    if (c == '/' || c == ':') c = '_';
  std::string key = std::to_string(now / 1000000) + ".M" + std::to_string(now % 1000000) + "P" +
                    std::to_string(::getpid()) + "Q" + std::to_string(++count_) + "." + hostname;
  std::error_code ec;
  OwnedFd file(sys::open_file_rw(tmp_.get(), key.c_str(), ec));
  if (ec) throw_error(ec, dirname_ + "/tmp/" + key);
  try {
    write_synced(file.get(), lf_lines(message), dirname_ + "/tmp/" + key);
    const std::string from = "tmp/" + key, to = "new/" + key;
    if (!sys::rename_in(dir_.get(), from.c_str(), to.c_str(), false, ec))
      throw_error(ec, dirname_ + "/" + to);
  } catch (...) {
    std::error_code ignored;
    sys::unlink_in(tmp_.get(), key.c_str(), ignored);
    throw;
  }
  if (!sys::fsync(new_.get(), ec)) throw_error(ec, dirname_ + "/new");
  return key;
}

}  // namespace soket::proto::mailbox
