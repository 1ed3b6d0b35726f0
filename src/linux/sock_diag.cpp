// SPDX-License-Identifier: MIT
// sock_diag(7) dumps: one NETLINK_SOCK_DIAG socket per request, read until NLMSG_DONE.
#include "linux/sock_diag.hpp"

#include <dirent.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>

#include "linux/result.hpp"

namespace soket::sys {
namespace {

// The netlink(7)/rtnetlink(7) macros written as functions (the macros use C casts).
constexpr std::size_t align4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}
const char* data_of(const nlmsghdr* h) {
  return reinterpret_cast<const char*>(h) + NLMSG_HDRLEN;
}
char* data_of(nlmsghdr* h) {
  return reinterpret_cast<char*>(h) + NLMSG_HDRLEN;
}

struct NetlinkFd {
  int fd = -1;
  ~NetlinkFd() {
    if (fd >= 0) ::close(fd);
  }
};

// Sends `request` (a *_diag_req of `size` bytes) as a dump and calls `on_msg` with each
// answer's payload (header included, so the caller can walk its attributes).
bool dump(const void* request, std::size_t size, const std::function<void(const nlmsghdr&)>& on_msg,
          std::error_code& ec) {
  NetlinkFd nl;
  nl.fd = checked(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), ec);
  if (nl.fd < 0) return false;

  std::vector<char> out(NLMSG_LENGTH(size));
  auto* hdr = reinterpret_cast<nlmsghdr*>(out.data());
  hdr->nlmsg_len = static_cast<std::uint32_t>(out.size());
  hdr->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  hdr->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  hdr->nlmsg_seq = 1;
  std::memcpy(data_of(hdr), request, size);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (checked(::sendto(nl.fd, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                       sizeof kernel),
              ec) < 0)
    return false;

  // Large enough for the kernel's dump batches (it fills up to a page or 32 KiB per read).
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n;
    do n = ::recv(nl.fd, buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
    if (checked(n, ec) < 0) return false;
    if (n == 0) return true;
    auto left = static_cast<std::size_t>(n);
    for (const char* at = buf.data(); left >= sizeof(nlmsghdr);) {
      const auto* msg = reinterpret_cast<const nlmsghdr*>(at);
      if (msg->nlmsg_len < sizeof(nlmsghdr) || msg->nlmsg_len > left) break;
      std::size_t step = std::min(align4(msg->nlmsg_len), left);
      at += step;
      left -= step;
      if (msg->nlmsg_type == NLMSG_DONE) {
        // The kernel puts an error in DONE when it has no handler for the protocol (raw
        // sockets without CONFIG_INET_RAW_DIAG answer ENOENT here).
        int error = 0;
        if (msg->nlmsg_len >= NLMSG_LENGTH(sizeof error))
          std::memcpy(&error, data_of(msg), sizeof error);
        if (error < 0) {
          ec = {-error, std::system_category()};
          return false;
        }
        return true;
      }
      if (msg->nlmsg_type == NLMSG_ERROR) {
        int error = 0;
        if (msg->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)))
          error = -reinterpret_cast<const nlmsgerr*>(data_of(msg))->error;
        ec = {error > 0 ? error : EPROTO, std::system_category()};
        return false;
      }
      on_msg(*msg);
    }
  }
}

template <class T>
const T* payload(const nlmsghdr& msg) {
  return msg.nlmsg_len >= NLMSG_LENGTH(sizeof(T)) ? reinterpret_cast<const T*>(data_of(&msg))
                                                  : nullptr;
}

}  // namespace

bool dump_inet(int family, int protocol, std::uint32_t states, std::vector<InetRecord>& out,
               std::error_code& ec) {
  inet_diag_req_v2 req{};
  req.sdiag_family = static_cast<std::uint8_t>(family);
  req.sdiag_protocol = static_cast<std::uint8_t>(protocol);
  req.idiag_states = states;
  // For raw sockets this byte is sdiag_raw_protocol: IPPROTO_RAW asks for every protocol.
  if (protocol == IPPROTO_RAW) req.pad = IPPROTO_RAW;
  return dump(
      &req, sizeof req,
      [&](const nlmsghdr& msg) {
        const auto* m = payload<inet_diag_msg>(msg);
        if (m == nullptr) return;
        InetRecord r;
        r.family = m->idiag_family;
        r.protocol = protocol;
        r.state = m->idiag_state;
        r.recv_q = m->idiag_rqueue;
        r.send_q = m->idiag_wqueue;
        r.uid = m->idiag_uid;
        r.inode = m->idiag_inode;
        r.ifindex = m->id.idiag_if;
        std::memcpy(r.src.data(), m->id.idiag_src, r.src.size());
        std::memcpy(r.dst.data(), m->id.idiag_dst, r.dst.size());
        r.sport = ntohs(m->id.idiag_sport);
        r.dport = ntohs(m->id.idiag_dport);
        // The attributes after the message: only INET_DIAG_SKV6ONLY is wanted.
        std::size_t left = msg.nlmsg_len - NLMSG_LENGTH(sizeof *m);
        const char* at = reinterpret_cast<const char*>(m + 1);
        while (left >= sizeof(rtattr)) {
          const auto* a = reinterpret_cast<const rtattr*>(at);
          if (a->rta_len < sizeof(rtattr) || a->rta_len > left) break;
          if (a->rta_type == INET_DIAG_SKV6ONLY && a->rta_len > sizeof(rtattr))
            r.v6only = at[align4(sizeof(rtattr))] != 0;
          std::size_t step = std::min(align4(a->rta_len), left);
          at += step;
          left -= step;
        }
        out.push_back(r);
      },
      ec);
}

bool dump_unix(std::uint32_t states, std::vector<UnixRecord>& out, std::error_code& ec) {
  unix_diag_req req{};
  req.sdiag_family = AF_UNIX;
  req.udiag_states = states;
  req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
  return dump(
      &req, sizeof req,
      [&](const nlmsghdr& msg) {
        const auto* m = payload<unix_diag_msg>(msg);
        if (m == nullptr) return;
        UnixRecord r;
        r.type = m->udiag_type;
        r.state = m->udiag_state;
        r.inode = m->udiag_ino;
        // The attributes follow the message, each an rtattr.
        std::size_t left = msg.nlmsg_len - NLMSG_LENGTH(sizeof *m);
        const char* at = reinterpret_cast<const char*>(m + 1);
        while (left >= sizeof(rtattr)) {
          const auto* a = reinterpret_cast<const rtattr*>(at);
          if (a->rta_len < sizeof(rtattr) || a->rta_len > left) break;
          std::size_t len = a->rta_len - sizeof(rtattr);
          const char* data = at + align4(sizeof(rtattr));
          std::size_t step = std::min(align4(a->rta_len), left);
          at += step;
          left -= step;
          if (a->rta_type == UNIX_DIAG_NAME) {
            r.name.assign(data, len);
          } else if (a->rta_type == UNIX_DIAG_PEER && len >= sizeof(std::uint32_t)) {
            std::uint32_t peer;
            std::memcpy(&peer, data, sizeof peer);
            r.peer_inode = peer;
          } else if (a->rta_type == UNIX_DIAG_RQLEN && len >= sizeof(unix_diag_rqlen)) {
            unix_diag_rqlen q;
            std::memcpy(&q, data, sizeof q);
            r.recv_q = q.udiag_rqueue;
            r.send_q = q.udiag_wqueue;
          }
        }
        out.push_back(r);
      },
      ec);
}

bool read_proc_inet(const char* file, int family, int protocol, std::uint32_t states,
                    std::vector<InetRecord>& out, std::error_code& ec) {
  std::ifstream in(file);
  if (!in) {
    ec = last_error();
    return false;
  }
  std::string line;
  std::getline(in, line);  // the column titles
  while (std::getline(in, line)) {
    // sl local:port remote:port st tx_queue:rx_queue tr:when retrnsmt uid timeout inode
    char local[40], remote[40];
    unsigned state = 0, tx = 0, rx = 0, uid = 0;
    unsigned long long inode = 0;
    if (std::sscanf(line.c_str(), "%*s %39s %39s %x %x:%x %*s %*s %u %*s %llu", local, remote,
                    &state, &tx, &rx, &uid, &inode) != 7)
      continue;
    if (state >= 32 || (states & (1u << state)) == 0) continue;
    InetRecord r;
    r.family = family;
    r.protocol = protocol;
    r.state = static_cast<int>(state);
    r.send_q = tx;
    r.recv_q = rx;
    r.uid = uid;
    r.inode = inode;
    // Each address is printed as the 32-bit words the kernel stores, in host order: parse
    // each word and store it back as it was in memory.
    auto parse = [&](const char* text, std::array<std::uint8_t, 16>& bytes, std::uint16_t& port) {
      std::size_t words = family == AF_INET ? 1 : 4;
      for (std::size_t i = 0; i < words; ++i) {
        char word[9] = {};
        std::memcpy(word, text + 8 * i, 8);
        auto value = static_cast<std::uint32_t>(std::strtoul(word, nullptr, 16));
        std::memcpy(bytes.data() + 4 * i, &value, 4);
      }
      const char* colon = std::strchr(text, ':');
      port = colon ? static_cast<std::uint16_t>(std::strtoul(colon + 1, nullptr, 16)) : 0;
    };
    parse(local, r.src, r.sport);
    parse(remote, r.dst, r.dport);
    out.push_back(r);
  }
  ec.clear();
  return true;
}

std::vector<SocketOwner> socket_owners() {
  std::vector<SocketOwner> owners;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return owners;
  while (const dirent* p = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(p->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string base = std::string("/proc/") + p->d_name;
    DIR* fds = ::opendir((base + "/fd").c_str());
    if (fds == nullptr) continue;  // gone, or not ours to read
    std::string command;           // may hold spaces: read the whole line
    std::ifstream comm(base + "/comm");
    std::getline(comm, command);
    while (const dirent* f = ::readdir(fds)) {
      char link[64];
      std::string path = base + "/fd/" + f->d_name;
      ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
      if (n <= 0) continue;
      link[n] = '\0';
      unsigned long long inode = 0;
      if (std::strncmp(link, "socket:[", 8) != 0) continue;
      inode = std::strtoull(link + 8, nullptr, 10);
      owners.push_back({inode, static_cast<int>(pid), std::atoi(f->d_name), command});
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return owners;
}

}  // namespace soket::sys
