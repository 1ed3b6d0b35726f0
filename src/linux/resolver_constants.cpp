// SPDX-License-Identifier: MIT
// Checks that the public AI_* / NI_* constants in resolver.hpp equal libc's macros, so public
// headers need no <netdb.h>.
#include <soket/resolver.hpp>

#include <netdb.h>
#include <netinet/in.h>

namespace soket {

static_assert(ai::passive == AI_PASSIVE && ai::canonname == AI_CANONNAME);
static_assert(ai::numerichost == AI_NUMERICHOST && ai::v4mapped == AI_V4MAPPED);
static_assert(ai::all == AI_ALL && ai::addrconfig == AI_ADDRCONFIG);
static_assert(ai::numericserv == AI_NUMERICSERV);

static_assert(ni::numerichost == NI_NUMERICHOST && ni::numericserv == NI_NUMERICSERV);
static_assert(ni::nofqdn == NI_NOFQDN && ni::namereqd == NI_NAMEREQD && ni::dgram == NI_DGRAM);
static_assert(ni::maxhost == NI_MAXHOST && ni::maxserv == NI_MAXSERV);

static_assert(eai::badflags == EAI_BADFLAGS && eai::noname == EAI_NONAME);
static_assert(eai::again == EAI_AGAIN && eai::fail == EAI_FAIL && eai::nodata == EAI_NODATA);
static_assert(eai::family == EAI_FAMILY && eai::socktype == EAI_SOCKTYPE);
static_assert(eai::service == EAI_SERVICE && eai::addrfamily == EAI_ADDRFAMILY);
static_assert(eai::memory == EAI_MEMORY && eai::system == EAI_SYSTEM);
static_assert(eai::overflow == EAI_OVERFLOW);

static_assert(ipproto::ip == IPPROTO_IP && ipproto::icmp == IPPROTO_ICMP);
static_assert(ipproto::igmp == IPPROTO_IGMP && ipproto::tcp == IPPROTO_TCP);
static_assert(ipproto::udp == IPPROTO_UDP && ipproto::ipv6 == IPPROTO_IPV6);
static_assert(ipproto::icmpv6 == IPPROTO_ICMPV6 && ipproto::sctp == IPPROTO_SCTP);
static_assert(ipproto::udplite == IPPROTO_UDPLITE && ipproto::raw == IPPROTO_RAW);
static_assert(ipproto::mptcp == IPPROTO_MPTCP);

}  // namespace soket
