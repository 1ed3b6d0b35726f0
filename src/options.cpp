// SPDX-License-Identifier: MIT
// Typed socket options: the kernel's level/name for each opt::Id, and each value type's
// encoding (int, timeval, linger, ip_mreq, interface name).
#include <soket/options.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <soket/error.hpp>

#include "linux/socket.hpp"

namespace soket::opt {
namespace {

struct Entry {
  Id id;
  int level;
  int name;
  std::string_view text;
};

// Indexed by Id, in its order (checked below).
constexpr Entry table[] = {
    {Id::reuse_address, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"},
    {Id::reuse_port, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"},
    {Id::keep_alive, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},
    {Id::keep_idle, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"},
    {Id::keep_interval, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
    {Id::keep_count, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},
    {Id::no_delay, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"},
    {Id::receive_buffer_size, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"},
    {Id::send_buffer_size, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"},
    {Id::linger, SOL_SOCKET, SO_LINGER, "SO_LINGER"},
    {Id::broadcast, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST"},
    {Id::error, SOL_SOCKET, SO_ERROR, "SO_ERROR"},
    {Id::type, SOL_SOCKET, SO_TYPE, "SO_TYPE"},
    {Id::domain, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN"},
    {Id::protocol, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL"},
    {Id::accept_connection, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN"},
    {Id::v6_only, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY"},
    {Id::ttl, IPPROTO_IP, IP_TTL, "IP_TTL"},
    {Id::multicast_ttl, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL"},
    {Id::multicast_loop, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP"},
    {Id::multicast_if, IPPROTO_IP, IP_MULTICAST_IF, "IP_MULTICAST_IF"},
    {Id::add_membership, IPPROTO_IP, IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP"},
    {Id::drop_membership, IPPROTO_IP, IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP"},
    {Id::bind_to_device, SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE"},
    {Id::user_timeout, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
    {Id::receive_timeout, SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO"},
    {Id::send_timeout, SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO"},
};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < std::size(table); ++i)
    if (static_cast<std::size_t>(table[i].id) != i) return false;
  return true;
}
static_assert(table_in_order(), "opt::table must list every Id in declaration order");
static_assert(std::size(table) == static_cast<std::size_t>(Id::send_timeout) + 1);

const Entry& entry(Id id) noexcept {
  return table[static_cast<std::size_t>(id)];
}

// The option's bytes as the kernel takes them.
struct Buffer {
  alignas(8) unsigned char data[IFNAMSIZ + 16] = {};
  std::size_t size = 0;

  template <class V>
  void put(const V& v) noexcept {
    static_assert(sizeof(V) <= sizeof data);
    std::memcpy(data, &v, sizeof v);
    size = sizeof v;
  }
  template <class V>
  V take() const noexcept {
    V v{};
    std::memcpy(&v, data, std::min(size, sizeof v));
    return v;
  }
};

bool fits_int(long long v) noexcept {
  return v >= 0 && v <= std::numeric_limits<int>::max();
}

bool parse_ipv4(const std::string& text, in_addr& out) noexcept {
  return text.find('\0') == std::string::npos && ::inet_pton(AF_INET, text.c_str(), &out) == 1;
}

std::string format_ipv4(const in_addr& a) {
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

// -- encode: value -> bytes; false means the value is out of range ---------------------------

bool encode(Id, bool v, Buffer& b) {
  b.put(int{v ? 1 : 0});
  return true;
}
bool encode(Id, int v, Buffer& b) {
  b.put(v);
  return true;
}
bool encode(Id, Seconds v, Buffer& b) {
  if (!fits_int(v.count())) return false;
  b.put(static_cast<int>(v.count()));
  return true;
}
bool encode(Id, Milliseconds v, Buffer& b) {
  if (v.count() < 0 || v.count() > std::numeric_limits<unsigned>::max()) return false;
  b.put(static_cast<unsigned>(v.count()));
  return true;
}
bool encode(Id, Microseconds v, Buffer& b) {
  if (v.count() < 0) return false;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(v.count() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(v.count() % 1000000);
  b.put(tv);
  return true;
}
bool encode(Id, const std::optional<Seconds>& v, Buffer& b) {
  ::linger l{};
  if (v) {
    if (!fits_int(v->count())) return false;
    l.l_onoff = 1;
    l.l_linger = static_cast<int>(v->count());
  }
  b.put(l);
  return true;
}
bool encode(Id id, const std::string& v, Buffer& b) {
  if (id == Id::multicast_if) {
    in_addr a{};
    if (!parse_ipv4(v, a)) return false;
    b.put(a);
    return true;
  }
  // SO_BINDTODEVICE: the interface name without its NUL; "" unbinds.
  if (v.size() >= IFNAMSIZ) return false;
  std::memcpy(b.data, v.data(), v.size());
  b.size = v.size();
  return true;
}
bool encode(Id, const Membership& v, Buffer& b) {
  ip_mreq m{};
  if (!parse_ipv4(v.group, m.imr_multiaddr) || !parse_ipv4(v.interface, m.imr_interface))
    return false;
  b.put(m);
  return true;
}

// -- decode: bytes -> value ------------------------------------------------------------------

void decode(Id, const Buffer& b, bool& v) {
  v = b.take<int>() != 0;
}
void decode(Id, const Buffer& b, int& v) {
  v = b.take<int>();
}
void decode(Id, const Buffer& b, Seconds& v) {
  v = Seconds(b.take<int>());
}
void decode(Id, const Buffer& b, Milliseconds& v) {
  v = Milliseconds(b.take<unsigned>());
}
void decode(Id, const Buffer& b, Microseconds& v) {
  auto tv = b.take<timeval>();
  v = Microseconds(static_cast<long long>(tv.tv_sec) * 1000000 + tv.tv_usec);
}
void decode(Id, const Buffer& b, std::optional<Seconds>& v) {
  auto l = b.take<::linger>();
  v = l.l_onoff ? std::optional<Seconds>(Seconds(l.l_linger)) : std::nullopt;
}
void decode(Id id, const Buffer& b, std::string& v) {
  if (id == Id::multicast_if) {
    v = format_ipv4(b.take<in_addr>());
    return;
  }
  const char* p = reinterpret_cast<const char*>(b.data);
  v.assign(p, strnlen(p, b.size));
}
void decode(Id, const Buffer& b, std::error_code& v) {
  int err = b.take<int>();
  v = err ? std::error_code(err, std::system_category()) : std::error_code();
}
void decode(Id, const Buffer& b, Type& v) {
  v = static_cast<Type>(b.take<int>());
}
void decode(Id, const Buffer& b, Family& v) {
  v = static_cast<Family>(b.take<int>());
}

std::string op_name(std::string_view verb, Id id) {
  return std::string(verb).append(" ").append(entry(id).text);
}

}  // namespace

template <class T, Access A>
int Option<T, A>::level() const noexcept {
  return entry(id).level;
}

template <class T, Access A>
int Option<T, A>::optname() const noexcept {
  return entry(id).name;
}

template <class T, Access A>
std::string_view Option<T, A>::name() const noexcept {
  return entry(id).text;
}

template <class T, Access A>
void Option<T, A>::set(Socket& s, const T& value,
                       std::error_code& ec) const noexcept requires settable {
  Buffer b;
  try {
    if (!encode(id, value, b)) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return;
    }
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return;
  }
  sys::setsockopt(s.fileno(), level(), optname(), b.data, b.size, ec);
}

template <class T, Access A>
void Option<T, A>::set(Socket& s, const T& value) const requires settable {
  Buffer b;
  if (!encode(id, value, b))
    throw std::invalid_argument(op_name("setsockopt", id) + ": value out of range");
  std::error_code ec;
  sys::setsockopt(s.fileno(), level(), optname(), b.data, b.size, ec);
  if (ec) throw_error(ec, op_name("setsockopt", id));
}

template <class T, Access A>
T Option<T, A>::get(const Socket& s, std::error_code& ec) const noexcept requires gettable {
  Buffer b;
  b.size = sizeof b.data;
  T value{};
  if (!sys::getsockopt(s.fileno(), level(), optname(), b.data, &b.size, ec)) return value;
  try {
    decode(id, b, value);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  return value;
}

template <class T, Access A>
T Option<T, A>::get(const Socket& s) const requires gettable {
  std::error_code ec;
  T value = get(s, ec);
  if (ec) throw_error(ec, op_name("getsockopt", id));
  return value;
}

// Every value type the constants in options.hpp use.
template struct Option<bool>;
template struct Option<int>;
template struct Option<Seconds>;
template struct Option<Milliseconds>;
template struct Option<Microseconds>;
template struct Option<std::optional<Seconds>>;
template struct Option<std::string>;
template struct Option<std::error_code, Access::read_only>;
template struct Option<Type, Access::read_only>;
template struct Option<Family, Access::read_only>;
template struct Option<int, Access::read_only>;
template struct Option<bool, Access::read_only>;
template struct Option<Membership, Access::write_only>;

}  // namespace soket::opt

namespace soket {

// -- Socket's raw options: Python's setsockopt/getsockopt with numbers -----------------------

void Socket::setsockopt(int level, int optname, int value) {
  std::error_code ec;
  setsockopt(level, optname, value, ec);
  if (ec) throw_error(ec, "setsockopt");
}

void Socket::setsockopt(int level, int optname, int value, std::error_code& ec) noexcept {
  sys::setsockopt(fd_, level, optname, &value, sizeof value, ec);
}

int Socket::getsockopt(int level, int optname) const {
  std::error_code ec;
  int value = getsockopt(level, optname, ec);
  if (ec) throw_error(ec, "getsockopt");
  return value;
}

int Socket::getsockopt(int level, int optname, std::error_code& ec) const noexcept {
  int value = 0;
  std::size_t len = sizeof value;
  sys::getsockopt(fd_, level, optname, &value, &len, ec);
  return value;
}

void Socket::setsockopt(int level, int optname, std::span<const std::byte> value) {
  std::error_code ec;
  setsockopt(level, optname, value, ec);
  if (ec) throw_error(ec, "setsockopt");
}

void Socket::setsockopt(int level, int optname, std::span<const std::byte> value,
                        std::error_code& ec) noexcept {
  sys::setsockopt(fd_, level, optname, value.data(), value.size(), ec);
}

std::string Socket::getsockopt(int level, int optname, std::size_t buflen) const {
  // Python caps buflen at 1024 too: option values are small.
  if (buflen == 0 || buflen > 1024) throw std::invalid_argument("getsockopt buflen out of range");
  std::error_code ec;
  std::string value = getsockopt(level, optname, buflen, ec);
  if (ec) throw_error(ec, "getsockopt");
  return value;
}

std::string Socket::getsockopt(int level, int optname, std::size_t buflen,
                               std::error_code& ec) const noexcept {
  if (buflen == 0 || buflen > 1024) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  char value[1024];
  std::size_t len = buflen;
  if (!sys::getsockopt(fd_, level, optname, value, &len, ec)) return {};
  try {
    return std::string(value, len);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return {};
  }
}

}  // namespace soket
