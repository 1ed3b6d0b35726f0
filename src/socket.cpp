// SPDX-License-Identifier: MIT
#include <soket/socket.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <atomic>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <soket/error.hpp>

#include "linux/fd.hpp"
#include "linux/poll.hpp"
#include "linux/socket.hpp"
#include "socket_call.hpp"

namespace soket {
namespace {

// A bufsize-byte buffer for recv/recvfrom; failing to allocate it is Python's MemoryError.
bool sized_buffer(std::string& data, std::size_t bufsize, std::error_code& ec) noexcept {
  try {
    data.resize(bufsize);
    return true;
  } catch (const std::exception&) {  // bad_alloc, length_error
    ec = std::make_error_code(std::errc::not_enough_memory);
    return false;
  }
}

using sys::Want;

// Python's default timeout: nanoseconds, or -1 for None.
std::atomic<std::int64_t> default_timeout_ns{-1};

void check_timeout(const Timeout& timeout) {
  if (timeout && timeout->count() < 0) throw std::invalid_argument("Timeout value out of range");
}

std::span<const std::byte> bytes_of(std::string_view s) noexcept {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

// EPERM from socket() for raw and packet sockets, worded with the privilege they need:
// "Operation not permitted (raw sockets need CAP_NET_RAW or root)". Compares equal to
// std::errc::operation_not_permitted.
class PrivilegeCategory : public std::error_category {
 public:
  explicit PrivilegeCategory(const char* what) noexcept : what_(what) {}
  const char* name() const noexcept override { return "privilege"; }
  std::string message(int code) const override {
    return std::system_category().message(code) + " (" + what_ + " need CAP_NET_RAW or root)";
  }
  std::error_condition default_error_condition(int code) const noexcept override {
    return std::system_category().default_error_condition(code);
  }

 private:
  const char* what_;
};

const std::error_category& privilege_category(Family family) noexcept {
  static const PrivilegeCategory raw("raw sockets"), packet("packet sockets");
  return family == Family::packet ? packet : raw;
}

// Python's setipaddr() takes only addresses of the socket's family: an IPv4 address on an IPv6
// socket (or the reverse) is gaierror "Address family for hostname not supported", except ''
// (INADDR_ANY), which means the socket family's any address ('::' on IPv6).
Address check_family(Family family, const Address& address, std::error_code& ec) {
  bool v4_on_v6 = family == Family::inet6 && address.family() == Family::inet;
  bool v6_on_v4 = family == Family::inet && address.family() == Family::inet6;
  if (v4_on_v6 && address.host() == "0.0.0.0") return Address("::", address.port());
  if (v4_on_v6 || v6_on_v4) ec = std::error_code(EAI_ADDRFAMILY, gai_category());
  return address;
}

std::string socket_op(Family family, Type type) {
  std::string op = "socket(";
  op.append(short_name(family)).append(", ").append(short_name(type)).append(")");
  return op;
}

}  // namespace

void setdefaulttimeout(Timeout timeout) {
  check_timeout(timeout);
  default_timeout_ns.store(timeout ? timeout->count() : -1);
}

void setdefaulttimeout(Timeout timeout, std::error_code& ec) noexcept {
  ec.clear();
  if (timeout && timeout->count() < 0) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return;
  }
  default_timeout_ns.store(timeout ? timeout->count() : -1);
}

Timeout getdefaulttimeout() noexcept {
  std::int64_t ns = default_timeout_ns.load();
  if (ns < 0) return std::nullopt;
  return std::chrono::nanoseconds(ns);
}

// -- lifetime --------------------------------------------------------------------------------

Socket::Socket(int fd, Family family, Type type, int proto) noexcept
    : fd_(fd), family_(family), type_(type), proto_(proto) {}

Socket::Socket(Family family, Type type, int proto) {
  std::error_code ec;
  *this = Socket(family, type, proto, ec);
  if (ec == std::errc::operation_not_permitted && (type == Type::raw || family == Family::packet)) {
    // Name the missing privilege: "Operation not permitted" alone sends users guessing.
    throw PermissionError(std::error_code(ec.value(), privilege_category(family)),
                          socket_op(family, type));
  }
  if (ec) throw_error(ec, socket_op(family, type));
}

Socket::Socket(Family family, Type type, int proto, std::error_code& ec) noexcept
    : family_(family), type_(type), proto_(proto), timeout_(getdefaulttimeout()) {
  // Python: SOCK_NONBLOCK or'ed into the type means settimeout(0); the type attribute keeps
  // neither flag (soket adds SOCK_CLOEXEC itself).
  const int raw_type = static_cast<int>(type);
  if (raw_type & SOCK_NONBLOCK) timeout_ = std::chrono::nanoseconds(0);
  type_ = static_cast<Type>(raw_type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
  // A timeout means non-blocking inside: set it at creation, saving an fcntl.
  int flags = raw_type | (timeout_ ? SOCK_NONBLOCK : 0);
  fd_ = sys::socket(static_cast<int>(family), flags, proto, ec);
}

Socket Socket::adopt(int fd) {
  std::error_code ec;
  Socket s = adopt(fd, ec);
  if (ec) throw_error(ec, "socket(fileno=" + std::to_string(fd) + ")");
  return s;
}

Socket Socket::adopt(int fd, std::error_code& ec) noexcept {
  int values[3] = {};
  const int names[3] = {SO_DOMAIN, SO_TYPE, SO_PROTOCOL};
  for (int i = 0; i < 3; ++i) {
    std::size_t len = sizeof(int);
    if (!sys::getsockopt(fd, SOL_SOCKET, names[i], &values[i], &len, ec)) return {};
  }
  Socket s(fd, static_cast<Family>(values[0]), static_cast<Type>(values[1]), values[2]);
  s.timeout_ = getdefaulttimeout();
  s.apply_timeout_mode(ec);
  if (ec) s.detach();
  return s;
}

Socket::~Socket() {
  std::error_code ignored;
  close(ignored);
}

Socket::Socket(Socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      family_(other.family_),
      type_(other.type_),
      proto_(other.proto_),
      timeout_(other.timeout_),
      peer_(other.peer_),
      peer_len_(other.peer_len_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    std::error_code ignored;
    close(ignored);
    fd_ = std::exchange(other.fd_, -1);
    family_ = other.family_;
    type_ = other.type_;
    proto_ = other.proto_;
    timeout_ = other.timeout_;
    peer_ = other.peer_;
    peer_len_ = other.peer_len_;
  }
  return *this;
}

void Socket::close() {
  std::error_code ec;
  close(ec);
  // Python ignores ECONNRESET from close(): the peer is gone, which is what we asked for.
  if (ec && ec != std::errc::connection_reset) throw_error(ec, "close");
}

void Socket::close(std::error_code& ec) noexcept {
  ec.clear();
  int fd = std::exchange(fd_, -1);
  if (fd >= 0) sys::close(fd, ec);
}

int Socket::detach() noexcept {
  return std::exchange(fd_, -1);
}

Socket Socket::dup() const {
  std::error_code ec;
  Socket s = dup(ec);
  if (ec) throw_error(ec, "dup");
  return s;
}

bool Socket::get_inheritable() const {
  std::error_code ec;
  bool inheritable = get_inheritable(ec);
  if (ec) throw_error(ec, "get_inheritable");
  return inheritable;
}

bool Socket::get_inheritable(std::error_code& ec) const noexcept {
  ec.clear();
  bool cloexec = sys::get_cloexec(fd_, ec);
  return !ec && !cloexec;
}

void Socket::set_inheritable(bool inheritable) {
  std::error_code ec;
  set_inheritable(inheritable, ec);
  if (ec) throw_error(ec, "set_inheritable");
}

void Socket::set_inheritable(bool inheritable, std::error_code& ec) noexcept {
  ec.clear();
  sys::set_cloexec(fd_, !inheritable, ec);
}

Socket Socket::dup(std::error_code& ec) const noexcept {
  int fd = sys::dup(fd_, ec);
  if (fd < 0) return {};
  Socket s(fd, family_, type_, proto_);
  s.timeout_ = timeout_;  // Python: sock.settimeout(self.gettimeout())
  s.peer_ = peer_;
  s.peer_len_ = peer_len_;
  return s;
}

// -- error messages --------------------------------------------------------------------------

void Socket::remember_peer(const Address& peer) noexcept {
  if (peer.is_inet() && peer.size() <= peer_.size()) {
    std::memcpy(peer_.data(), peer.data(), peer.size());
    peer_len_ = static_cast<std::uint8_t>(peer.size());
  }
}

void Socket::raise(std::error_code ec, std::string_view op, std::string_view prep) const {
  // Only here, on the way out, is the address looked up: the success path pays nothing.
  if (fd_ < 0) throw_error(ec, op);  // closed: there is no address any more
  std::error_code ignored;
  Address where = prep == "on" ? getsockname(ignored) : getpeername(ignored);
  if ((ignored || where.size() == 0) && prep != "on" && peer_len_ > 0) {
    where = Address::from_sockaddr(peer_.data(), peer_len_);  // after a reset
    ignored.clear();
  }
  // An unbound socket (port 0, an unnamed Unix socket) has no address worth naming.
  const bool named =
      !ignored && where.family() != Family::unspec && !(where.is_inet() && where.port() == 0) &&
      !(where.family() == Family::local && where.path().empty() && !where.is_abstract());
  if (!named) throw_error(ec, op);
  std::string what(op);
  what.append(" ").append(prep);
  throw_error(ec, what, &where);
}

// -- connecting ------------------------------------------------------------------------------

Address Socket::resolve_for_use(const Address& address, std::error_code& ec) const {
  ec.clear();
  if (address.is_resolved()) return check_family(family_, address, ec);
  // Python's setipaddr(): resolve the name with this socket's family.
  addrinfo hints{};
  hints.ai_family = static_cast<int>(family_);
  addrinfo* res = nullptr;
  std::string name = address.host();
  int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    ec = rc == EAI_SYSTEM ? sys::last_error() : std::error_code(rc, gai_category());
    return {};
  }
  Address out = Address::from_sockaddr(res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  std::uint16_t port = htons(address.port());
  // sin_port and sin6_port sit at the same offset.
  std::memcpy(static_cast<std::byte*>(out.data()) + offsetof(sockaddr_in, sin_port), &port,
              sizeof port);
  return out;
}

void Socket::bind(const Address& address) {
  std::error_code ec;
  bind(address, ec);
  if (ec) throw_error(ec, "bind to", &address);
}

void Socket::bind(const Address& address, std::error_code& ec) noexcept {
  try {
    Address a = resolve_for_use(address, ec);
    if (!ec) sys::bind(fd_, a.data(), a.size(), ec);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
}

void Socket::listen(int backlog) {
  std::error_code ec;
  listen(backlog, ec);
  if (ec) throw_error(ec, "listen");
}

void Socket::listen(int backlog, std::error_code& ec) noexcept {
  sys::listen(fd_, backlog < 0 ? 0 : backlog, ec);  // Python clamps a negative backlog to 0
}

Accepted Socket::accept() {
  std::error_code ec;
  Accepted a = accept(ec);
  if (ec) raise(ec, "accept", "on");
  return a;
}

Accepted Socket::accept(std::error_code& ec) noexcept {
  Address peer;
  std::size_t len = Address::max_size;
  int fd = -1;
  detail::call(fd_, Want::read, detail::deadline_for(timeout_), ec, [&](std::error_code& e) {
    len = Address::max_size;
    fd = sys::accept(fd_, peer.data(), &len, e);
    return fd >= 0;
  });
  if (ec) return {};
  peer.resize(len);
  Accepted out{Socket(fd, family_, type_, proto_), peer};
  out.conn.remember_peer(peer);
  // Python: the new socket takes the default timeout, not the listener's.
  out.conn.timeout_ = getdefaulttimeout();
  out.conn.apply_timeout_mode(ec);
  return out;
}

void Socket::connect(const Address& address) {
  std::error_code ec;
  connect(address, ec);
  if (ec) throw_error(ec, "connect to", &address);
}

void Socket::connect(const Address& address, std::error_code& ec) noexcept {
  Address a;
  try {
    a = resolve_for_use(address, ec);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  if (ec) return;
  auto deadline = detail::deadline_for(timeout_);
  remember_peer(a);
  if (sys::connect(fd_, a.data(), a.size(), ec)) return;
  // The connection goes on in the kernel after EINTR (blocking or timeout; a non-blocking
  // socket reports InterruptedError, as Python's) or EINPROGRESS (timeout): wait for it to
  // finish, then read its result, as CPython's internal_connect does.
  bool in_progress = (ec == std::errc::interrupted && getblocking()) ||
                     (timeout_ && timeout_->count() > 0 && ec == std::errc::operation_in_progress);
  if (!in_progress) return;
  if (!detail::wait_until(fd_, Want::write, deadline, ec)) return;
  ec = sys::take_socket_error(fd_);
}

int Socket::connect_ex(const Address& address) noexcept {
  std::error_code ec;
  connect(address, ec);
  if (!ec) return 0;
  if (ec.category() == timeout_category()) return EAGAIN;  // as CPython reports a timeout
  if (ec.category() != std::system_category()) return EINVAL;
  return ec.value();
}

// -- sending ---------------------------------------------------------------------------------

std::size_t Socket::send(std::span<const std::byte> data, int flags) {
  std::error_code ec;
  std::size_t n = send(data, flags, ec);
  if (ec) raise(ec, "send", "to");
  return n;
}

std::size_t Socket::send(std::string_view data, int flags) {
  return send(bytes_of(data), flags);
}

std::size_t Socket::send(std::span<const std::byte> data, int flags, std::error_code& ec) noexcept {
  ssize_t n = 0;
  detail::call(fd_, Want::write, detail::deadline_for(timeout_), ec, [&](std::error_code& e) {
    n = sys::sendto(fd_, data.data(), data.size(), flags, nullptr, 0, e);
    return n >= 0;
  });
  return ec ? 0 : static_cast<std::size_t>(n);
}

void Socket::sendall(std::span<const std::byte> data, int flags) {
  std::error_code ec;
  sendall(data, flags, ec);
  if (ec) raise(ec, "sendall", "to");
}

void Socket::sendall(std::string_view data, int flags) {
  sendall(bytes_of(data), flags);
}

std::size_t Socket::sendall(std::span<const std::byte> data, int flags,
                            std::error_code& ec) noexcept {
  // One deadline for the whole call (Python >= 3.5), not one per send().
  auto deadline = detail::deadline_for(timeout_);
  std::size_t sent = 0;
  ec.clear();
  while (sent < data.size()) {
    ssize_t n = 0;
    auto rest = data.subspan(sent);
    if (!detail::call(fd_, Want::write, deadline, ec, [&](std::error_code& e) {
          n = sys::sendto(fd_, rest.data(), rest.size(), flags, nullptr, 0, e);
          return n >= 0;
        }))
      break;
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

std::size_t Socket::sendto(std::span<const std::byte> data, const Address& address, int flags) {
  std::error_code ec;
  std::size_t n = sendto(data, address, flags, ec);
  if (ec) throw_error(ec, "sendto", &address);
  return n;
}

std::size_t Socket::sendto(std::string_view data, const Address& address, int flags) {
  return sendto(bytes_of(data), address, flags);
}

std::size_t Socket::sendto(std::span<const std::byte> data, const Address& address, int flags,
                           std::error_code& ec) noexcept {
  Address a;
  try {
    a = resolve_for_use(address, ec);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  if (ec) return 0;
  ssize_t n = 0;
  detail::call(fd_, Want::write, detail::deadline_for(timeout_), ec, [&](std::error_code& e) {
    n = sys::sendto(fd_, data.data(), data.size(), flags, a.data(), a.size(), e);
    return n >= 0;
  });
  return ec ? 0 : static_cast<std::size_t>(n);
}

// -- receiving -------------------------------------------------------------------------------

std::string Socket::recv(std::size_t bufsize, int flags) {
  std::error_code ec;
  std::string data = recv(bufsize, flags, ec);
  if (ec) raise(ec, "recv", "from");
  return data;
}

std::string Socket::recv(std::size_t bufsize, int flags, std::error_code& ec) noexcept {
  if (bufsize == 0) {  // Python returns b'' without a system call (a datagram stays queued)
    ec.clear();
    return {};
  }
  std::string data;
  if (!sized_buffer(data, bufsize, ec)) return {};
  std::size_t n = recv_into(std::as_writable_bytes(std::span<char>(data)), 0, flags, ec);
  data.resize(n);
  return data;
}

std::size_t Socket::recv_into(std::span<std::byte> buffer, std::size_t nbytes, int flags) {
  if (nbytes > buffer.size())
    throw std::invalid_argument("recv_into: nbytes is greater than the buffer");
  std::error_code ec;
  std::size_t n = recv_into(buffer, nbytes, flags, ec);
  if (ec) raise(ec, "recv_into", "from");
  return n;
}

std::size_t Socket::recv_into(std::span<std::byte> buffer, std::size_t nbytes, int flags,
                              std::error_code& ec) noexcept {
  if (nbytes > buffer.size()) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return 0;
  }
  std::size_t want = nbytes ? nbytes : buffer.size();
  if (want == 0) {  // as Python: 0 at once, no system call, no wait, no datagram consumed
    ec.clear();
    return 0;
  }
  ssize_t n = 0;
  detail::call(fd_, Want::read, detail::deadline_for(timeout_), ec, [&](std::error_code& e) {
    n = sys::recvfrom(fd_, buffer.data(), want, flags, nullptr, nullptr, e);
    return n >= 0;
  });
  return ec ? 0 : static_cast<std::size_t>(n);
}

std::pair<std::string, Address> Socket::recvfrom(std::size_t bufsize, int flags) {
  std::error_code ec;
  auto result = recvfrom(bufsize, flags, ec);
  if (ec) raise(ec, "recvfrom", "from");
  return result;
}

std::pair<std::string, Address> Socket::recvfrom(std::size_t bufsize, int flags,
                                                 std::error_code& ec) noexcept {
  std::string data;
  if (!sized_buffer(data, bufsize, ec)) return {};
  auto [n, from] = recvfrom_into(std::as_writable_bytes(std::span<char>(data)), 0, flags, ec);
  data.resize(n);
  return {std::move(data), from};
}

std::pair<std::size_t, Address> Socket::recvfrom_into(std::span<std::byte> buffer,
                                                      std::size_t nbytes, int flags) {
  if (nbytes > buffer.size())
    throw std::invalid_argument("recvfrom_into: nbytes is greater than the buffer");
  std::error_code ec;
  auto result = recvfrom_into(buffer, nbytes, flags, ec);
  if (ec) raise(ec, "recvfrom_into", "from");
  return result;
}

std::pair<std::size_t, Address> Socket::recvfrom_into(std::span<std::byte> buffer,
                                                      std::size_t nbytes, int flags,
                                                      std::error_code& ec) noexcept {
  if (nbytes > buffer.size()) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {0, {}};
  }
  std::size_t want = nbytes ? nbytes : buffer.size();
  Address from;
  std::size_t len = 0;
  ssize_t n = 0;
  detail::call(fd_, Want::read, detail::deadline_for(timeout_), ec, [&](std::error_code& e) {
    len = Address::max_size;
    n = sys::recvfrom(fd_, buffer.data(), want, flags, from.data(), &len, e);
    return n >= 0;
  });
  if (ec) return {0, {}};
  from.resize(len);  // a connected TCP socket reports no address: Python's None
  return {static_cast<std::size_t>(n), from};
}

// -- state -----------------------------------------------------------------------------------

void Socket::shutdown(Shut how) {
  std::error_code ec;
  shutdown(how, ec);
  if (ec) raise(ec, "shutdown", "of");
}

void Socket::shutdown(Shut how, std::error_code& ec) noexcept {
  sys::shutdown(fd_, static_cast<int>(how), ec);
}

Address Socket::getsockname() const {
  std::error_code ec;
  Address a = getsockname(ec);
  if (ec) throw_error(ec, "getsockname");
  return a;
}

Address Socket::getsockname(std::error_code& ec) const noexcept {
  Address a;
  std::size_t len = Address::max_size;
  if (sys::getsockname(fd_, a.data(), &len, ec)) a.resize(len);
  return a;
}

Address Socket::getpeername() const {
  std::error_code ec;
  Address a = getpeername(ec);
  if (ec) throw_error(ec, "getpeername");
  return a;
}

Address Socket::getpeername(std::error_code& ec) const noexcept {
  Address a;
  std::size_t len = Address::max_size;
  if (sys::getpeername(fd_, a.data(), &len, ec)) a.resize(len);
  return a;
}

// -- blocking and timeouts -------------------------------------------------------------------

void Socket::apply_timeout_mode(std::error_code& ec) noexcept {
  ec.clear();
  // On a closed socket (fd -1) this reports EBADF, as Python's settimeout does.
  sys::set_nonblocking(fd_, timeout_.has_value(), ec);
}

void Socket::settimeout(Timeout timeout) {
  check_timeout(timeout);
  std::error_code ec;
  settimeout(timeout, ec);
  if (ec) throw_error(ec, "settimeout");
}

void Socket::settimeout(Timeout timeout, std::error_code& ec) noexcept {
  if (timeout && timeout->count() < 0) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return;
  }
  timeout_ = timeout;
  apply_timeout_mode(ec);
}

namespace {

// Python's checks of a float timeout: ValueError for negative and NaN, OverflowError when the
// nanoseconds do not fit in 64 bits.
void check_seconds(double seconds) {
  if (std::isnan(seconds)) throw std::invalid_argument("Invalid value NaN (not a number)");
  if (seconds < 0) throw std::invalid_argument("Timeout value out of range");
  if (!(seconds < 9.2e9)) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", seconds);
    throw OverflowError(std::string("settimeout: timeout must be at most 9.2e9 seconds, not ") +
                        text);
  }
}

Timeout to_timeout(double seconds) noexcept {
  // Rounded up, as Python's _PyTime_ROUND_TIMEOUT: 1e-10 s is 1 ns, never 0 (non-blocking).
  return Timeout(
      std::chrono::ceil<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds)));
}

}  // namespace

void Socket::settimeout(double seconds) {
  check_seconds(seconds);
  settimeout(to_timeout(seconds));
}

void Socket::settimeout(double seconds, std::error_code& ec) noexcept {
  if (std::isnan(seconds) || seconds < 0) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return;
  }
  if (!(seconds < 9.2e9)) {
    ec = std::make_error_code(std::errc::value_too_large);
    return;
  }
  settimeout(to_timeout(seconds), ec);
}

void Socket::setblocking(bool flag) {
  std::error_code ec;
  setblocking(flag, ec);
  if (ec) throw_error(ec, "setblocking");
}

void Socket::setblocking(bool flag, std::error_code& ec) noexcept {
  timeout_ = flag ? Timeout() : Timeout(std::chrono::nanoseconds(0));
  apply_timeout_mode(ec);
}

bool Socket::getblocking() const noexcept {
  return !timeout_ || timeout_->count() != 0;
}

}  // namespace soket
