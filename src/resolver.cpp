// SPDX-License-Identifier: MIT
// The resolver on libc's reentrant calls (getaddrinfo, getnameinfo, gethostby*_r,
// getservby*_r, getprotobyname_r); errors follow Python's gaierror / herror / OSError.
#include <soket/resolver.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>

#include <soket/error.hpp>
#include <soket/socket.hpp>

#include "error_code_of.hpp"
#include "linux/result.hpp"
#include "lookup_error.hpp"

namespace soket {
namespace {

using detail::LookupError;

struct FreeAddrinfo {
  void operator()(addrinfo* p) const noexcept { ::freeaddrinfo(p); }
};
using AddrinfoList = std::unique_ptr<addrinfo, FreeAddrinfo>;

std::error_code gai_error(int rc) noexcept {
  return rc == EAI_SYSTEM ? sys::last_error() : std::error_code(rc, gai_category());
}

// Calls getaddrinfo with empty strings as NULL (Python's None).
AddrinfoList raw_getaddrinfo(const std::string& host, const std::string& service, int family,
                             int type, int proto, int flags, std::error_code& ec) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_protocol = proto;
  hints.ai_flags = flags;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                         service.empty() ? nullptr : service.c_str(), &hints, &res);
  if (rc != 0) {
    ec = gai_error(rc);
    return nullptr;
  }
  ec.clear();
  return AddrinfoList(res);
}

std::string gai_op(std::string_view host, std::string_view service) {
  std::string op = "getaddrinfo ";
  op.append(host.empty() ? service : host);
  return op;
}

std::string ntop(int family, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!::inet_ntop(family, addr, buf, sizeof buf)) return {};
  return buf;
}

// Python's gethost_common: a hostent as (name, aliases, addresses).
HostEntry from_hostent(const hostent& h) {
  HostEntry out;
  out.name = h.h_name ? h.h_name : "";
  for (char** a = h.h_aliases; a && *a; ++a) out.aliases.emplace_back(*a);
  for (char** a = h.h_addr_list; a && *a; ++a) out.addresses.push_back(ntop(h.h_addrtype, *a));
  return out;
}

// Runs a *_r lookup with a growing buffer until it stops reporting ERANGE.
template <class Fn>
int with_buffer(std::vector<char>& buf, Fn&& fn) {
  buf.resize(1024);
  for (;;) {
    int rc = fn(buf.data(), buf.size());
    if (rc != ERANGE || buf.size() >= (1u << 20)) return rc;
    buf.resize(buf.size() * 2);
  }
}

[[noreturn]] void throw_lookup(LookupError e, const std::string& op) {
  throw_error(detail::make_error(e), op);
}

// Python's setipaddr for the gethostby* family: the first address `name` resolves to.
Address first_address(std::string_view name, int family, std::string_view op) {
  // setipaddr's special names: '' is INADDR_ANY and '<broadcast>' INADDR_BROADCAST.
  if (name.empty() || name == "<broadcast>") return Address(name, 0);
  std::error_code ec;
  AddrinfoList res = raw_getaddrinfo(std::string(name), {}, family, 0, 0, 0, ec);
  if (ec) throw_error(ec, std::string(op).append(" ").append(name));
  return Address::from_sockaddr(res->ai_addr, res->ai_addrlen);
}

}  // namespace

std::string_view ipproto_name(int proto) noexcept {
  // The numbers of every IPPROTO_* name in Python 3.11's module; where two names share a
  // number, the one detailsocket.py's dict keeps (the later in dir() order).
  static constexpr std::pair<int, std::string_view> names[] = {
      {0, "IPPROTO_IP"},        {1, "IPPROTO_ICMP"},      {2, "IPPROTO_IGMP"},
      {4, "IPPROTO_IPIP"},      {6, "IPPROTO_TCP"},       {8, "IPPROTO_EGP"},
      {12, "IPPROTO_PUP"},      {17, "IPPROTO_UDP"},      {22, "IPPROTO_IDP"},
      {29, "IPPROTO_TP"},       {41, "IPPROTO_IPV6"},     {43, "IPPROTO_ROUTING"},
      {44, "IPPROTO_FRAGMENT"}, {46, "IPPROTO_RSVP"},     {47, "IPPROTO_GRE"},
      {50, "IPPROTO_ESP"},      {51, "IPPROTO_AH"},       {58, "IPPROTO_ICMPV6"},
      {59, "IPPROTO_NONE"},     {60, "IPPROTO_DSTOPTS"},  {103, "IPPROTO_PIM"},
      {132, "IPPROTO_SCTP"},    {136, "IPPROTO_UDPLITE"}, {255, "IPPROTO_RAW"},
      {262, "IPPROTO_MPTCP"},
  };
  for (const auto& [number, name] : names)
    if (number == proto) return name;
  return {};
}

// -- getaddrinfo / getnameinfo ---------------------------------------------------------------

std::vector<AddrInfo> getaddrinfo(std::string_view host, std::string_view service, Family family,
                                  Type type, int proto, int flags, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] {
    std::vector<AddrInfo> out;
    AddrinfoList res =
        raw_getaddrinfo(std::string(host), std::string(service), static_cast<int>(family),
                        static_cast<int>(type), proto, flags, ec);
    if (ec) return out;
    for (const addrinfo* p = res.get(); p; p = p->ai_next) {
      AddrInfo info;
      info.family = static_cast<Family>(p->ai_family);
      info.type = static_cast<Type>(p->ai_socktype);
      info.proto = p->ai_protocol;
      if (p->ai_canonname) info.canonname = p->ai_canonname;
      info.address = Address::from_sockaddr(p->ai_addr, p->ai_addrlen);
      out.push_back(std::move(info));
    }
    return out;
  });
}

std::vector<AddrInfo> getaddrinfo(std::string_view host, std::string_view service, Family family,
                                  Type type, int proto, int flags) {
  std::error_code ec;
  auto out = getaddrinfo(host, service, family, type, proto, flags, ec);
  if (ec) throw_error(ec, gai_op(host, service));
  return out;
}

std::vector<AddrInfo> getaddrinfo(std::string_view host, long long port, Family family, Type type,
                                  int proto, int flags) {
  std::string service = std::to_string(checked_narrow<std::uint16_t>(port, "port"));
  std::error_code ec;
  // Python passes an int port as a numeric service, so no /etc/services lookup happens.
  auto out = getaddrinfo(host, service, family, type, proto, flags | ai::numericserv, ec);
  if (ec) throw_error(ec, gai_op(host, service));
  return out;
}

NameInfo getnameinfo(const Address& address, int flags, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] {
    Address a = address;
    if (!a.is_resolved()) {
      // Python resolves the host with AI_NUMERICHOST: a name is an error, not a lookup.
      AddrinfoList res = raw_getaddrinfo(a.host(), std::to_string(a.port()), AF_UNSPEC, SOCK_DGRAM,
                                         0, AI_NUMERICHOST, ec);
      if (ec) return NameInfo{};
      a = Address::from_sockaddr(res->ai_addr, res->ai_addrlen);
    }
    char host[NI_MAXHOST] = {};
    char serv[NI_MAXSERV] = {};
    int rc = ::getnameinfo(static_cast<const sockaddr*>(a.data()), static_cast<socklen_t>(a.size()),
                           host, sizeof host, serv, sizeof serv, flags);
    if (rc != 0) {
      ec = gai_error(rc);
      return NameInfo{};
    }
    ec.clear();
    return NameInfo{host, serv};
  });
}

NameInfo getnameinfo(const Address& address, int flags) {
  std::error_code ec;
  NameInfo out = getnameinfo(address, flags, ec);
  if (ec) throw_error(ec, "getnameinfo " + address.to_string());  // names unresolved ones too
  return out;
}

// -- host names ------------------------------------------------------------------------------

std::string gethostname() {
  std::error_code ec;
  std::string name = gethostname(ec);
  if (ec) throw_error(ec, "gethostname");
  return name;
}

std::string gethostname(std::error_code& ec) noexcept {
  ec.clear();
  char buf[256] = {};  // HOST_NAME_MAX is 64 on Linux
  if (::gethostname(buf, sizeof buf - 1) != 0) {
    ec = sys::last_error();
    return {};
  }
  try {
    return buf;
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return {};
  }
}

std::string gethostbyname(std::string_view name) {
  return first_address(name, AF_INET, "gethostbyname").host();
}

HostEntry gethostbyname_ex(std::string_view name) {
  std::string op = std::string("gethostbyname_ex ").append(name);
  first_address(name, AF_INET, "gethostbyname_ex");  // Python: gaierror for a bad name first
  std::string n(name);
  hostent entry{};
  hostent* found = nullptr;
  int herr = 0;
  std::vector<char> buf;
  int rc = with_buffer(buf, [&](char* b, std::size_t len) {
    return ::gethostbyname_r(n.c_str(), &entry, b, len, &found, &herr);
  });
  if (rc != 0 && rc != ERANGE && !found && herr == 0)
    throw_error(std::error_code(rc, std::system_category()), op);
  if (!found) throw_error(std::error_code(herr ? herr : HOST_NOT_FOUND, herror_category()), op);
  return from_hostent(*found);
}

HostEntry gethostbyaddr(std::string_view address) {
  std::string op = std::string("gethostbyaddr ").append(address);
  Address a = first_address(address, AF_UNSPEC, "gethostbyaddr");
  const void* raw = nullptr;
  socklen_t len = 0;
  if (a.family() == Family::inet) {
    raw = &static_cast<const sockaddr_in*>(a.data())->sin_addr;
    len = sizeof(in_addr);
  } else {
    raw = &static_cast<const sockaddr_in6*>(a.data())->sin6_addr;
    len = sizeof(in6_addr);
  }
  hostent entry{};
  hostent* found = nullptr;
  int herr = 0;
  std::vector<char> buf;
  int family = static_cast<int>(a.family());
  int rc = with_buffer(buf, [&](char* b, std::size_t n) {
    return ::gethostbyaddr_r(raw, len, family, &entry, b, n, &found, &herr);
  });
  if (rc != 0 && rc != ERANGE && !found && herr == 0)
    throw_error(std::error_code(rc, std::system_category()), op);
  if (!found) throw_error(std::error_code(herr ? herr : HOST_NOT_FOUND, herror_category()), op);
  return from_hostent(*found);
}

std::string getfqdn(std::string_view name) {
  auto first = name.find_first_not_of(" \t\r\n");
  auto last = name.find_last_not_of(" \t\r\n");
  std::string n(first == std::string_view::npos ? "" : name.substr(first, last - first + 1));
  if (n.empty() || n == "0.0.0.0" || n == "::") n = gethostname();
  try {
    HostEntry h = gethostbyaddr(n);
    // Python: the first of [hostname] + aliases with a dot, else the hostname.
    if (h.name.find('.') != std::string::npos) return h.name;
    for (const auto& alias : h.aliases)
      if (alias.find('.') != std::string::npos) return alias;
    return h.name;
  } catch (const Error&) {
    return n;
  }
}

// -- services and protocols ------------------------------------------------------------------

std::uint16_t getservbyname(std::string_view name, std::string_view proto) {
  std::string n(name), p(proto);
  servent entry{};
  servent* found = nullptr;
  std::vector<char> buf;
  with_buffer(buf, [&](char* b, std::size_t len) {
    return ::getservbyname_r(n.c_str(), p.empty() ? nullptr : p.c_str(), &entry, b, len, &found);
  });
  if (!found)
    throw_lookup(LookupError::service_not_found, "getservbyname " + n + (p.empty() ? "" : "/" + p));
  return ntohs(static_cast<std::uint16_t>(found->s_port));
}

std::string getservbyport(long long checked_port, std::string_view proto) {
  const auto port = checked_narrow<std::uint16_t>(checked_port, "getservbyport: port");
  std::string p(proto);
  servent entry{};
  servent* found = nullptr;
  std::vector<char> buf;
  with_buffer(buf, [&](char* b, std::size_t len) {
    return ::getservbyport_r(static_cast<int>(htons(port)), p.empty() ? nullptr : p.c_str(), &entry,
                             b, len, &found);
  });
  if (!found)
    throw_lookup(LookupError::port_not_found,
                 "getservbyport " + std::to_string(port) + (p.empty() ? "" : "/" + p));
  return found->s_name;
}

int getprotobyname(std::string_view name) {
  std::string n(name);
  protoent entry{};
  protoent* found = nullptr;
  std::vector<char> buf;
  with_buffer(buf, [&](char* b, std::size_t len) {
    return ::getprotobyname_r(n.c_str(), &entry, b, len, &found);
  });
  if (!found) throw_lookup(LookupError::protocol_not_found, "getprotobyname " + n);
  return found->p_proto;
}

// -- interfaces ------------------------------------------------------------------------------

std::vector<std::pair<unsigned, std::string>> if_nameindex() {
  struct Free {
    void operator()(struct if_nameindex* p) const noexcept { ::if_freenameindex(p); }
  };
  std::unique_ptr<struct if_nameindex, Free> list(::if_nameindex());
  if (!list) throw_error(sys::last_error(), "if_nameindex");
  std::vector<std::pair<unsigned, std::string>> out;
  for (auto* p = list.get(); p->if_index != 0 || p->if_name; ++p)
    out.emplace_back(p->if_index, p->if_name);
  return out;
}

unsigned if_nametoindex(std::string_view name, std::error_code& ec) noexcept {
  char buf[IF_NAMESIZE + 1] = {};
  if (name.empty() || name.size() > IF_NAMESIZE) {
    ec = detail::make_error(LookupError::no_interface);
    return 0;
  }
  std::memcpy(buf, name.data(), name.size());
  unsigned index = ::if_nametoindex(buf);
  if (index == 0) {
    ec = detail::make_error(LookupError::no_interface);
    return 0;
  }
  ec.clear();
  return index;
}

unsigned if_nametoindex(std::string_view name) {
  std::error_code ec;
  unsigned index = if_nametoindex(name, ec);
  if (ec) throw_error(ec, std::string("if_nametoindex ").append(name));
  return index;
}

std::string if_indextoname(unsigned index) {
  char buf[IF_NAMESIZE + 1] = {};
  if (!::if_indextoname(index, buf))
    throw_error(sys::last_error(), "if_indextoname " + std::to_string(index));
  return buf;
}

bool has_dualstack_ipv6() noexcept {
  std::error_code ec;
  Socket s(Family::inet6, Type::stream, 0, ec);
  if (ec) return false;
  s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0, ec);
  return !ec;
}

// -- error_code twins of the legacy lookups ---------------------------------------------------

std::string gethostbyname(std::string_view name, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return gethostbyname(name); });
}

HostEntry gethostbyname_ex(std::string_view name, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return gethostbyname_ex(name); });
}

HostEntry gethostbyaddr(std::string_view address, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return gethostbyaddr(address); });
}

std::uint16_t getservbyname(std::string_view name, std::string_view proto,
                            std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return getservbyname(name, proto); });
}

std::string getservbyport(long long port, std::string_view proto, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return getservbyport(port, proto); });
}

int getprotobyname(std::string_view name, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return getprotobyname(name); });
}

std::vector<std::pair<unsigned, std::string>> if_nameindex(std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [] { return if_nameindex(); });
}

std::string if_indextoname(unsigned index, std::error_code& ec) noexcept {
  return detail::error_code_of(ec, [&] { return if_indextoname(index); });
}

}  // namespace soket
