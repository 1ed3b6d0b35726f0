// SPDX-License-Identifier: MIT
// Socket::sendmsg/recvmsg/recvmsg_into, fd passing (send_fds/recv_fds) and credentials.
#include <soket/message.hpp>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include <soket/error.hpp>
#include <soket/socket.hpp>

#include "linux/fd.hpp"
#include "linux/msg.hpp"
#include "linux/poll.hpp"
#include "linux/socket.hpp"
#include "socket_call.hpp"

namespace soket {

static_assert(scm::sol_socket == SOL_SOCKET && scm::rights == SCM_RIGHTS);
static_assert(scm::credentials == SCM_CREDENTIALS);
static_assert(scm::so_passcred == SO_PASSCRED && scm::so_peercred == SO_PEERCRED);
static_assert(msg::ctrunc == MSG_CTRUNC && msg::errqueue == MSG_ERRQUEUE);
static_assert(cmsg_len(0) == CMSG_LEN(0) && cmsg_len(12) == CMSG_LEN(12));
static_assert(cmsg_space(1) == CMSG_SPACE(1) && cmsg_space(12) == CMSG_SPACE(12));
static_assert(cmsg_space(4 * 253) == CMSG_SPACE(4 * 253));
static_assert(sizeof(Credentials) == sizeof(ucred));

namespace {

using sys::Want;

// The kernel passes at most SCM_MAX_FD (253) descriptors in one message.
constexpr std::size_t max_fds = 253;
// Control data beyond this is refused by the kernel anyway (net.core.optmem_max is smaller).
constexpr std::size_t max_ancbufsize = std::size_t{1} << 20;
// Above this many buffers the kernel says EMSGSIZE (UIO_MAXIOV); keep small ones on the stack.
constexpr std::size_t stack_iovecs = 16;

// Holds the iovec array: on the stack for a few buffers, on the heap beyond that.
class Iovecs {
 public:
  explicit Iovecs(std::size_t n) : heap_(n > stack_iovecs ? n : 0) {}
  iovec* data() noexcept { return heap_.empty() ? stack_.data() : heap_.data(); }

 private:
  std::array<iovec, stack_iovecs> stack_{};
  std::vector<iovec> heap_;
};

// The data length of a control item, capped at what the buffer really holds (Python's
// get_cmsg_data_len): a peer or a truncation must never make us read past the buffer.
std::size_t cmsg_data_len(const msghdr& m, const cmsghdr* c) noexcept {
  auto base = reinterpret_cast<const std::byte*>(m.msg_control);
  auto data = reinterpret_cast<const std::byte*>(CMSG_DATA(c));
  std::size_t offset = static_cast<std::size_t>(data - base);
  if (c->cmsg_len < CMSG_LEN(0) || offset > m.msg_controllen) return 0;
  std::size_t len = c->cmsg_len - CMSG_LEN(0);
  return std::min(len, m.msg_controllen - offset);
}

std::vector<AncData> parse_ancdata(const msghdr& m) {
  std::vector<AncData> items;
  if (!m.msg_control) return items;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&m), c)) {
    if (c->cmsg_len < CMSG_LEN(0)) break;  // malformed: stop rather than loop or overrun
    std::size_t len = cmsg_data_len(m, c);
    items.push_back({c->cmsg_level, c->cmsg_type,
                     std::string(reinterpret_cast<const char*>(CMSG_DATA(c)), len)});
  }
  return items;
}

// recvmsg with Python's timeout model; fills `out` (all but the data).
std::size_t recvmsg_common(const Socket& sock, iovec* iov, std::size_t iovlen,
                           std::size_t ancbufsize, int flags, std::vector<AncData>& ancdata,
                           int& msg_flags, Address& address, std::error_code& ec) {
  ancbufsize = std::min(ancbufsize, max_ancbufsize);
  // cmsghdr alignment: a vector of cmsghdr-sized units, zeroed.
  std::vector<cmsghdr> control((ancbufsize + sizeof(cmsghdr) - 1) / sizeof(cmsghdr));
  msghdr m{};
  ssize_t n = 0;
  detail::call(sock.fileno(), Want::read, detail::deadline_for(sock.gettimeout()), ec,
               [&](std::error_code& e) {
                 m = msghdr{};
                 m.msg_name = address.data();
                 m.msg_namelen = static_cast<socklen_t>(Address::max_size);
                 m.msg_iov = iov;
                 m.msg_iovlen = iovlen;
                 m.msg_control = ancbufsize ? control.data() : nullptr;
                 m.msg_controllen = ancbufsize;
                 n = sys::recvmsg(sock.fileno(), &m, flags, e);
                 return n >= 0;
               });
  if (ec) return 0;
  address.resize(std::min<std::size_t>(m.msg_namelen, Address::max_size));
  // The kernel reports how much control data it wrote; never trust more than we gave it.
  m.msg_controllen = std::min<std::size_t>(m.msg_controllen, ancbufsize);
  ancdata = parse_ancdata(m);
  // The kernel echoes the MSG_CMSG_CLOEXEC we add; report only what Python would.
  msg_flags = (flags & MSG_CMSG_CLOEXEC) ? m.msg_flags : (m.msg_flags & ~MSG_CMSG_CLOEXEC);
  return static_cast<std::size_t>(n);
}

}  // namespace

// -- Socket members --------------------------------------------------------------------------

std::size_t Socket::sendmsg(std::span<const std::span<const std::byte>> buffers,
                            std::span<const AncData> ancdata, int flags, const Address& address) {
  std::error_code ec;
  std::size_t n = sendmsg(buffers, ancdata, flags, address, ec);
  if (ec) throw_error(ec, address.family() == Family::unspec ? "sendmsg" : "sendmsg to", &address);
  return n;
}

std::size_t Socket::sendmsg(std::span<const std::span<const std::byte>> buffers,
                            std::span<const AncData> ancdata, int flags, const Address& address,
                            std::error_code& ec) noexcept {
  try {
    Address to;
    if (address.family() != Family::unspec || !address.is_resolved()) {
      to = resolve_for_use(address, ec);
      if (ec) return 0;
    }
    Iovecs iov(buffers.size());
    for (std::size_t i = 0; i < buffers.size(); ++i)
      iov.data()[i] = {const_cast<std::byte*>(buffers[i].data()), buffers[i].size()};

    // Lay the items out as CMSG_SPACE-padded records, as the kernel expects.
    std::size_t space = 0;
    for (const auto& item : ancdata) space += CMSG_SPACE(item.data.size());
    std::vector<cmsghdr> control((space + sizeof(cmsghdr) - 1) / sizeof(cmsghdr));
    msghdr m{};
    m.msg_name = to.size() ? const_cast<void*>(to.data()) : nullptr;
    m.msg_namelen = static_cast<socklen_t>(to.size());
    m.msg_iov = iov.data();
    m.msg_iovlen = buffers.size();
    if (space) {
      m.msg_control = control.data();
      m.msg_controllen = space;
      cmsghdr* c = CMSG_FIRSTHDR(&m);
      for (const auto& item : ancdata) {
        c->cmsg_level = item.level;
        c->cmsg_type = item.type;
        c->cmsg_len = CMSG_LEN(item.data.size());
        if (!item.data.empty()) std::memcpy(CMSG_DATA(c), item.data.data(), item.data.size());
        c = CMSG_NXTHDR(&m, c);
      }
    }
    ssize_t n = 0;
    detail::call(fd_, Want::write, detail::deadline_for(timeout_), ec, [&](std::error_code& e) {
      n = sys::sendmsg(fd_, &m, flags, e);
      return n >= 0;
    });
    return ec ? 0 : static_cast<std::size_t>(n);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return 0;
  }
}

Message Socket::recvmsg(std::size_t bufsize, std::size_t ancbufsize, int flags) {
  std::error_code ec;
  Message m = recvmsg(bufsize, ancbufsize, flags, ec);
  if (ec) throw_error(ec, "recvmsg");
  return m;
}

Message Socket::recvmsg(std::size_t bufsize, std::size_t ancbufsize, int flags,
                        std::error_code& ec) noexcept {
  try {
    Message out;
    out.data.resize(bufsize);
    iovec iov{out.data.data(), bufsize};
    std::size_t n = recvmsg_common(*this, &iov, 1, ancbufsize, flags, out.ancdata, out.msg_flags,
                                   out.address, ec);
    out.data.resize(n);
    return out;
  } catch (const std::exception&) {  // bad_alloc, length_error: Python's MemoryError
    ec = std::make_error_code(std::errc::not_enough_memory);
    return {};
  }
}

MessageInto Socket::recvmsg_into(std::span<const std::span<std::byte>> buffers,
                                 std::size_t ancbufsize, int flags) {
  std::error_code ec;
  MessageInto m = recvmsg_into(buffers, ancbufsize, flags, ec);
  if (ec) throw_error(ec, "recvmsg_into");
  return m;
}

MessageInto Socket::recvmsg_into(std::span<const std::span<std::byte>> buffers,
                                 std::size_t ancbufsize, int flags, std::error_code& ec) noexcept {
  try {
    MessageInto out;
    Iovecs iov(buffers.size());
    for (std::size_t i = 0; i < buffers.size(); ++i)
      iov.data()[i] = {buffers[i].data(), buffers[i].size()};
    out.nbytes = recvmsg_common(*this, iov.data(), buffers.size(), ancbufsize, flags, out.ancdata,
                                out.msg_flags, out.address, ec);
    return out;
  } catch (const std::exception&) {  // bad_alloc: Python's MemoryError
    ec = std::make_error_code(std::errc::not_enough_memory);
    return {};
  }
}

// -- descriptors -----------------------------------------------------------------------------

std::size_t send_fds(Socket& sock, std::span<const std::span<const std::byte>> buffers,
                     std::span<const int> fds, int flags, const Address& address) {
  std::error_code ec;
  std::size_t n = send_fds(sock, buffers, fds, flags, address, ec);
  if (ec)
    throw_error(ec, address.family() == Family::unspec ? "send_fds" : "send_fds to", &address);
  return n;
}

std::size_t send_fds(Socket& sock, std::string_view data, std::span<const int> fds, int flags,
                     const Address& address) {
  std::span<const std::byte> one = std::as_bytes(std::span<const char>(data.data(), data.size()));
  return send_fds(sock, std::span<const std::span<const std::byte>>(&one, 1), fds, flags, address);
}

std::size_t send_fds(Socket& sock, std::span<const std::span<const std::byte>> buffers,
                     std::span<const int> fds, int flags, const Address& address,
                     std::error_code& ec) noexcept {
  try {
    AncData item{scm::sol_socket, scm::rights,
                 std::string(reinterpret_cast<const char*>(fds.data()), fds.size_bytes())};
    return sock.sendmsg(buffers, std::span<const AncData>(&item, 1), flags, address, ec);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return 0;
  }
}

ReceivedFds recv_fds(Socket& sock, std::size_t bufsize, std::size_t maxfds, int flags) {
  std::error_code ec;
  ReceivedFds r = recv_fds(sock, bufsize, maxfds, flags, ec);
  if (ec) throw_error(ec, "recv_fds");
  return r;
}

namespace {

// recv_fds's body; allocation failures escape as std::bad_alloc (caught by the caller).
ReceivedFds recv_fds_or_throw_bad_alloc(Socket& sock, std::size_t bufsize, std::size_t maxfds,
                                        int flags, std::error_code& ec) {
  maxfds = std::min(maxfds, max_fds);
  ReceivedFds out;
  Message m = sock.recvmsg(bufsize, CMSG_SPACE(maxfds * sizeof(int)), flags, ec);
  if (ec) return out;
  // Take ownership of every descriptor first, so nothing below can leak one.
  for (const auto& item : m.ancdata) {
    if (item.level != SOL_SOCKET || item.type != SCM_RIGHTS) continue;
    for (std::size_t i = 0; i + sizeof(int) <= item.data.size(); i += sizeof(int)) {
      int fd;
      std::memcpy(&fd, item.data.data() + i, sizeof fd);
      out.fds.emplace_back(fd);
    }
  }
  out.data = std::move(m.data);
  out.msg_flags = m.msg_flags;
  out.address = m.address;
  // Python: what fits, with MSG_CTRUNC when more were sent. The kernel closed those beyond
  // the buffer; CMSG_SPACE's padding can still bring one over maxfds: close it here.
  if (out.fds.size() > maxfds) {
    out.fds.resize(maxfds);
    out.msg_flags |= MSG_CTRUNC;
  }
  return out;
}

}  // namespace

ReceivedFds recv_fds(Socket& sock, std::size_t bufsize, std::size_t maxfds, int flags,
                     std::error_code& ec) noexcept {
  try {
    return recv_fds_or_throw_bad_alloc(sock, bufsize, maxfds, flags, ec);
  } catch (const std::exception&) {  // bad_alloc: Python's MemoryError
    ec = std::make_error_code(std::errc::not_enough_memory);
    return {};
  }
}

// -- credentials -----------------------------------------------------------------------------

Credentials Credentials::self() noexcept {
  return {static_cast<std::int32_t>(::getpid()), static_cast<std::uint32_t>(::geteuid()),
          static_cast<std::uint32_t>(::getegid())};
}

AncData Credentials::to_ancdata() const {
  ucred c{pid, uid, gid};
  return {SOL_SOCKET, SCM_CREDENTIALS, std::string(reinterpret_cast<const char*>(&c), sizeof c)};
}

std::optional<Credentials> Credentials::from_ancdata(const AncData& item) noexcept {
  if (item.level != SOL_SOCKET || item.type != SCM_CREDENTIALS || item.data.size() < sizeof(ucred))
    return std::nullopt;
  ucred c;
  std::memcpy(&c, item.data.data(), sizeof c);
  return Credentials{c.pid, c.uid, c.gid};
}

std::optional<Credentials> Credentials::find(std::span<const AncData> ancdata) noexcept {
  for (const auto& item : ancdata)
    if (auto c = from_ancdata(item)) return c;
  return std::nullopt;
}

Credentials peer_credentials(const Socket& sock) {
  std::error_code ec;
  Credentials c = peer_credentials(sock, ec);
  if (ec) throw_error(ec, "getsockopt(SO_PEERCRED)");
  return c;
}

Credentials peer_credentials(const Socket& sock, std::error_code& ec) noexcept {
  ucred c{};
  std::size_t len = sizeof c;
  if (!sys::getsockopt(sock.fileno(), SOL_SOCKET, SO_PEERCRED, &c, &len, ec)) return {};
  return {c.pid, c.uid, c.gid};
}

}  // namespace soket
