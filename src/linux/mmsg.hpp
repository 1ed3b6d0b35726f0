// SPDX-License-Identifier: MIT
// Batched datagram I/O: recvmmsg(2) / sendmmsg(2). Internal: never installed.
#pragma once

#include <cstddef>
#include <system_error>

struct mmsghdr;

namespace soket::sys {

/// recvmmsg(2) with MSG_DONTWAIT. Returns messages received or -1 with ec.
int recvmmsg(int fd, mmsghdr* msgs, unsigned count, std::error_code& ec) noexcept;
/// sendmmsg(2) with MSG_DONTWAIT | MSG_NOSIGNAL. Returns messages sent or -1 with ec.
int sendmmsg(int fd, mmsghdr* msgs, unsigned count, std::error_code& ec) noexcept;

}  // namespace soket::sys
