// SPDX-License-Identifier: MIT
// remove_stale_unix_socket / remove_unix_socket: a restarting Unix server's socket file.
#include <soket/server/unix_server.hpp>

#include <filesystem>
#include <string>

#include <soket/error.hpp>

namespace soket::server {
namespace {

namespace fs = std::filesystem;

std::string what_is(fs::file_type t) {
  switch (t) {
    case fs::file_type::regular: return "a regular file";
    case fs::file_type::directory: return "a directory";
    case fs::file_type::symlink: return "a symbolic link";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::block: return "a block device";
    case fs::file_type::character: return "a character device";
    default: return "something";
  }
}

// True if connecting with `type` is refused: no socket of any kind is bound there. A live
// socket of the other type answers EPROTOTYPE; a full listener EAGAIN (hence non-blocking).
bool refused(const Address& address, Type type) {
  Socket probe(Family::unix, type);
  probe.setblocking(false);
  std::error_code ec;
  probe.connect(address, ec);
  if (ec == std::errc::permission_denied) throw_error(ec, "connect to " + address.repr());
  return ec == std::errc::connection_refused;
}

}  // namespace

void remove_stale_unix_socket(const Address& address) {
  if (address.family() != Family::unix || address.is_abstract()) return;
  const std::string path = address.path();
  if (path.empty()) return;
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (ec || status.type() == fs::file_type::not_found) return;  // nothing there: bind creates it
  if (status.type() != fs::file_type::socket)
    throw_error(std::make_error_code(std::errc::file_exists),
                "bind to " + address.repr() + ": " + what_is(status.type()) +
                    " is there, not a socket; not removing it");
  if (!refused(address, Type::stream) || !refused(address, Type::dgram))
    throw_error(std::make_error_code(std::errc::address_in_use), "bind to " + address.repr());
  // Stale. (Between the check and the unlink another server could bind a new file there;
  // only the same race a human has with rm.)
  fs::remove(path, ec);
  if (ec) throw_error(ec, "remove stale socket " + address.repr());
}

void remove_unix_socket(const Address& address) noexcept {
  if (address.family() != Family::unix || address.is_abstract() || address.path().empty()) return;
  std::error_code ec;
  if (fs::symlink_status(address.path(), ec).type() == fs::file_type::socket)
    fs::remove(address.path(), ec);
}

}  // namespace soket::server
