// SPDX-License-Identifier: MIT
// Ancillary data for sendmsg/recvmsg: Python's (level, type, data) items, fd passing
// (send_fds/recv_fds, SCM_RIGHTS) and process credentials (SO_PEERCRED, SCM_CREDENTIALS).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <soket/address.hpp>
#include <soket/owned_fd.hpp>  // recv_fds() hands out OwnedFd

namespace soket {

class Socket;

/// Control-message levels and types (Python: socket.SOL_SOCKET, SCM_RIGHTS, SCM_CREDENTIALS).
/// Values equal the kernel's (checked in src/message.cpp).
namespace scm {
inline constexpr int sol_socket = 1;    ///< SOL_SOCKET: the level of the two types below
inline constexpr int rights = 1;        ///< SCM_RIGHTS: an array of descriptors (C ints)
inline constexpr int credentials = 2;   ///< SCM_CREDENTIALS: a struct ucred
inline constexpr int so_passcred = 16;  ///< SO_PASSCRED: ask the kernel to attach credentials
inline constexpr int so_peercred = 17;  ///< SO_PEERCRED: the peer's credentials at connect time
}  // namespace scm

/// More MSG_* flags: the ones recvmsg reports in msg_flags.
namespace msg {
inline constexpr int ctrunc = 0x8;       ///< MSG_CTRUNC: ancillary data did not fit and was cut
inline constexpr int errqueue = 0x2000;  ///< MSG_ERRQUEUE
}  // namespace msg

/// Python: socket.CMSG_LEN(length): the cmsg_len of an item carrying `length` data bytes.
/// (CMSG_LEN itself is a macro in <sys/socket.h>, hence the lowercase name.)
constexpr std::size_t cmsg_len(std::size_t length) noexcept {
  constexpr std::size_t align = sizeof(std::size_t);
  constexpr std::size_t header = (sizeof(std::size_t) + 2 * sizeof(int) + align - 1) & ~(align - 1);
  return header + length;
}
/// Python: socket.CMSG_SPACE(length): the buffer space one item with `length` bytes takes,
/// padding included. Sum these to size recvmsg's ancbufsize.
constexpr std::size_t cmsg_space(std::size_t length) noexcept {
  constexpr std::size_t align = sizeof(std::size_t);
  return cmsg_len(0) + ((length + align - 1) & ~(align - 1));
}

/// One ancillary-data item: Python's (cmsg_level, cmsg_type, cmsg_data) tuple.
struct AncData {
  int level = 0;
  int type = 0;
  std::string data;
  friend bool operator==(const AncData&, const AncData&) = default;
};

/// Python: the (data, ancdata, msg_flags, address) tuple from recvmsg().
struct Message {
  std::string data;
  std::vector<AncData> ancdata;
  int msg_flags = 0;
  Address address;  ///< family() == unspec when the kernel reports none (Python's None)
};

/// Python: the (nbytes, ancdata, msg_flags, address) tuple from recvmsg_into().
struct MessageInto {
  std::size_t nbytes = 0;
  std::vector<AncData> ancdata;
  int msg_flags = 0;
  Address address;
};

/// Python: the (data, fds, msg_flags, address) tuple from recv_fds(); the fds are owned and
/// close-on-exec.
struct ReceivedFds {
  std::string data;
  std::vector<OwnedFd> fds;
  int msg_flags = 0;
  Address address;
};

/// Python: socket.send_fds(sock, buffers, fds[, flags[, address]]): sends `buffers` (gathered)
/// with one SCM_RIGHTS item carrying `fds` (at most 253, the kernel's SCM_MAX_FD).
/// Returns the number of data bytes sent. The descriptors stay open here.
std::size_t send_fds(Socket& sock, std::span<const std::span<const std::byte>> buffers,
                     std::span<const int> fds, int flags = 0, const Address& address = {});
std::size_t send_fds(Socket& sock, std::string_view data, std::span<const int> fds, int flags = 0,
                     const Address& address = {});
std::size_t send_fds(Socket& sock, std::span<const std::span<const std::byte>> buffers,
                     std::span<const int> fds, int flags, const Address& address,
                     std::error_code& ec) noexcept;

/// Python: socket.recv_fds(sock, bufsize, maxfds[, flags]). Receives up to `bufsize` bytes and
/// up to `maxfds` descriptors (capped at 253), close-on-exec. As in Python, when the peer sent
/// more than maxfds the ones that fit are returned and msg_flags has msg::ctrunc; the others
/// are closed (nothing leaks).
ReceivedFds recv_fds(Socket& sock, std::size_t bufsize, std::size_t maxfds, int flags = 0);
ReceivedFds recv_fds(Socket& sock, std::size_t bufsize, std::size_t maxfds, int flags,
                     std::error_code& ec) noexcept;

/// A process's credentials: Linux's struct ucred.
struct Credentials {
  std::int32_t pid = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;

  /// This process's pid, effective uid and gid: what the kernel accepts in SCM_CREDENTIALS
  /// from an unprivileged sender.
  static Credentials self() noexcept;
  /// An SCM_CREDENTIALS item for sendmsg()'s ancdata.
  AncData to_ancdata() const;
  /// Parses an SCM_CREDENTIALS item; std::nullopt for any other item or a short one.
  static std::optional<Credentials> from_ancdata(const AncData& item) noexcept;
  /// The first SCM_CREDENTIALS item in `ancdata`, if any.
  static std::optional<Credentials> find(std::span<const AncData> ancdata) noexcept;

  friend bool operator==(const Credentials&, const Credentials&) = default;
};

/// SO_PEERCRED: the credentials of the process that connected (or created the socketpair),
/// for a Unix socket. Python spells it getsockopt(SOL_SOCKET, SO_PEERCRED, 12).
Credentials peer_credentials(const Socket& sock);
Credentials peer_credentials(const Socket& sock, std::error_code& ec) noexcept;

}  // namespace soket
