// SPDX-License-Identifier: MIT
// Typed socket options (Asio's socket_base::reuse_address, kept simple):
//   s.setsockopt(soket::opt::reuse_address, true);
//   bool on = s.getsockopt(soket::opt::reuse_address);
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <soket/constants.hpp>
#include <soket/socket.hpp>

namespace soket::opt {

/// Which option: an index into the table of kernel levels and names in src/options.cpp (public
/// headers carry no OS numbers).
enum class Id : int {
  reuse_address,
  reuse_port,
  keep_alive,
  keep_idle,
  keep_interval,
  keep_count,
  no_delay,
  receive_buffer_size,
  send_buffer_size,
  linger,
  broadcast,
  error,
  type,
  domain,
  protocol,
  accept_connection,
  v6_only,
  ttl,
  multicast_ttl,
  multicast_loop,
  multicast_if,
  add_membership,
  drop_membership,
  bind_to_device,
  user_timeout,
  receive_timeout,
  send_timeout,
};

enum class Access { read_write, read_only, write_only };

/// One socket option whose value is a T. Use the constants below rather than building these.
/// Errors name the option: "setsockopt SO_BINDTODEVICE: No such device".
template <class T, Access A = Access::read_write>
struct Option {
  using value_type = T;
  static constexpr bool settable = A != Access::read_only;
  static constexpr bool gettable = A != Access::write_only;
  Id id;

  void set(Socket& s, const T& value) const requires settable;
  void set(Socket& s, const T& value, std::error_code& ec) const noexcept requires settable;
  T get(const Socket& s) const requires gettable;
  T get(const Socket& s, std::error_code& ec) const noexcept requires gettable;

  /// The kernel's level and option name (SOL_SOCKET, SO_REUSEADDR) and the macro's spelling.
  int level() const noexcept;
  int optname() const noexcept;
  std::string_view name() const noexcept;
};

/// IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: an IPv4 multicast group, joined on the interface
/// with address `interface` ("0.0.0.0": let the kernel choose).
struct Membership {
  std::string group;
  std::string interface = "0.0.0.0";
};

using Seconds = std::chrono::seconds;
using Milliseconds = std::chrono::milliseconds;
using Microseconds = std::chrono::microseconds;

// SOL_SOCKET
inline constexpr Option<bool> reuse_address{Id::reuse_address};  ///< SO_REUSEADDR
inline constexpr Option<bool> reuse_port{Id::reuse_port};        ///< SO_REUSEPORT
inline constexpr Option<bool> keep_alive{Id::keep_alive};        ///< SO_KEEPALIVE
inline constexpr Option<bool> broadcast{Id::broadcast};          ///< SO_BROADCAST
/// SO_RCVBUF / SO_SNDBUF in bytes. Linux doubles what is set and reports the doubled value.
inline constexpr Option<int> receive_buffer_size{Id::receive_buffer_size};
inline constexpr Option<int> send_buffer_size{Id::send_buffer_size};
/// SO_LINGER: std::nullopt is off; a duration makes close() wait up to that long (0: reset).
inline constexpr Option<std::optional<Seconds>> linger{Id::linger};
/// SO_ERROR: the pending error (clears it), as std::error_code; empty if none.
inline constexpr Option<std::error_code, Access::read_only> error{Id::error};
inline constexpr Option<Type, Access::read_only> type{Id::type};         ///< SO_TYPE
inline constexpr Option<Family, Access::read_only> domain{Id::domain};   ///< SO_DOMAIN
inline constexpr Option<int, Access::read_only> protocol{Id::protocol};  ///< SO_PROTOCOL
/// SO_ACCEPTCONN: whether listen() was called.
inline constexpr Option<bool, Access::read_only> accept_connection{Id::accept_connection};
/// SO_BINDTODEVICE: an interface name ("lo"); "" unbinds. Setting needs CAP_NET_RAW.
inline constexpr Option<std::string> bind_to_device{Id::bind_to_device};
/// SO_RCVTIMEO / SO_SNDTIMEO: the kernel's own blocking timeouts (0: none). Prefer
/// Socket::settimeout, which also covers connect and accept; these are for fds handed to
/// other code.
inline constexpr Option<Microseconds> receive_timeout{Id::receive_timeout};
inline constexpr Option<Microseconds> send_timeout{Id::send_timeout};

// IPPROTO_TCP
inline constexpr Option<bool> no_delay{Id::no_delay};                  ///< TCP_NODELAY
inline constexpr Option<Seconds> keep_idle{Id::keep_idle};             ///< TCP_KEEPIDLE
inline constexpr Option<Seconds> keep_interval{Id::keep_interval};     ///< TCP_KEEPINTVL
inline constexpr Option<int> keep_count{Id::keep_count};               ///< TCP_KEEPCNT
inline constexpr Option<Milliseconds> user_timeout{Id::user_timeout};  ///< TCP_USER_TIMEOUT

// IPPROTO_IP / IPPROTO_IPV6
inline constexpr Option<int> ttl{Id::ttl};                         ///< IP_TTL
inline constexpr Option<int> multicast_ttl{Id::multicast_ttl};     ///< IP_MULTICAST_TTL
inline constexpr Option<bool> multicast_loop{Id::multicast_loop};  ///< IP_MULTICAST_LOOP
/// IP_MULTICAST_IF: the IPv4 address of the interface multicast leaves by ("0.0.0.0": default).
inline constexpr Option<std::string> multicast_if{Id::multicast_if};
inline constexpr Option<Membership, Access::write_only> add_membership{Id::add_membership};
inline constexpr Option<Membership, Access::write_only> drop_membership{Id::drop_membership};
inline constexpr Option<bool> v6_only{Id::v6_only};  ///< IPV6_V6ONLY

}  // namespace soket::opt
