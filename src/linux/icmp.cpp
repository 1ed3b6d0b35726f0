// SPDX-License-Identifier: MIT
#include "linux/icmp.hpp"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace soket::sys {

int icmp_socket(int family, bool raw, std::error_code& ec) noexcept {
  int proto = family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
  int fd = checked(::socket(family, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC, proto), ec);
  if (fd < 0) return -1;
  int on = 1;
  int rc = family == AF_INET6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on)
                              : ::setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
  if (rc == 0 && raw && family == AF_INET6) {
    // A raw ICMPv6 socket sees every ICMPv6 message (neighbour discovery included): the
    // kernel drops all but echo replies before they wake us.
    icmp6_filter filter{};
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    rc = ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  }
  if (checked(rc, ec) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool set_icmp_ttl(int fd, int family, int ttl, std::error_code& ec) noexcept {
  int rc = family == AF_INET6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl)
                              : ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
  return checked(rc, ec) == 0;
}

std::optional<std::uint16_t> icmp_socket_id(int fd) noexcept {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return std::nullopt;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  return std::nullopt;
}

ssize_t icmp_recv(int fd, std::span<std::byte> buffer, void* from, std::size_t& from_len, int& ttl,
                  std::error_code& ec) noexcept {
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) std::array<char, 128> control{};
  msghdr msg{};
  msg.msg_name = from;
  msg.msg_namelen = static_cast<socklen_t>(from_len);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n = checked(::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC), ec);
  if (n < 0) return n;
  from_len = msg.msg_namelen;
  ttl = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL;
    bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT;
    if ((v4 || v6) && c->cmsg_len >= CMSG_LEN(sizeof(int)))
      std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
  }
  return n;
}

}  // namespace soket::sys
