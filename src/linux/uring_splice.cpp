// SPDX-License-Identifier: MIT
// File regions to sockets on the ring: a step is one linked pair of splices (file -> pipe ->
// socket), or, when the socket was full, one splice of what waits in the pipe.
#include "linux/uring_splice.hpp"

#include <fcntl.h>
#include <linux/io_uring.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <climits>

#include <soket/event/watcher.hpp>

#include "event/report.hpp"

namespace soket::sys {
namespace {

// tag: step (8 bits) | transfer index (24).
constexpr std::uint32_t read_step = 1, send_step = 2;
std::uint32_t tag(std::uint32_t step, std::size_t index) noexcept {
  return step << 24 | static_cast<std::uint32_t>(index);
}

void prepare_splice(io_uring_sqe* e, int in, std::int64_t in_offset, int out,
                    std::size_t len) noexcept {
  e->opcode = IORING_OP_SPLICE;
  e->splice_fd_in = in;
  e->splice_off_in = static_cast<std::uint64_t>(in_offset);  // -1: a pipe's own position
  e->fd = out;
  e->off = static_cast<std::uint64_t>(-1);
  e->len = static_cast<std::uint32_t>(std::min<std::size_t>(len, INT_MAX));
}

// What splice answers for a file whose file system cannot splice_read: sendfile(2) instead.
bool unspliceable(int res) noexcept {
  return res == -EINVAL || res == -EOPNOTSUPP;
}

}  // namespace

FileSplicer::FileSplicer(UringPoller& poller) : poller_(poller), id_(poller.attach(*this)) {}

FileSplicer::~FileSplicer() {
  poller_.detach(id_);
  // Requests still in the kernel hold their own references to the pipes.
  for (Transfer& t : transfers_)
    if (t.used) release(t);
  for (Pipe& p : idle_) put_pipe(p, false);
}

FileSplicer::Transfer* FileSplicer::find(const event::Watcher& w) noexcept {
  for (Transfer& t : transfers_)
    if (t.used && t.owner == &w) return &t;
  return nullptr;
}

bool FileSplicer::take_pipe(Pipe& p) noexcept {
  if (in_use_ >= max_pipes) return false;
  if (!idle_.empty()) {
    p = idle_.back();
    idle_.pop_back();
  } else {
    int fds[2];
    // Non-blocking: a splice into a full pipe or out of an empty one fails instead of
    // holding a kernel worker.
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
    p.read = fds[0];
    p.write = fds[1];
    int size = ::fcntl(p.write, F_SETPIPE_SZ, pipe_size);  // refused: the default (64 KiB)
    if (size <= 0) size = ::fcntl(p.write, F_GETPIPE_SZ);
    p.capacity = size > 0 ? static_cast<std::size_t>(size) : 4096;
  }
  ++in_use_;
  return true;
}

void FileSplicer::put_pipe(Pipe& p, bool clean) noexcept {
  if (p.read < 0) return;
  if (clean && idle_.size() < max_idle_pipes) {
    idle_.push_back(p);
  } else {
    ::close(p.read);
    ::close(p.write);
  }
  p = Pipe{};
}

int FileSplicer::queue(event::Watcher& w, int file_fd, std::uint64_t offset,
                       std::size_t len) noexcept {
  for (const auto& [owner, fd] : unspliceable_)
    if (owner == &w && fd == file_fd) return 0;
  Transfer* t = find(w);
  if (t && t->file_fd != file_fd) {  // a new region (the last one ended without our notice)
    release(*t);
    t = nullptr;
  }
  if (t && t->pending > 0) return -EBUSY;  // one step at a time
  if (!t) {
    Pipe p;
    if (!take_pipe(p)) return 0;
    int file = ::fcntl(file_fd, F_DUPFD_CLOEXEC, 0);
    int sock = file >= 0 ? ::fcntl(w.fd(), F_DUPFD_CLOEXEC, 0) : -1;
    if (sock < 0) {
      if (file >= 0) ::close(file);
      put_pipe(p, true);
      --in_use_;
      return 0;  // out of descriptors: sendfile(2) needs none
    }
    auto free = std::find_if(transfers_.begin(), transfers_.end(),
                             [](const Transfer& x) { return !x.used; });
    if (free == transfers_.end()) {
      transfers_.emplace_back();
      free = transfers_.end() - 1;
    }
    *free = Transfer{};
    free->used = true;
    free->owner = &w;
    free->pipe = p;
    free->file_fd = file_fd;
    free->file = file;
    free->sock = sock;
    t = &*free;
  }
  auto index = static_cast<std::size_t>(t - transfers_.data());
  t->left = len;
  // Both entries of a linked pair must go in one submission: room for two first.
  std::error_code ec;
  Uring& ring = poller_.ring();
  if (ring.capacity() - ring.unsubmitted() < 2 && !ring.enter(0, -1, ec)) return -ec.value();
  io_uring_sqe* first = poller_.client_sqe(ec);
  if (!first) return ec ? -ec.value() : -EBUSY;
  t->read_res = t->send_res = 0;
  if (t->in_pipe > 0) {  // the socket was full: the pipe's bytes go first
    prepare_splice(first, t->pipe.read, -1, t->sock, t->in_pipe);
    first->user_data = UringPoller::client_data(id_, tag(send_step, index));
    t->reading = false;
    t->pending = 1;
    return 1;
  }
  std::size_t chunk = std::min(len, t->pipe.capacity);
  prepare_splice(first, t->file, static_cast<std::int64_t>(offset), t->pipe.write, chunk);
  first->flags = IOSQE_IO_LINK;  // the send runs only after a full read (else: -ECANCELED)
  first->user_data = UringPoller::client_data(id_, tag(read_step, index));
  io_uring_sqe* second = poller_.client_sqe(ec);
  if (!second) return ec ? -ec.value() : -EBUSY;  // cannot be: room for two was made
  prepare_splice(second, t->pipe.read, -1, t->sock, chunk);
  second->user_data = UringPoller::client_data(id_, tag(send_step, index));
  t->reading = true;
  t->pending = 2;
  return 1;
}

void FileSplicer::on_completion(std::uint32_t tag_value, int res, std::uint32_t) noexcept {
  std::size_t index = tag_value & 0xffffffU;
  if (index >= transfers_.size() || !transfers_[index].used) return;
  Transfer& t = transfers_[index];
  if ((tag_value >> 24) == read_step)
    t.read_res = res;
  else
    t.send_res = res;
  if (t.pending > 0 && --t.pending == 0) finish(index);
}

void FileSplicer::finish(std::size_t index) noexcept {
  Transfer& t = transfers_[index];
  if (t.reading && t.read_res > 0) t.in_pipe += static_cast<std::size_t>(t.read_res);
  if (t.send_res > 0) {
    auto sent = static_cast<std::size_t>(t.send_res);
    t.in_pipe -= std::min(t.in_pipe, sent);
    t.left -= std::min(t.left, sent);
  }
  int result;
  if (t.reading && t.read_res < 0) {
    result = t.read_res;
    if (unspliceable(result) && t.owner) {
      unspliceable_.emplace_back(t.owner, t.file_fd);
      result = 0;  // sendfile(2) takes it from here
    }
  } else if (t.reading && t.read_res == 0) {
    result = -EIO;  // the file ended before the region did (truncated while sent)
  } else if (t.send_res == -ECANCELED) {
    result = 0;  // a short read cancelled the send: the pipe's bytes go next
  } else {
    // Bytes that reached the socket, -EAGAIN (a full socket: writability next), a failure.
    result = t.send_res;
  }
  event::Watcher* owner = t.owner;
  // The region is done, failed, or its connection gone: the transfer ends (the pipe is kept
  // only if empty). A step that fell back to sendfile(2) leaves nothing in the pipe.
  if (!owner || (t.left == 0 && t.in_pipe == 0) || (result < 0 && result != -EAGAIN) ||
      (result == 0 && t.in_pipe == 0))
    release(t);
  if (!owner) return;
  try {
    owner->handle_sent(result);  // may queue the next step (transfers_ may grow)
  } catch (...) {
    event::detail::report_error("watcher", std::current_exception());
  }
}

void FileSplicer::release(Transfer& t) noexcept {
  put_pipe(t.pipe, t.in_pipe == 0);
  --in_use_;
  if (t.file >= 0) ::close(t.file);
  if (t.sock >= 0) ::close(t.sock);
  t = Transfer{};
}

void FileSplicer::forget(const event::Watcher& w) noexcept {
  std::erase_if(unspliceable_, [&](const auto& u) { return u.first == &w; });
  Transfer* t = find(w);
  if (!t) return;
  t->owner = nullptr;
  if (t->pending == 0) release(*t);  // else finish() does
}

}  // namespace soket::sys
