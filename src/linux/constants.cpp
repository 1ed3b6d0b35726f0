// SPDX-License-Identifier: MIT
// The public enums carry the kernel's numbers so they convert with a cast; this file is where
// that promise is checked, so public headers need no OS headers.
#include <soket/constants.hpp>

#include <sys/socket.h>

namespace soket {

static_assert(static_cast<int>(Family::unspec) == AF_UNSPEC);
static_assert(static_cast<int>(Family::unix) == AF_UNIX);
static_assert(static_cast<int>(Family::local) == AF_LOCAL);
static_assert(static_cast<int>(Family::inet) == AF_INET);
static_assert(static_cast<int>(Family::inet6) == AF_INET6);
static_assert(static_cast<int>(Family::packet) == AF_PACKET);

static_assert(static_cast<int>(Type::stream) == SOCK_STREAM);
static_assert(static_cast<int>(Type::dgram) == SOCK_DGRAM);
static_assert(static_cast<int>(Type::raw) == SOCK_RAW);
static_assert(static_cast<int>(Type::rdm) == SOCK_RDM);
static_assert(static_cast<int>(Type::seqpacket) == SOCK_SEQPACKET);

static_assert(static_cast<int>(Shut::rd) == SHUT_RD);
static_assert(static_cast<int>(Shut::wr) == SHUT_WR);
static_assert(static_cast<int>(Shut::rdwr) == SHUT_RDWR);

static_assert(msg::oob == MSG_OOB && msg::peek == MSG_PEEK && msg::dontroute == MSG_DONTROUTE);
static_assert(msg::trunc == MSG_TRUNC && msg::dontwait == MSG_DONTWAIT && msg::eor == MSG_EOR);
static_assert(msg::waitall == MSG_WAITALL && msg::more == MSG_MORE);

}  // namespace soket
