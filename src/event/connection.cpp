// SPDX-License-Identifier: MIT
#include <soket/event/connection.hpp>

#include <sys/socket.h>
#include <sys/uio.h>
#include <cerrno>

#include <soket/error.hpp>
#include <soket/event/buffer.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>

#include "event/connection_manager.hpp"
#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/fd.hpp"
#include "linux/sendfile.hpp"
#include "linux/socket.hpp"
#include "linux/stream_io.hpp"

namespace soket::event {

// An idle connection's whole cost on the epoll backend (≤ 128 B with the slab's share); the
// io_uring poller adds a table pointer per descriptor and keeps the rest in the Watcher.
static_assert(sizeof(void*) != 8 || sizeof(Connection) <= 104);

using detail::Output;

namespace {

// Replies up to this size go on the ring (completion model); larger ones by send(2) at once.
constexpr std::size_t ring_send_limit = 8 << 10;

bool would_block(const std::error_code& ec) noexcept {
  return ec == std::errc::resource_unavailable_try_again || ec == std::errc::interrupted;
}

}  // namespace

Loop& Connection::loop() const noexcept {
  return manager_->loop();
}

ConnectionId Connection::id() const noexcept {
  return {manager_->loop().id(), slot_, generation_};
}

bool Connection::output_empty() const noexcept {
  return out_ == nullptr;
}

std::size_t Connection::output_size() const noexcept {
  return out_ ? out_->buf.readable() + out_->file_left : 0;
}

void Connection::handle_events(std::uint32_t ready) {
  if (state_ != State::open) return;  // closed earlier in this batch
  if (handshaking_) return advance_handshake();
  if (read_wants_write_ && (ready & writable)) {
    read_wants_write_ = false;  // the transport's read can go on
    ready |= readable;
  }
  if ((ready & writable) && out_) flush();
  if (state_ == State::open && (ready & readable)) {
    if (wants_input()) {
      on_readable();
    } else if ((ready & (hangup | error)) && !out_) {
      // Reading is off and nothing is queued to reveal the error: report the hang-up here,
      // or level-triggered epoll would repeat it forever.
      close_with(std::make_error_code(std::errc::connection_reset));
    }
  }
  // While draining for shutdown, a connection goes as soon as its replies are out.
  if (state_ == State::open && out_ == nullptr && manager_->draining()) close();
}

void Connection::on_readable() {
  if (has_transport_) return on_readable_transport();
  auto& d = *manager_;
  Buffer* buf;
  iovec iov[2];
  int count;
  if (in_) {
    // A partial message waits: read after it, spilling into the loop's scratch buffer
    // (muduo's Buffer::readFd), so one read takes whatever the kernel has.
    in_->ensure_writable(4096);
    d.scratch().retrieve_all();
    iov[0] = {in_->begin_write(), in_->writable()};
    iov[1] = {d.scratch().begin_write(), d.scratch().writable()};
    count = 2;
    buf = in_;
  } else {
    d.scratch().retrieve_all();
    iov[0] = {d.scratch().begin_write(), d.scratch().writable()};
    count = 1;
    buf = &d.scratch();
  }
  std::error_code ec;
  ssize_t n = sys::readv(fd(), iov, count, ec);
  if (n < 0) {
    if (!would_block(ec)) close_with(ec);
    return;
  }
  if (n == 0) {
    peer_ended();
    return;
  }
  auto got = static_cast<std::size_t>(n);
  if (buf == in_) {
    std::size_t first = std::min(got, iov[0].iov_len);
    in_->has_written(first);
    if (got > first) in_->append(std::span(d.scratch().begin_write(), got - first));
  } else {
    d.scratch().has_written(got);
  }
  deliver(*buf);
}

void Connection::handle_received(std::span<const std::byte> data, int failure) {
  if (state_ != State::open) return;
  if (data.empty()) {
    if (failure) return close_with({-failure, std::system_category()});
    if (held_) {
      held_eof_ = true;  // after the held bytes
      return;
    }
    return peer_ended();
  }
  auto& d = *manager_;
  if (held_ || !wants_input()) {
    // Reading is off, but a receive cancelled for that completed first (its bytes may be
    // many: the kernel fills provided buffers ahead of the handler). Kept aside, by slot, and
    // given to on_data when reading resumes, one read's worth at a time.
    Buffer*& held = d.held(*this);
    if (!held) held = d.take_input();
    held->append(data);
    held_ = true;
    deliver_held();
    return;
  }
  Buffer* buf = input_for_read();
  buf->append(data);
  deliver(*buf);
  if (state_ == State::open && out_ == nullptr && d.draining()) close();
}

Buffer* Connection::input_for_read() {
  if (in_) return in_;  // after the partial message
  manager_->scratch().retrieve_all();
  return &manager_->scratch();
}

void Connection::deliver_held() {
  auto& d = *manager_;
  while (held_ && state_ == State::open && wants_input()) {
    Buffer* held = d.held(*this);
    // At most what one read(2) would have returned, so that congestion (or the handler) can
    // stop reading again between chunks and the output stays bounded.
    std::size_t n = std::min(held->readable(), d.scratch().capacity());
    Buffer* buf = input_for_read();
    buf->append(std::span(held->peek(), n));
    held->retrieve(n);
    if (held->empty()) {
      d.give_input(held);
      d.held(*this) = nullptr;
      held_ = false;
    }
    deliver(*buf);
    if (state_ == State::open && out_ == nullptr && d.draining()) close();
  }
  if (!held_ && held_eof_ && state_ == State::open) {
    held_eof_ = false;
    peer_ended();
  }
}

void Connection::handle_sent(int result) {
  ring_send_ = false;
  if (state_ != State::open || !out_) return;
  if (out_->file_fd >= 0 && out_->file_mark == 0) return file_sent(result);  // file_send.cpp
  if (result < 0) {
    if (result != -EAGAIN && result != -EINTR) return close_with({-result, std::system_category()});
    result = 0;
  }
  Output& o = *out_;
  auto sent = static_cast<std::size_t>(result);
  o.buf.retrieve(sent);
  if (o.file_fd >= 0) o.file_mark -= sent;
  if (o.buf.empty() && o.file_fd < 0) {
    manager_->give_output(out_);
    out_ = nullptr;
  } else if (sent > 0 && o.file_fd < 0 && !deferred_) {
    // More came while the send was out: one more on the ring, with the next turn's sends.
    deferred_ = true;
    manager_->defer(*this);
  } else if (sent > 0) {
    return flush();  // a file is queued: send(2) and sendfile(2) take it from here
  }
  after_write();  // arms writability for what a full socket left, on_drain, close, shutdown
}

void Connection::deliver(Buffer& input) {
  auto& d = *manager_;
  Buffer* buf = &input;
  last_active_ = d.tick();
  try {
    handler_->on_data(*this, *buf);
  } catch (...) {
    detail::route_error(*handler_, this, std::current_exception());
  }
  if (state_ != State::open) return;
  if (buf == &d.scratch()) {
    if (!d.scratch().empty()) {
      in_ = d.take_input();
      in_->append(d.scratch().data());
    }
  } else if (in_ && in_->empty()) {
    d.give_input(in_);
    in_ = nullptr;
  }
}

void Connection::send(std::span<const std::byte> data) {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::send");
  if (state_ != State::open || write_shut_ || shutdown_pending_ || data.empty()) return;
  // The batching path, and the completion model's for small replies (a large one costs more
  // to copy than the send(2) it saves): queue now, the loop sends every connection's bytes
  // after the turn.
  if ((options_->batch_writes || (receiver() && data.size() <= ring_send_limit)) && !out_ &&
      !has_transport_) {
    auto& d = *manager_;
    out_ = d.take_output();
    deferred_ = true;
    d.defer(*this);
  }
  if (!out_ && !handshaking_) {
    std::error_code ec;
    std::ptrdiff_t n = write_some(data.data(), data.size(), ec);
    if (n < 0) {
      if (!would_block(ec)) return close_with(ec);
      n = 0;
    }
    if (static_cast<std::size_t>(n) == data.size()) return;
    data = data.subspan(static_cast<std::size_t>(n));
  }
  if (!out_) out_ = manager_->take_output();
  out_->buf.append(data);
  if (!congested_ && output_size() > options_->high_water) congested_ = true;
  update_interest();
}

void Connection::send(std::initializer_list<std::span<const std::byte>> pieces) {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::send");
  if (state_ != State::open || write_shut_ || shutdown_pending_) return;
  std::size_t total = 0;
  for (auto p : pieces) total += p.size();
  bool on_ring = receiver() && total <= ring_send_limit;
  if (out_ || options_->batch_writes || on_ring || has_transport_ || pieces.size() > 64) {
    for (auto p : pieces) send(p);
    return;
  }
  iovec iov[64];
  int count = 0;
  for (auto p : pieces) iov[count++] = {const_cast<std::byte*>(p.data()), p.size()};
  std::error_code ec;
  ssize_t n = sys::writev(fd(), iov, count, ec);
  if (n < 0) {
    if (!would_block(ec)) return close_with(ec);
    n = 0;
  }
  auto done = static_cast<std::size_t>(n);
  if (done == total) return;
  out_ = manager_->take_output();
  for (auto p : pieces) {
    if (done >= p.size()) {
      done -= p.size();
      continue;
    }
    out_->buf.append(p.subspan(done));
    done = 0;
  }
  if (!congested_ && output_size() > options_->high_water) congested_ = true;
  update_interest();
}

void Connection::sendfile(int file_fd, std::int64_t offset, std::size_t count,
                          std::error_code& ec) {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::sendfile");
  ec.clear();
  if (state_ != State::open || write_shut_ || shutdown_pending_) {
    ec = std::make_error_code(std::errc::not_connected);
    return;
  }
  if (out_ && out_->file_fd >= 0) {
    ec = std::make_error_code(std::errc::device_or_resource_busy);
    return;
  }
  if (has_transport_) {  // the file's bytes must pass through the transport: send() them
    ec = std::make_error_code(std::errc::operation_not_supported);
    return;
  }
  if (count == 0) return;
  if (!out_) out_ = manager_->take_output();
  out_->file_mark = out_->buf.readable();
  out_->file_fd = file_fd;
  out_->file_offset = static_cast<std::uint64_t>(offset);
  out_->file_left = count;
  flush();
}

void Connection::flush() {
  if (handshaking_) return;  // what the handler sent waits for the handshake
  if (ring_send_) return;    // the first bytes are the kernel's: handle_sent goes on
  std::error_code ec;
  while (out_) {
    Output& o = *out_;
    bool file_next = o.file_fd >= 0 && o.file_mark == 0;
    if (!file_next && !o.buf.empty()) {
      std::size_t len = o.file_fd >= 0 ? o.file_mark : o.buf.readable();
      std::ptrdiff_t n = write_some(o.buf.peek(), len, ec);
      if (n < 0) {
        if (would_block(ec)) break;
        return close_with(ec);
      }
      auto w = static_cast<std::size_t>(n);
      o.buf.retrieve(w);
      if (o.file_fd >= 0) o.file_mark -= w;
      if (w < len) break;  // socket full
    } else if (file_next) {
      if (receiver() && send_file_on_ring()) break;  // file_send.cpp; else sendfile(2)
      ssize_t n = sys::sendfile(fd(), o.file_fd, &o.file_offset, o.file_left, ec);
      if (n < 0) {
        if (would_block(ec)) break;
        return close_with(ec);
      }
      if (n == 0) {  // the file is shorter than promised
        return close_with(std::make_error_code(std::errc::io_error));
      }
      o.file_left -= static_cast<std::size_t>(n);
      if (o.file_left == 0) o.file_fd = -1;
    } else {
      break;
    }
    if (o.buf.empty() && o.file_fd < 0) {
      manager_->give_output(out_);
      out_ = nullptr;
    }
  }
  after_write();
}

void Connection::after_write() {
  if (state_ != State::open) return;
  if (congested_ && output_size() <= options_->low_water) {
    congested_ = false;
    try {
      handler_->on_drain(*this);
    } catch (...) {
      detail::route_error(*handler_, this, std::current_exception());
    }
    if (state_ != State::open) return;
    if (has_transport_) read_held();
    if (held_) deliver_held();
    if (state_ != State::open) return;
  }
  if (!out_) {
    if (close_pending_ || manager_->draining()) return close_with({});
    if (shutdown_pending_ && !write_shut_) {
      announce_end();
      std::error_code ignored;
      sys::shutdown(fd(), SHUT_WR, ignored);
      write_shut_ = true;
      shutdown_pending_ = false;
    }
  }
  update_interest();
}

void Connection::update_interest() {
  if (state_ != State::open) return;
  std::uint32_t want = 0;
  if (handshaking_) {
    want = handshake_write_ ? writable : readable;
  } else {
    if (wants_input()) want |= readable;
    if ((out_ && !deferred_ && !ring_send_) || read_wants_write_) want |= writable;
  }
  if (want == interest()) return;
  try {
    manager_->loop().watch(*this, want);
  } catch (const std::system_error& e) {
    close_with(e.code());
  }
}

void Connection::pause_reading() {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::pause_reading");
  reading_paused_ = true;
  update_interest();
}

void Connection::resume_reading() {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::resume_reading");
  reading_paused_ = false;
  update_interest();
  if (has_transport_) read_held();
  if (held_) deliver_held();
}

void Connection::shutdown() {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::shutdown");
  if (state_ != State::open || write_shut_) return;
  if (out_) {
    shutdown_pending_ = true;
    return;
  }
  announce_end();
  std::error_code ignored;
  sys::shutdown(fd(), SHUT_WR, ignored);
  write_shut_ = true;
}

void Connection::close_after_flush() {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::close_after_flush");
  if (state_ != State::open) return;
  if (!out_) return close_with({});
  close_pending_ = true;
}

void Connection::close() {
  SOKET_LOOP_THREAD_ONLY(manager_->loop(), "Connection::close");
  close_with({});
}

void Connection::peer_ended() {
  eof_ = true;
  if (out_) {
    close_pending_ = true;
    update_interest();
  } else {
    close_with({});
  }
}

void Connection::close_with(std::error_code reason) {
  if (state_ != State::open) return;
  if (handshaking_) return drop_unopened(reason);
  state_ = State::closing;  // on_close may call close() again: it does nothing
  try {
    handler_->on_close(*this, reason);
  } catch (...) {
    detail::route_error(*handler_, this, std::current_exception());  // then close anyway
  }
  auto& d = *manager_;
  // Explicitly out of epoll: close(2) removes the registration only when this was the last
  // descriptor of the open file, and an adopted descriptor may have been dup'ed or inherited
  // by a child. This also forgets the rest of this turn's events for the slot.
  manager_->loop().unwatch(*this);
  if (!reason) announce_end();  // TLS: close_notify, so the peer can tell the end from a cut
  std::error_code ignored;
  sys::close(fd(), ignored);
  if (out_) d.give_output(out_);
  if (in_) d.give_input(in_);
  out_ = nullptr;
  in_ = nullptr;
  d.release(*this);
}

Address Connection::peer(std::error_code& ec) const noexcept {
  Address a;
  std::size_t len = Address::max_size;
  if (sys::getpeername(fd(), a.data(), &len, ec)) a.resize(len);
  return a;
}

Address Connection::peer() const {
  std::error_code ec;
  Address a = peer(ec);
  if (ec) throw_error(ec, "getpeername");
  return a;
}

Address Connection::local(std::error_code& ec) const noexcept {
  Address a;
  std::size_t len = Address::max_size;
  if (sys::getsockname(fd(), a.data(), &len, ec)) a.resize(len);
  return a;
}

Address Connection::local() const {
  std::error_code ec;
  Address a = local(ec);
  if (ec) throw_error(ec, "getsockname");
  return a;
}

}  // namespace soket::event
