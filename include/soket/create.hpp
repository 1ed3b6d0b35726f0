// SPDX-License-Identifier: MIT
// Convenience constructors: Python's create_connection, create_server, socketpair, fromfd, and
// the module-level dup/close on raw descriptors.
#pragma once

#include <chrono>
#include <optional>
#include <system_error>
#include <utility>

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/socket.hpp>

namespace soket {

/// Python's _GLOBAL_DEFAULT_TIMEOUT: "leave the socket with getdefaulttimeout()". A negative
/// duration, which settimeout never accepts, so it cannot be confused with a real timeout.
inline constexpr Timeout global_default_timeout = std::chrono::nanoseconds::min();

/// Python: create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT, source_address=None,
/// all_errors=False). Resolves address (host may be a name) for SOCK_STREAM and tries each
/// result in order, binding to source_address first if given. If none connects it throws the
/// last error (Python's raise) or, with all_errors, an error of the last one's class whose
/// message lists every attempt:
///   "create_connection localhost:9: connect to [::1]:9: Connection refused;
///    connect to 127.0.0.1:9: Connection refused"
/// A name that does not resolve throws gaierror.
Socket create_connection(const Address& address, Timeout timeout = global_default_timeout,
                         const std::optional<Address>& source_address = std::nullopt,
                         bool all_errors = false);
/// The same, reporting the last error in ec.
Socket create_connection(const Address& address, Timeout timeout,
                         const std::optional<Address>& source_address,
                         std::error_code& ec) noexcept;

/// Python: create_server(address, family=AF_INET, backlog=None, reuse_port=False,
/// dualstack_ipv6=False): a listening TCP (or Unix stream) socket with SO_REUSEADDR on, as
/// Python sets it on POSIX. On inet6, IPV6_V6ONLY is 1 unless dualstack_ipv6 asks for 0.
/// Throws std::invalid_argument for dualstack_ipv6 without Family::inet6, Error
/// "create_server: dualstack_ipv6 not supported on this platform" where it is missing, and
/// bind errors of the class Python raises, naming the address:
/// "create_server: bind to 127.0.0.1:80: Address already in use".
Socket create_server(const Address& address, Family family = Family::inet,
                     std::optional<int> backlog = std::nullopt, bool reuse_port = false,
                     bool dualstack_ipv6 = false);
/// The same, reporting the error in ec (std::errc::invalid_argument for the dualstack_ipv6
/// misuse above).
Socket create_server(const Address& address, Family family, std::optional<int> backlog,
                     bool reuse_port, bool dualstack_ipv6, std::error_code& ec) noexcept;

/// Python: socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0): two connected sockets, with
/// getdefaulttimeout().
std::pair<Socket, Socket> socketpair(Family family = Family::local, Type type = Type::stream,
                                     int proto = 0);
std::pair<Socket, Socket> socketpair(Family family, Type type, int proto,
                                     std::error_code& ec) noexcept;

/// Python: fromfd(fd, family, type, proto=0): a Socket on a duplicate of `fd` (which stays
/// open and owned by the caller). Python trusts the family/type/proto it is given; soket asks
/// the kernel (SO_DOMAIN/SO_TYPE/SO_PROTOCOL) and throws std::invalid_argument if family or
/// type disagree, so the Socket never misreports itself (proto 0 matches any protocol).
Socket fromfd(int fd, Family family, Type type, int proto = 0);
/// The same, reporting the error in ec (std::errc::invalid_argument for a mismatch).
Socket fromfd(int fd, Family family, Type type, int proto, std::error_code& ec) noexcept;

/// Python: socket.dup(fd): a close-on-exec duplicate descriptor (the caller owns it).
int dup(int fd);
int dup(int fd, std::error_code& ec) noexcept;
/// Python: socket.close(fd): closes a raw descriptor (ECONNRESET ignored, as Python does).
void close(int fd);
void close(int fd, std::error_code& ec) noexcept;

}  // namespace soket
