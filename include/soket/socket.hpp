// SPDX-License-Identifier: MIT
// Socket: Python's socket.socket object — an owned file descriptor with Python's methods and
// Python's timeout model.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/message.hpp>

namespace soket {

/// A socket timeout, as Python's settimeout takes it: std::nullopt blocks forever (None),
/// zero never blocks (0.0), a positive duration bounds each operation.
using Timeout = std::optional<std::chrono::nanoseconds>;

/// Python: socket.setdefaulttimeout / getdefaulttimeout. New sockets (including accepted ones)
/// start with this timeout. Thread-safe. Throws std::invalid_argument for a negative value.
void setdefaulttimeout(Timeout timeout);
void setdefaulttimeout(Timeout timeout, std::error_code& ec) noexcept;
Timeout getdefaulttimeout() noexcept;

struct Accepted;

/// Python: socket.socket. Owns its descriptor (closed by the destructor); movable, not copyable
/// (Python's dup() is explicit). Every descriptor is close-on-exec, no call raises SIGPIPE, and
/// EINTR is retried with the remaining timeout (PEP 475).
///
/// Timeouts: with settimeout(d) the descriptor is non-blocking inside and every call waits for
/// readiness with poll() up to d (sendall keeps one deadline for the whole call), then throws
/// TimeoutError. With settimeout(0) calls that would block throw BlockingIOError.
///
/// Errors: each throwing method has a noexcept twin taking std::error_code& (as std::filesystem
/// does). Thrown errors are the Python-named subclasses in error.hpp, and their messages name
/// the operation and the address: the address given (connect to, bind to, sendto), the peer
/// of a connected socket ("recv from 127.0.0.1:5000: Connection reset by peer", "sendall to
/// [::1]:80: Broken pipe"), or the local address of a listener ("accept on 0.0.0.0:8080: timed
/// out"). The address is looked up only when an error is thrown.
///
/// Thread safety: one Socket may be used by two threads at once only as the kernel allows
/// (one reader and one writer); settimeout/close concurrently with I/O is a data race.
class Socket {
 public:
  /// Python: socket.socket(family, type, proto). Fails with the kernel's error, worded as
  /// "socket(inet, rdm): Socket type not supported". (Python's socket.socket() with no
  /// arguments is Socket(Family::inet); a default-constructed Socket is a closed one.)
  explicit Socket(Family family, Type type = Type::stream, int proto = 0);
  Socket(Family family, Type type, int proto, std::error_code& ec) noexcept;

  /// Takes ownership of an open socket descriptor (Python: socket.socket(fileno=fd)); family,
  /// type and protocol are read from the kernel. On error the descriptor is left open.
  static Socket adopt(int fd);
  static Socket adopt(int fd, std::error_code& ec) noexcept;

  /// A closed socket (fileno() == -1), e.g. to move into later.
  Socket() noexcept = default;
  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // -- connecting ---------------------------------------------------------------------------

  /// Python: bind(address). A host name is resolved with this socket's family.
  void bind(const Address& address);
  void bind(const Address& address, std::error_code& ec) noexcept;

  /// Python: listen([backlog]); the default is min(SOMAXCONN, 128), as Python's.
  void listen(int backlog = 128);
  void listen(int backlog, std::error_code& ec) noexcept;

  /// Python: accept() -> (conn, address). The new socket gets getdefaulttimeout().
  Accepted accept();
  Accepted accept(std::error_code& ec) noexcept;

  /// Python: connect(address). With a timeout, waits at most that long (TimeoutError).
  void connect(const Address& address);
  void connect(const Address& address, std::error_code& ec) noexcept;
  /// Python: connect_ex(address): 0 on success, otherwise the errno (EAGAIN after a timeout).
  int connect_ex(const Address& address) noexcept;

  // -- sending ------------------------------------------------------------------------------

  /// Python: send(data[, flags]) -> bytes sent, possibly fewer than data.size().
  std::size_t send(std::span<const std::byte> data, int flags = 0);
  std::size_t send(std::string_view data, int flags = 0);
  std::size_t send(std::span<const std::byte> data, int flags, std::error_code& ec) noexcept;

  /// Python: sendall(data[, flags]): sends everything or throws. One deadline covers the
  /// whole call. On error, how much was sent is lost, as in Python; the error_code form
  /// returns it.
  void sendall(std::span<const std::byte> data, int flags = 0);
  void sendall(std::string_view data, int flags = 0);
  std::size_t sendall(std::span<const std::byte> data, int flags, std::error_code& ec) noexcept;

  /// Python: sendto(data[, flags], address).
  std::size_t sendto(std::span<const std::byte> data, const Address& address, int flags = 0);
  std::size_t sendto(std::string_view data, const Address& address, int flags = 0);
  std::size_t sendto(std::span<const std::byte> data, const Address& address, int flags,
                     std::error_code& ec) noexcept;

  // -- receiving ----------------------------------------------------------------------------

  /// Python: recv(bufsize[, flags]) -> bytes. An empty string means the peer closed (EOF).
  /// recv(0), like recv_into of zero bytes, returns at once without a system call.
  std::string recv(std::size_t bufsize, int flags = 0);
  std::string recv(std::size_t bufsize, int flags, std::error_code& ec) noexcept;

  /// Python: recv_into(buffer[, nbytes[, flags]]) -> bytes received (0 at EOF). nbytes == 0
  /// means the whole buffer; a larger nbytes is std::invalid_argument. Does not allocate.
  std::size_t recv_into(std::span<std::byte> buffer, std::size_t nbytes = 0, int flags = 0);
  std::size_t recv_into(std::span<std::byte> buffer, std::size_t nbytes, int flags,
                        std::error_code& ec) noexcept;

  /// Python: recvfrom(bufsize[, flags]) -> (bytes, address).
  std::pair<std::string, Address> recvfrom(std::size_t bufsize, int flags = 0);
  std::pair<std::string, Address> recvfrom(std::size_t bufsize, int flags,
                                           std::error_code& ec) noexcept;

  /// Python: recvfrom_into(buffer[, nbytes[, flags]]) -> (nbytes, address). Does not allocate.
  std::pair<std::size_t, Address> recvfrom_into(std::span<std::byte> buffer, std::size_t nbytes = 0,
                                                int flags = 0);
  std::pair<std::size_t, Address> recvfrom_into(std::span<std::byte> buffer, std::size_t nbytes,
                                                int flags, std::error_code& ec) noexcept;

  // -- state --------------------------------------------------------------------------------

  /// Python: shutdown(how).
  void shutdown(Shut how);
  void shutdown(Shut how, std::error_code& ec) noexcept;

  /// Python: close(). Closing a closed socket does nothing. The descriptor is released even if
  /// close(2) reports an error (which is then thrown, except ECONNRESET, as in Python).
  void close();
  void close(std::error_code& ec) noexcept;

  /// Python: detach(): gives up ownership and returns the descriptor (-1 if closed).
  int detach() noexcept;
  /// Python: dup(): a new Socket on a duplicate (close-on-exec) descriptor, with the same
  /// family, type, proto and timeout.
  Socket dup() const;
  Socket dup(std::error_code& ec) const noexcept;
  /// Python: get_inheritable() / set_inheritable(flag): whether exec'd children keep the
  /// descriptor (soket creates every descriptor close-on-exec, so false until set).
  bool get_inheritable() const;
  bool get_inheritable(std::error_code& ec) const noexcept;
  void set_inheritable(bool inheritable);
  void set_inheritable(bool inheritable, std::error_code& ec) noexcept;
  /// Python: fileno(): the descriptor, or -1 once closed.
  int fileno() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

  /// Python: getsockname() / getpeername().
  Address getsockname() const;
  Address getsockname(std::error_code& ec) const noexcept;
  Address getpeername() const;
  Address getpeername(std::error_code& ec) const noexcept;

  /// Python: the family / type / proto attributes.
  Family family() const noexcept { return family_; }
  Type type() const noexcept { return type_; }
  int proto() const noexcept { return proto_; }

  // -- blocking and timeouts ----------------------------------------------------------------

  /// Python: settimeout(None | 0 | seconds). Throws std::invalid_argument "Timeout value out
  /// of range" if negative (Python's ValueError). Any positive duration is accepted:
  /// nanoseconds::max() waits for ever (deadlines saturate instead of overflowing). The
  /// error_code forms report std::errc::invalid_argument and leave the timeout unchanged.
  void settimeout(Timeout timeout);
  void settimeout(Timeout timeout, std::error_code& ec) noexcept;
  /// Python: settimeout(seconds) with a float, rounded up to whole nanoseconds (1e-10 is 1 ns,
  /// never 0). Negative: std::invalid_argument "Timeout value out of range"; NaN:
  /// std::invalid_argument "Invalid value NaN (not a number)" (both Python's ValueError); over
  /// 9.2e9 s: OverflowError (as Python's), std::errc::value_too_large in the error_code form.
  void settimeout(double seconds);
  void settimeout(double seconds, std::error_code& ec) noexcept;
  Timeout gettimeout() const noexcept { return timeout_; }
  /// Python: setblocking(flag) is settimeout(None) or settimeout(0).
  void setblocking(bool flag);
  void setblocking(bool flag, std::error_code& ec) noexcept;
  /// Python: getblocking() is gettimeout() != 0.
  bool getblocking() const noexcept;

  // -- options: the raw form (Python's escape hatch) and typed ones from options.hpp --------

  /// Python: setsockopt(level, optname, int) / getsockopt(level, optname).
  void setsockopt(int level, int optname, int value);
  void setsockopt(int level, int optname, int value, std::error_code& ec) noexcept;
  int getsockopt(int level, int optname) const;
  int getsockopt(int level, int optname, std::error_code& ec) const noexcept;
  /// Python: setsockopt(level, optname, bytes) / getsockopt(level, optname, buflen).
  void setsockopt(int level, int optname, std::span<const std::byte> value);
  void setsockopt(int level, int optname, std::span<const std::byte> value,
                  std::error_code& ec) noexcept;
  std::string getsockopt(int level, int optname, std::size_t buflen) const;
  std::string getsockopt(int level, int optname, std::size_t buflen,
                         std::error_code& ec) const noexcept;

  /// Typed options (options.hpp): s.setsockopt(opt::reuse_address, true);
  /// bool on = s.getsockopt(opt::reuse_address).
  template <class Option>
  void setsockopt(const Option& option, const typename Option::value_type& value) {
    option.set(*this, value);
  }
  template <class Option>
  void setsockopt(const Option& option, const typename Option::value_type& value,
                  std::error_code& ec) noexcept {
    option.set(*this, value, ec);
  }
  template <class Option>
  typename Option::value_type getsockopt(const Option& option) const {
    return option.get(*this);
  }
  template <class Option>
  typename Option::value_type getsockopt(const Option& option, std::error_code& ec) const noexcept {
    return option.get(*this, ec);
  }

  // -- messages and ancillary data (message.hpp; src/message.cpp, src/sendfile.cpp) ---------

  /// Python: sendmsg(buffers[, ancdata[, flags[, address]]]) -> bytes sent. Gathers
  /// `buffers` into one message with the (level, type, data) items of `ancdata`; an unspec
  /// address means none (a connected socket).
  std::size_t sendmsg(std::span<const std::span<const std::byte>> buffers,
                      std::span<const AncData> ancdata = {}, int flags = 0,
                      const Address& address = {});
  std::size_t sendmsg(std::span<const std::span<const std::byte>> buffers,
                      std::span<const AncData> ancdata, int flags, const Address& address,
                      std::error_code& ec) noexcept;

  /// Python: recvmsg(bufsize[, ancbufsize[, flags]]) -> (data, ancdata, msg_flags, address).
  /// ancbufsize bounds the control data (use cmsg_space()); descriptors arrive close-on-exec.
  Message recvmsg(std::size_t bufsize, std::size_t ancbufsize = 0, int flags = 0);
  Message recvmsg(std::size_t bufsize, std::size_t ancbufsize, int flags,
                  std::error_code& ec) noexcept;

  /// Python: recvmsg_into(buffers[, ancbufsize[, flags]]): scatters the data over `buffers`.
  /// Allocates only for ancillary data (ancbufsize > 0).
  MessageInto recvmsg_into(std::span<const std::span<std::byte>> buffers,
                           std::size_t ancbufsize = 0, int flags = 0);
  MessageInto recvmsg_into(std::span<const std::span<std::byte>> buffers, std::size_t ancbufsize,
                           int flags, std::error_code& ec) noexcept;

  /// Python: sendfile(file, offset=0, count=None) -> bytes sent. Sends `count` bytes (None: to
  /// the end) of the open file `fd` from `offset` with the kernel's zero-copy sendfile(2),
  /// falling back to read + send where the kernel cannot (a pipe, an empty or special file,
  /// EINVAL/ENOSYS), as Python's _sendfile_use_send. One deadline covers the call when the
  /// socket has a timeout. On return (or error) the file position is offset + bytes sent.
  /// Stream sockets only, and not non-blocking ones (std::invalid_argument, as Python's
  /// ValueError). The error_code form returns the bytes sent before the error.
  std::size_t sendfile(int fd, std::uint64_t offset = 0,
                       std::optional<std::uint64_t> count = std::nullopt);
  std::size_t sendfile(int fd, std::uint64_t offset, std::optional<std::uint64_t> count,
                       std::error_code& ec) noexcept;
  /// The same for a std::FILE (flushed first; its position is updated) and for a path.
  std::size_t sendfile(std::FILE* file, std::uint64_t offset = 0,
                       std::optional<std::uint64_t> count = std::nullopt);
  std::size_t sendfile(std::FILE* file, std::uint64_t offset, std::optional<std::uint64_t> count,
                       std::error_code& ec) noexcept;
  std::size_t sendfile(const std::filesystem::path& path, std::uint64_t offset = 0,
                       std::optional<std::uint64_t> count = std::nullopt);
  std::size_t sendfile(const std::filesystem::path& path, std::uint64_t offset,
                       std::optional<std::uint64_t> count, std::error_code& ec) noexcept;

 private:
  Socket(int fd, Family family, Type type, int proto) noexcept;
  // Resolves a host name in `address` with this socket's family (Python's setipaddr).
  Address resolve_for_use(const Address& address, std::error_code& ec) const;
  void apply_timeout_mode(std::error_code& ec) noexcept;
  // Throws `ec` as "<op> <prep> <address>": the peer ("recv from", "send to") or, with prep
  // "on", the local address (accept); just "<op>" when there is none.
  [[noreturn]] void raise(std::error_code ec, std::string_view op, std::string_view prep) const;
  void remember_peer(const Address& peer) noexcept;

  int fd_ = -1;
  Family family_ = Family::unspec;
  Type type_ = Type::stream;
  int proto_ = 0;
  Timeout timeout_;
  // The IPv4/IPv6 peer that connect()/accept() saw, so an error message can still name it
  // when the kernel no longer does (getpeername fails after a reset). 28 bytes, no allocation.
  std::array<std::byte, 28> peer_{};
  std::uint8_t peer_len_ = 0;
};

/// Python: the (conn, address) pair from accept(); works with structured bindings:
///   auto [conn, addr] = listener.accept();
struct Accepted {
  Socket conn;
  Address address;
};

}  // namespace soket
