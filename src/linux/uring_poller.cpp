// SPDX-License-Identifier: MIT
#include "linux/uring_poller.hpp"

#include <linux/io_uring.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string_view>

#include <soket/error.hpp>
#include <soket/event/watcher.hpp>

#include "event/report.hpp"
#include "linux/eventfd.hpp"
#include "linux/fd.hpp"
#include "linux/uring_splice.hpp"

namespace soket::sys {
namespace {

// user_data: kind (2 bits) | sequence (8) | generation (22) | fd (32). Kind 3 holds the two
// reserved values no request of a watcher can produce, and ring clients' requests:
// 3 | client id (16 bits, at 32) | tag (32), never equal to the reserved ones.
enum Kind : std::uint64_t { poll_kind = 0, recv_kind = 1, send_kind = 2, client_kind = 3 };
constexpr std::uint64_t wake_data = ~std::uint64_t{0};
constexpr std::uint64_t ignored_data = ~std::uint64_t{0} - 1;
constexpr std::uint32_t generation_mask = (1U << 22) - 1;

event::detail::PollerTag& tag(event::Watcher& w) noexcept {
  return event::detail::PollerAccess::tag(w);
}

std::uint64_t name(Kind kind, int fd, std::uint32_t generation, std::uint8_t seq) noexcept {
  return kind << 62 | std::uint64_t{seq} << 54 | std::uint64_t{generation & generation_mask} << 32 |
         static_cast<std::uint32_t>(fd);
}
Kind kind_of(std::uint64_t user) noexcept {
  return static_cast<Kind>(user >> 62);
}
std::uint8_t seq_of(std::uint64_t user) noexcept {
  return static_cast<std::uint8_t>(user >> 54);
}

// The provided buffers: 64 x 64 KiB per loop (4 MiB of address space, touched as used): a
// 64 KiB read like the epoll path's scratch buffer, and many small receives share a buffer
// (incremental consumption, 6.12). A buffer goes back as soon as its bytes were seen, so only
// the receives completed in one turn hold buffers; a receive that finds none ends with
// ENOBUFS and is re-armed.
constexpr unsigned buffer_count = 64, buffer_size = 64 << 10;
constexpr std::uint16_t buffer_group = 0;

std::uint32_t to_poll(std::uint32_t interest) noexcept {
  std::uint32_t e = 0;
  if (interest & event::Watcher::readable) e |= POLLIN | POLLRDHUP;
  if (interest & event::Watcher::writable) e |= POLLOUT;
  return e;
}

std::uint32_t from_poll(std::uint32_t e) noexcept {
  std::uint32_t r = 0;
  if (e & (POLLIN | POLLPRI | POLLRDHUP)) r |= event::Watcher::readable;
  if (e & POLLOUT) r |= event::Watcher::writable;
  if (e & POLLHUP) r |= event::Watcher::hangup | event::Watcher::readable;
  if (e & POLLERR) r |= event::Watcher::error | event::Watcher::readable;
  return r;
}

// Multishot receive with provided buffers came in Linux 6.0 (the buffer ring in 5.19, so a
// 5.19 kernel would accept the ring and then fail every receive).
bool kernel_has_multishot_receive() noexcept {
  utsname u{};
  if (::uname(&u) != 0) return false;
  int major = 0, minor = 0;
  if (std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  return major >= 6;
}

}  // namespace

std::unique_ptr<UringPoller> UringPoller::create() {
  std::error_code ec;
  OwnedFd wakefd(eventfd(ec));
  if (!wakefd) return nullptr;
  // SOKET_URING_SINGLE_ISSUER=1: SINGLE_ISSUER | DEFER_TASKRUN. Not the default: the ring is
  // then bound to the first thread that runs the Loop, and a DatagramServer or a Loop started
  // again runs on a new thread (docs/design/loop.md).
  const char* single = std::getenv("SOKET_URING_SINGLE_ISSUER");
  std::unique_ptr<UringPoller> p(
      new UringPoller(std::move(wakefd), single != nullptr && std::string_view(single) == "1"));
  // Needed: completions never dropped (NODROP) and a wait with a timeout (EXT_ARG, 5.11).
  constexpr std::uint32_t needed = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
  if (!p->ring_.ok() || (p->ring_.features() & needed) != needed) return nullptr;
  // A single issuer's ring stays disabled until the loop's thread first submits (wait()):
  // the Loop may be built on another thread than the one that runs it.
  if (!p->arm_wakeup(ec) || (p->ring_.enabled() && !p->ring_.enter(0, -1, ec))) return nullptr;
  // The completion model where the kernel has it; readiness for every watcher otherwise.
  if (kernel_has_multishot_receive() && !std::getenv("SOKET_URING_READINESS")) {
    auto buffers = std::make_unique<BufferRing>(p->ring_, buffer_group, buffer_count, buffer_size);
    if (buffers->ok()) p->buffers_ = std::move(buffers);
  }
  return p;
}

// 256 submissions cover a busy turn's re-arms (a full ring is submitted early); completions
// get 16× that, so a burst of ready descriptors rarely spills into the kernel's overflow list.
UringPoller::UringPoller(OwnedFd wakefd, bool single_issuer)
    : ring_(256, 4096, true, single_issuer), wakefd_(std::move(wakefd)) {}

UringPoller::~UringPoller() {
  files_.reset();    // detaches from clients_
  buffers_.reset();  // unregistered while the ring exists; closing the ring cancels the rest
}

io_uring_sqe* UringPoller::sqe(std::error_code& ec) noexcept {
  io_uring_sqe* e = ring_.get_sqe();
  if (e) return e;
  if (!ring_.enter(0, -1, ec)) return nullptr;  // full: hand the queued ones to the kernel
  return ring_.get_sqe();
}

bool UringPoller::arm_wakeup(std::error_code& ec) noexcept {
  io_uring_sqe* e = sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_POLL_ADD;
  e->fd = wakefd_.get();
  e->poll32_events = POLLIN;
  e->user_data = wake_data;
  return true;
}

// A receiver's readable interest is its receive: the poll watches only the rest.
std::uint32_t UringPoller::poll_interest(event::Watcher& w) const noexcept {
  std::uint32_t interest = tag(w).interest;
  if (buffers_ && w.receiver()) return interest & ~event::Watcher::readable;
  return interest;
}

bool UringPoller::wants_receive(event::Watcher& w) const noexcept {
  return buffers_ && w.receiver() && (tag(w).interest & event::Watcher::readable);
}

bool UringPoller::arm(event::Watcher& w, std::error_code& ec) noexcept {
  event::detail::PollerTag& t = tag(w);
  if (std::uint32_t events = poll_interest(w); events && !t.poll_armed) {
    io_uring_sqe* e = sqe(ec);
    if (!e) return false;
    e->opcode = IORING_OP_POLL_ADD;
    e->fd = w.fd();
    e->poll32_events = to_poll(events);
    e->user_data = name(poll_kind, w.fd(), t.generation, t.poll_seq);
    t.poll_armed = true;
  }
  if (wants_receive(w) && !t.recv_armed) {
    io_uring_sqe* e = sqe(ec);
    if (!e) return false;
    e->opcode = IORING_OP_RECV;
    e->fd = w.fd();
    e->ioprio = IORING_RECV_MULTISHOT;
    e->flags = IOSQE_BUFFER_SELECT;
    e->buf_group = buffers_->group();
    e->user_data = name(recv_kind, w.fd(), t.generation, t.recv_seq);
    t.recv_armed = true;
  }
  return true;
}

// A cancelled request's last completion carries the old name, so it is recognised as stale.
bool UringPoller::cancel_poll(event::Watcher& w, std::error_code& ec) noexcept {
  event::detail::PollerTag& t = tag(w);
  if (!t.poll_armed) return true;
  io_uring_sqe* e = sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_POLL_REMOVE;
  e->addr = name(poll_kind, w.fd(), t.generation, t.poll_seq);
  e->user_data = ignored_data;
  t.poll_armed = false;
  ++t.poll_seq;
  return true;
}

bool UringPoller::cancel_receive(event::Watcher& w, std::error_code& ec) noexcept {
  event::detail::PollerTag& t = tag(w);
  if (!t.recv_armed) return true;
  io_uring_sqe* e = sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_ASYNC_CANCEL;
  e->addr = name(recv_kind, w.fd(), t.generation, t.recv_seq);
  e->user_data = ignored_data;
  t.recv_armed = false;
  ++t.recv_seq;
  return true;
}

void UringPoller::add(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept {
  int fd = w.fd();
  // epoll_ctl reports a bad descriptor at once; a poll request would only complete with it.
  if (fd < 0) {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
    return;
  }
  if (get_cloexec(fd, ec), ec) return;
  event::Watcher** entry = nullptr;
  try {
    entry = &watchers_.at(fd);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return;
  }
  if (*entry) {
    ec = std::make_error_code(std::errc::file_exists);
    return;
  }
  // A fresh name for the new watcher: what an earlier one left in flight is stale.
  generation_ = (generation_ + 1) & generation_mask;
  event::detail::PollerTag& t = tag(w);
  t = {};
  t.generation = generation_;
  t.interest = static_cast<std::uint8_t>(interest & 3U) & 3U;
  *entry = &w;
  ec.clear();
  arm(w, ec);
}

void UringPoller::modify(event::Watcher& w, std::uint32_t interest, std::error_code& ec) noexcept {
  if (watchers_.find(w.fd()) != &w) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return;
  }
  ec.clear();
  std::uint32_t old_poll = poll_interest(w);
  bool old_receive = wants_receive(w);
  tag(w).interest = static_cast<std::uint8_t>(interest & 3U) & 3U;
  if (poll_interest(w) != old_poll && !cancel_poll(w, ec)) return;
  if (old_receive && !wants_receive(w) && !cancel_receive(w, ec)) return;
  arm(w, ec);
}

void UringPoller::remove(event::Watcher& w, std::error_code& ec) noexcept {
  event::Watcher* found = watchers_.find(w.fd());
  if (found != &w) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return;
  }
  event::detail::PollerTag& t = tag(w);
  if (files_) files_->forget(w);
  // Queued sends too: their bytes and descriptor must reach the kernel before both go away.
  // (Before the ring's first enter nothing of it is in the kernel, and submitting here would
  // make this thread the single issuer: the loop may run on another.)
  bool flush = ring_.enabled() && (t.poll_armed || t.recv_armed || ring_.unsubmitted() > 0);
  if (!cancel_poll(w, ec) || !cancel_receive(w, ec)) return;
  watchers_.erase(w.fd());  // its requests' results (sends too) are stale from now on
  t.interest = 0;
  // A request holds a reference to the file: hand the removal to the kernel now, so closing
  // the descriptor next really closes the socket (the peer sees the FIN) even if the loop
  // never turns again.
  if (flush) ring_.enter(0, -1, ec);
}

bool UringPoller::queue_send(event::Watcher& w, const void* data, std::size_t len) noexcept {
  if (!buffers_ || watchers_.find(w.fd()) != &w) return false;
  std::error_code ec;
  io_uring_sqe* e = sqe(ec);
  if (!e) return false;
  e->opcode = IORING_OP_SEND;
  e->fd = w.fd();
  e->addr = reinterpret_cast<std::uint64_t>(data);
  e->len = static_cast<std::uint32_t>(std::min<std::size_t>(len, INT_MAX));
  // MSG_DONTWAIT: the send runs when submitted and never waits in the kernel (a full socket
  // answers -EAGAIN), so the bytes need to live only until the submitting enter returns.
  e->msg_flags = MSG_NOSIGNAL | MSG_DONTWAIT;
  e->user_data = name(send_kind, w.fd(), tag(w).generation, 0);
  return true;
}

int UringPoller::queue_file(event::Watcher& w, int file_fd, std::uint64_t offset,
                            std::size_t len) noexcept {
  if (!buffers_ || w.fd() < 0 || watchers_.find(w.fd()) != &w) return 0;
  if (!files_) {
    try {
      files_ = std::make_unique<FileSplicer>(*this);
    } catch (const std::bad_alloc&) {
      return 0;
    }
  }
  return files_->queue(w, file_fd, offset, len);
}

event::Watcher* UringPoller::live(std::uint64_t user) const noexcept {
  event::Watcher* w = watchers_.find(static_cast<int>(user & 0x7fffffffU));
  if (!w || tag(*w).generation != ((user >> 32) & generation_mask)) return nullptr;
  return w;
}

void UringPoller::on_poll(std::uint64_t user, int res) {
  event::Watcher* w = live(user);
  if (!w || seq_of(user) != tag(*w).poll_seq) return;  // removed, replaced or cancelled
  tag(*w).poll_armed = false;
  // A failed request (not a cancellation: those are stale) is shown to the watcher as an
  // error and not re-armed, so a broken descriptor cannot make the loop spin.
  std::uint32_t ready = res < 0 ? event::Watcher::error | event::Watcher::readable
                                : from_poll(static_cast<std::uint32_t>(res));
  if (buffers_ && w->receiver()) {
    // Its receive reads: a hang-up or error shows through the writing side.
    if (ready & (event::Watcher::hangup | event::Watcher::error)) ready |= event::Watcher::writable;
    ready &= ~event::Watcher::readable;
  }
  event::detail::dispatch(*w, ready);
  w = live(user);  // the watcher may be gone while it ran
  std::error_code ec;
  if (res >= 0 && w && !tag(*w).poll_armed) arm(*w, ec);
}

void UringPoller::on_receive(std::uint64_t user, int res, std::uint32_t flags) {
  event::Watcher* w = live(user);
  bool current = w && seq_of(user) == tag(*w).recv_seq;
  bool more = flags & IORING_CQE_F_MORE;
  if (flags & IORING_CQE_F_BUFFER) {
    std::size_t len = res > 0 ? static_cast<std::size_t>(res) : 0;
    // Bytes of a cancelled receive still belong to the watcher (its reading is off: it keeps
    // them); a removed watcher's are dropped.
    if (w && len > 0) {
      std::span<const std::byte> data(buffers_->bytes(flags), len);
      try {
        w->handle_received(data, 0);
      } catch (...) {
        event::detail::report_error("watcher", std::current_exception());
      }
    }
    if (buffers_->done(flags, len)) ++returned_;
    w = live(user);
  }
  if (more || !w || !current || seq_of(user) != tag(*w).recv_seq) return;
  tag(*w).recv_armed = false;  // the receive ended
  std::error_code ec;
  if (res == -ENOBUFS) {
    // No free buffer: re-armed after this batch, a few at a time (rearm_starved), not at once
    // — with thousands of busy connections on one ring every re-arm would fail the same way.
    starved_.push_back(user);
    return;
  }
  if (res > 0) {
    arm(*w, ec);  // ended with bytes (the completion queue overflowed): go on
    return;
  }
  if (res == -ECANCELED) return;
  try {
    w->handle_received({}, res);  // 0: the peer's FIN; else the error
  } catch (...) {
    event::detail::report_error("watcher", std::current_exception());
  }
}

void UringPoller::rearm_starved() {
  // As many as buffers came back in this batch, at least a few: each re-armed receive either
  // takes a buffer (its completion gives it back) or waits for bytes without one.
  std::size_t n = std::min(starved_.size(), std::max<std::size_t>(returned_, 32));
  returned_ = 0;
  std::error_code ec;
  for (std::size_t k = 0; k < n; ++k) {
    std::uint64_t user = starved_[k];
    event::Watcher* w = live(user);
    if (w && seq_of(user) == tag(*w).recv_seq && !tag(*w).recv_armed && wants_receive(*w))
      arm(*w, ec);
  }
  starved_.erase(starved_.begin(), starved_.begin() + static_cast<std::ptrdiff_t>(n));
}

int UringPoller::wait(std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (!starved_.empty()) timeout = std::chrono::milliseconds(0);  // they wait for no event
  if (ring_.ready() == 0) {
    long long ms = timeout.count();
    ring_.enter(1, ms < 0 ? -1 : (ms > INT_MAX ? INT_MAX : ms) * 1000000LL, ec);
  } else {
    ring_.enter(0, -1, ec);  // completions are waiting: just submit the queued (re)arms
  }
  // A single issuer's ring answers EEXIST to any other thread: a Loop run again on another
  // thread than the one that first ran it. Said once, not a loop that spins doing nothing.
  if (ec == std::errc::file_exists)
    throw Error(ec, "io_uring: this Loop's ring belongs to the thread that first ran it");
  int n = 0;
  // Only what is ready now: completions of requests armed during this batch wait for the
  // next turn, so timers and posted functions are never starved.
  for (unsigned budget = ring_.ready(); budget > 0; --budget) {
    std::uint64_t user;
    int res;
    std::uint32_t flags;
    if (!ring_.next_completion(user, res, flags)) break;
    if (user == ignored_data) continue;
    if (user == wake_data) {
      eventfd_drain(wakefd_.get());
      arm_wakeup(ec);
      continue;
    }
    ++n;
    switch (kind_of(user)) {
      case poll_kind: on_poll(user, res); break;
      case recv_kind: on_receive(user, res, flags); break;
      case send_kind:
        if (event::Watcher* w = live(user)) {
          try {
            w->handle_sent(res);
          } catch (...) {
            event::detail::report_error("watcher", std::current_exception());
          }
        }
        break;
      case client_kind:
        if (auto id = static_cast<std::size_t>((user >> 32) & 0xffffU);
            id < clients_.size() && clients_[id])
          clients_[id]->on_completion(static_cast<std::uint32_t>(user), res, flags);
        break;
      default: break;
    }
  }
  for (std::size_t i = 0; i < clients_.size(); ++i)
    if (clients_[i]) clients_[i]->on_batch_end();
  if (!starved_.empty()) rearm_starved();
  returned_ = 0;
  return n;
}

std::uint32_t UringPoller::attach(RingClient& c) {
  clients_.push_back(&c);
  return static_cast<std::uint32_t>(clients_.size() - 1);
}

void UringPoller::detach(std::uint32_t id) noexcept {
  if (id < clients_.size()) clients_[id] = nullptr;
}

std::uint64_t UringPoller::client_data(std::uint32_t id, std::uint32_t tag) noexcept {
  return client_kind << 62 | std::uint64_t{id & 0xffffU} << 32 | tag;
}

void UringPoller::wakeup() noexcept {
  eventfd_signal(wakefd_.get());
}

}  // namespace soket::sys
