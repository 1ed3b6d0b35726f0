// SPDX-License-Identifier: MIT
#include "linux/udp_offload.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <cstring>

#include "linux/result.hpp"

namespace soket::sys {

static_assert(CMSG_SPACE(sizeof(int)) <= udp_offload_control_size);

bool enable_udp_gro(int fd, std::error_code& ec) noexcept {
  int one = 1;
  return checked(::setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one), ec) == 0;
}

std::size_t udp_gro_segment(const msghdr& m) noexcept {
  auto& mh = const_cast<msghdr&>(m);  // the CMSG macros take a non-const msghdr
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
      int size = 0;
      std::memcpy(&size, CMSG_DATA(c), sizeof size);
      return size > 0 ? static_cast<std::size_t>(size) : 0;
    }
  }
  return 0;
}

void set_udp_gso(msghdr& m, void* control, std::uint16_t segment) noexcept {
  std::memset(control, 0, udp_offload_control_size);
  m.msg_control = control;
  m.msg_controllen = CMSG_SPACE(sizeof segment);
  cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof segment);
  std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
}

}  // namespace soket::sys
