// SPDX-License-Identifier: MIT
// The resolver: Python's getaddrinfo, getnameinfo, gethostby*, getservby*, getprotobyname and
// the network-interface functions, on the reentrant libc calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <soket/address.hpp>
#include <soket/constants.hpp>

namespace soket {

/// Python: socket.AI_* flags for getaddrinfo, combined with |. Values equal the libc macros
/// (checked in src/linux/).
namespace ai {
inline constexpr int passive = 0x0001;      ///< AI_PASSIVE: wildcard address for bind()
inline constexpr int canonname = 0x0002;    ///< AI_CANONNAME: fill in canonname
inline constexpr int numerichost = 0x0004;  ///< AI_NUMERICHOST: no name lookup
inline constexpr int v4mapped = 0x0008;     ///< AI_V4MAPPED
inline constexpr int all = 0x0010;          ///< AI_ALL
inline constexpr int addrconfig = 0x0020;   ///< AI_ADDRCONFIG
inline constexpr int numericserv = 0x0400;  ///< AI_NUMERICSERV: no service-name lookup
}  // namespace ai

/// Python: socket.NI_* flags for getnameinfo.
namespace ni {
inline constexpr int numerichost = 1;  ///< NI_NUMERICHOST
inline constexpr int numericserv = 2;  ///< NI_NUMERICSERV
inline constexpr int nofqdn = 4;       ///< NI_NOFQDN
inline constexpr int namereqd = 8;     ///< NI_NAMEREQD
inline constexpr int dgram = 16;       ///< NI_DGRAM
inline constexpr int maxhost = 1025;   ///< NI_MAXHOST
inline constexpr int maxserv = 32;     ///< NI_MAXSERV
}  // namespace ni

/// Python: socket.EAI_* error codes: the value() of a gaierror's code() (gai_category()).
namespace eai {
inline constexpr int badflags = -1;    ///< EAI_BADFLAGS
inline constexpr int noname = -2;      ///< EAI_NONAME: "Name or service not known"
inline constexpr int again = -3;       ///< EAI_AGAIN: temporary failure, try again
inline constexpr int fail = -4;        ///< EAI_FAIL
inline constexpr int nodata = -5;      ///< EAI_NODATA
inline constexpr int family = -6;      ///< EAI_FAMILY
inline constexpr int socktype = -7;    ///< EAI_SOCKTYPE
inline constexpr int service = -8;     ///< EAI_SERVICE: service not available for the type
inline constexpr int addrfamily = -9;  ///< EAI_ADDRFAMILY
inline constexpr int memory = -10;     ///< EAI_MEMORY
inline constexpr int system = -11;     ///< EAI_SYSTEM (soket reports errno instead)
inline constexpr int overflow = -12;   ///< EAI_OVERFLOW
}  // namespace eai

/// Python: socket.IPPROTO_* protocol numbers (for Socket's proto and getaddrinfo).
namespace ipproto {
inline constexpr int ip = 0;         ///< IPPROTO_IP: the default for the family and type
inline constexpr int icmp = 1;       ///< IPPROTO_ICMP
inline constexpr int igmp = 2;       ///< IPPROTO_IGMP
inline constexpr int tcp = 6;        ///< IPPROTO_TCP
inline constexpr int udp = 17;       ///< IPPROTO_UDP
inline constexpr int ipv6 = 41;      ///< IPPROTO_IPV6
inline constexpr int icmpv6 = 58;    ///< IPPROTO_ICMPV6
inline constexpr int sctp = 132;     ///< IPPROTO_SCTP
inline constexpr int udplite = 136;  ///< IPPROTO_UDPLITE
inline constexpr int raw = 255;      ///< IPPROTO_RAW
inline constexpr int mptcp = 262;    ///< IPPROTO_MPTCP
}  // namespace ipproto

/// Python's IPPROTO_* name for a protocol number, as detailsocket.py's table prints it:
/// 6 -> "IPPROTO_TCP", 0 -> "IPPROTO_IP"; "" for a number without a name.
std::string_view ipproto_name(int proto) noexcept;

/// Python: one getaddrinfo() result, the tuple (family, type, proto, canonname, sockaddr).
struct AddrInfo {
  Family family = Family::unspec;
  Type type = Type::stream;
  int proto = 0;
  std::string canonname;  ///< empty unless ai::canonname was asked for (first result only)
  Address address;
};

/// Python: getaddrinfo(host, port, family=0, type=0, proto=0, flags=0). An empty host or
/// service is Python's None; `type` Type{} (0) means any type. Results come in libc's order.
/// Throws gaierror naming the host: "getaddrinfo nosuch.invalid: Name or service not known".
std::vector<AddrInfo> getaddrinfo(std::string_view host, std::string_view service,
                                  Family family = Family::unspec, Type type = Type{}, int proto = 0,
                                  int flags = 0);
std::vector<AddrInfo> getaddrinfo(std::string_view host, std::string_view service, Family family,
                                  Type type, int proto, int flags, std::error_code& ec) noexcept;
/// The same with a numeric port (Python's int port). OverflowError "port must be 0-65535, not
/// 70000" for a port that does not fit (libc, and so Python, would wrap it to 4464).
std::vector<AddrInfo> getaddrinfo(std::string_view host, long long port,
                                  Family family = Family::unspec, Type type = Type{}, int proto = 0,
                                  int flags = 0);

/// Python: getnameinfo(sockaddr, flags) -> (host, port). An unresolved address must be numeric
/// (as in Python, which passes AI_NUMERICHOST); throws gaierror.
struct NameInfo {
  std::string host;
  std::string service;
};
NameInfo getnameinfo(const Address& address, int flags = 0);
NameInfo getnameinfo(const Address& address, int flags, std::error_code& ec) noexcept;

/// Python: gethostname().
std::string gethostname();
std::string gethostname(std::error_code& ec) noexcept;

/// Python: gethostbyname(name) -> IPv4 address text. Numeric input comes back as is; '' is
/// "0.0.0.0" and '<broadcast>' "255.255.255.255", as in Python.
/// Throws gaierror.
std::string gethostbyname(std::string_view name);
std::string gethostbyname(std::string_view name, std::error_code& ec) noexcept;

/// Python: the (hostname, aliaslist, ipaddrlist) triple of gethostbyname_ex / gethostbyaddr.
struct HostEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::vector<std::string> addresses;
};
/// Python: gethostbyname_ex(name): IPv4 only. Throws gaierror if `name` does not resolve,
/// herror if the host database has no entry.
HostEntry gethostbyname_ex(std::string_view name);
HostEntry gethostbyname_ex(std::string_view name, std::error_code& ec) noexcept;
/// Python: gethostbyaddr(ip_address): reverse lookup (IPv4 or IPv6; a name is resolved first).
/// Throws herror "gethostbyaddr 10.1.2.3: Unknown host" when there is no entry.
HostEntry gethostbyaddr(std::string_view address);
HostEntry gethostbyaddr(std::string_view address, std::error_code& ec) noexcept;

/// Python: getfqdn(name=''): the first name of gethostbyaddr(name) that contains a dot, else
/// its canonical name; `name` itself if the lookup fails. '', '0.0.0.0' and '::' mean this host
/// (surrounding whitespace is ignored, as Python strips it).
std::string getfqdn(std::string_view name = "");

/// Python: getservbyname(servicename, protocolname='') -> port. Throws Error
/// "getservbyname nosuch/tcp: service/proto not found".
std::uint16_t getservbyname(std::string_view name, std::string_view proto = "");
std::uint16_t getservbyname(std::string_view name, std::string_view proto,
                            std::error_code& ec) noexcept;
/// Python: getservbyport(port, protocolname='') -> service name. Throws Error
/// "getservbyport 1/udp: port/proto not found"; OverflowError for a port outside 0-65535.
std::string getservbyport(long long port, std::string_view proto = "");
std::string getservbyport(long long port, std::string_view proto, std::error_code& ec) noexcept;
/// Python: getprotobyname(protocolname) -> number. Throws Error "protocol not found".
int getprotobyname(std::string_view name);
int getprotobyname(std::string_view name, std::error_code& ec) noexcept;

/// Python: if_nameindex() -> [(index, name), ...].
std::vector<std::pair<unsigned, std::string>> if_nameindex();
std::vector<std::pair<unsigned, std::string>> if_nameindex(std::error_code& ec) noexcept;
/// Python: if_nametoindex(name). Throws Error "if_nametoindex nosuch0: no interface with this
/// name".
unsigned if_nametoindex(std::string_view name);
unsigned if_nametoindex(std::string_view name, std::error_code& ec) noexcept;
/// Python: if_indextoname(index). Throws Error "if_indextoname 999: No such device or address".
std::string if_indextoname(unsigned index);
std::string if_indextoname(unsigned index, std::error_code& ec) noexcept;

/// Python: socket.has_ipv6: this build supports IPv6 (always, on Linux).
inline constexpr bool has_ipv6 = true;
/// Python: has_dualstack_ipv6(): an AF_INET6 socket can accept IPv4 too (IPV6_V6ONLY=0).
bool has_dualstack_ipv6() noexcept;

}  // namespace soket
