// SPDX-License-Identifier: MIT
// UDP segmentation offloads: GRO on receive (UDP_GRO: the kernel hands over several datagrams
// of one peer as one buffer, cut at a segment size it reports) and GSO on send (UDP_SEGMENT:
// one sendmsg carries several datagrams to one peer). Internal: never installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

struct msghdr;

namespace soket::sys {

/// Room for the one control message either offload uses (CMSG_SPACE of an int, rounded up).
inline constexpr std::size_t udp_offload_control_size = 32;

/// setsockopt(SOL_UDP, UDP_GRO, 1). False with ec on a kernel or socket without it.
bool enable_udp_gro(int fd, std::error_code& ec) noexcept;
/// The segment size of a message received with GRO on (its UDP_GRO control message), 0 if
/// the message is a single datagram.
std::size_t udp_gro_segment(const msghdr& m) noexcept;
/// Points m's control data at `control` (udp_offload_control_size bytes, aligned for
/// cmsghdr) holding UDP_SEGMENT = `segment`: the kernel cuts m's payload into datagrams of
/// that size (the last may be shorter).
void set_udp_gso(msghdr& m, void* control, std::uint16_t segment) noexcept;

}  // namespace soket::sys
