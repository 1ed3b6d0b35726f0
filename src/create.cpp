// SPDX-License-Identifier: MIT
// create_connection, create_server, socketpair, fromfd: Python's socket.py helpers.
#include <soket/create.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include <soket/error.hpp>
#include <soket/options.hpp>
#include <soket/owned_fd.hpp>
#include <soket/resolver.hpp>

#include "linux/fd.hpp"
#include "linux/socket.hpp"
#include "lookup_error.hpp"

namespace soket {
namespace {

struct Attempt {
  std::error_code ec;
  std::string what;  // "connect to 127.0.0.1:9: Connection refused"
};

// One create_connection attempt, as the loop body in Python's socket.py.
Socket try_connect(const AddrInfo& ai, Timeout timeout, const std::optional<Address>& source,
                   Attempt& failure) {
  std::error_code ec;
  Socket s(ai.family, ai.type, ai.proto, ec);
  if (ec) {
    failure = {ec, describe("socket(" + std::string(short_name(ai.family)) + ", stream)", nullptr)};
    return {};
  }
  if (timeout != global_default_timeout) s.settimeout(timeout);
  if (source) {
    s.bind(*source, ec);
    if (ec) {
      failure = {ec, describe("bind to", &*source)};
      return {};
    }
  }
  s.connect(ai.address, ec);
  if (ec) {
    failure = {ec, describe("connect to", &ai.address)};
    return {};
  }
  return s;
}

Socket connect_any(const Address& address, Timeout timeout, const std::optional<Address>& source,
                   std::vector<Attempt>& failures, std::error_code& ec) {
  auto results = getaddrinfo(address.host(), std::to_string(address.port()), Family::unspec,
                             Type::stream, 0, ai::numericserv, ec);
  if (ec) return {};
  for (const AddrInfo& ai : results) {
    Attempt failure;
    Socket s = try_connect(ai, timeout, source, failure);
    if (s) {
      ec.clear();
      return s;
    }
    failures.push_back(std::move(failure));
  }
  ec =
      failures.empty() ? detail::make_error(detail::LookupError::empty_result) : failures.back().ec;
  return {};
}

}  // namespace

Socket create_connection(const Address& address, Timeout timeout,
                         const std::optional<Address>& source_address,
                         std::error_code& ec) noexcept {
  try {
    std::vector<Attempt> failures;
    return connect_any(address, timeout, source_address, failures, ec);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  } catch (const std::invalid_argument&) {
    ec = std::make_error_code(std::errc::invalid_argument);  // a negative timeout
  }
  return {};
}

Socket create_connection(const Address& address, Timeout timeout,
                         const std::optional<Address>& source_address, bool all_errors) {
  std::vector<Attempt> failures;
  std::error_code ec;
  Socket s = connect_any(address, timeout, source_address, failures, ec);
  if (!ec) return s;
  if (failures.empty()) {  // nothing to try: the name did not resolve, or resolved to nothing
    bool no_results = ec.category() == detail::lookup_category();
    throw_error(ec, no_results ? "create_connection " + address.to_string()
                               : "getaddrinfo " + address.host());
  }
  if (!all_errors) throw_error(ec, failures.back().what);
  // Every attempt but the last with its message; throw_error appends the last one's.
  std::string what = "create_connection " + address.to_string() + ": ";
  for (std::size_t i = 0; i + 1 < failures.size(); ++i)
    what.append(failures[i].what).append(": ").append(failures[i].ec.message()).append("; ");
  what.append(failures.back().what);
  throw_error(ec, what);
}

Socket create_server(const Address& address, Family family, std::optional<int> backlog,
                     bool reuse_port, bool dualstack_ipv6) {
  if (dualstack_ipv6) {
    if (!has_dualstack_ipv6())
      throw_error(detail::make_error(detail::LookupError::dualstack_unsupported), "create_server");
    if (family != Family::inet6)
      throw std::invalid_argument("create_server: dualstack_ipv6 requires AF_INET6 family");
  }
  std::error_code ec;
  Socket s = create_server(address, family, backlog, reuse_port, dualstack_ipv6, ec);
  if (ec) throw_error(ec, "create_server: bind to", &address);
  return s;
}

Socket create_server(const Address& address, Family family, std::optional<int> backlog,
                     bool reuse_port, bool dualstack_ipv6, std::error_code& ec) noexcept {
  if (dualstack_ipv6 && (family != Family::inet6 || !has_dualstack_ipv6())) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  Socket s(family, Type::stream, 0, ec);
  if (!ec) s.setsockopt(opt::reuse_address, true, ec);
  if (!ec && reuse_port) s.setsockopt(opt::reuse_port, true, ec);
  if (!ec && family == Family::inet6) s.setsockopt(opt::v6_only, !dualstack_ipv6, ec);
  if (!ec) s.bind(address, ec);
  if (!ec) s.listen(backlog ? *backlog : 128, ec);
  if (ec) return {};
  return s;
}

std::pair<Socket, Socket> socketpair(Family family, Type type, int proto,
                                     std::error_code& ec) noexcept {
  int fds[2] = {-1, -1};
  if (!sys::socketpair(static_cast<int>(family), static_cast<int>(type), proto, fds, ec)) return {};
  OwnedFd first(fds[0]), second(fds[1]);  // until a Socket owns each
  // adopt() reads family/type/proto back and applies getdefaulttimeout(), as Python's
  // socket(family, type, proto, fileno) does. It owns the fd only when it succeeds.
  Socket a = Socket::adopt(first.get(), ec);
  if (ec) return {};
  first.release();
  Socket b = Socket::adopt(second.get(), ec);
  if (ec) return {};
  second.release();
  return {std::move(a), std::move(b)};
}

std::pair<Socket, Socket> socketpair(Family family, Type type, int proto) {
  std::error_code ec;
  auto pair = socketpair(family, type, proto, ec);
  if (ec) {
    std::string op = "socketpair(";
    op.append(short_name(family)).append(", ").append(short_name(type)).append(")");
    throw_error(ec, op);
  }
  return pair;
}

namespace {

bool same_kind(const Socket& s, Family family, Type type, int proto) noexcept {
  return s.family() == family && s.type() == type && (proto == 0 || s.proto() == proto);
}

}  // namespace

Socket fromfd(int fd, Family family, Type type, int proto) {
  std::error_code ec;
  Socket s = fromfd(fd, family, type, proto, ec);
  if (ec == std::errc::invalid_argument && fd >= 0) {
    // Say what the descriptor really is: the kernel's answer, not the caller's guess.
    std::error_code ignored;
    Socket actual = fromfd(fd, Family::unspec, Type{}, 0, ignored);
    std::string what = "fromfd " + std::to_string(fd) + ": the descriptor is a (" +
                       std::string(short_name(actual.family())) + ", " +
                       std::string(short_name(actual.type())) + ", " +
                       std::to_string(actual.proto()) + ") socket, not (" +
                       std::string(short_name(family)) + ", " + std::string(short_name(type)) +
                       ", " + std::to_string(proto) + ")";
    throw std::invalid_argument(what);
  }
  if (ec) throw_error(ec, "fromfd " + std::to_string(fd));
  return s;
}

Socket fromfd(int fd, Family family, Type type, int proto, std::error_code& ec) noexcept {
  OwnedFd copy(sys::dup(fd, ec));
  if (ec) return {};
  Socket s = Socket::adopt(copy.get(), ec);
  if (ec) return {};
  copy.release();  // the Socket owns it now
  // Family::unspec asks for whatever it is (used above to name a mismatch).
  if (family != Family::unspec && !same_kind(s, family, type, proto)) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  return s;
}

int dup(int fd) {
  std::error_code ec;
  int copy = dup(fd, ec);
  if (ec) throw_error(ec, "dup " + std::to_string(fd));
  return copy;
}

int dup(int fd, std::error_code& ec) noexcept {
  return sys::dup(fd, ec);
}

void close(int fd) {
  std::error_code ec;
  close(fd, ec);
  if (ec) throw_error(ec, "close " + std::to_string(fd));
}

void close(int fd, std::error_code& ec) noexcept {
  // Python's socket.close(fd) ignores ECONNRESET as socket.close() does.
  if (!sys::close(fd, ec) && ec == std::errc::connection_reset) ec.clear();
}

}  // namespace soket
