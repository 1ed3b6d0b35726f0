// SPDX-License-Identifier: MIT
// The Connection's transport path (ConnectionOptions::transport, e.g. TLS): the handshake
// before on_open, plaintext reads, and the orderly end. Plain connections never come here.
#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/event/transport.hpp>

#include "event/connection_manager.hpp"
#include "event/report.hpp"
#include "linux/fd.hpp"
#include "linux/stream_io.hpp"

namespace soket::event {

namespace {
// Reading stops after this much per readiness event, so one fast sender cannot hold the loop.
constexpr std::size_t read_budget = 256 << 10;
constexpr std::size_t read_chunk = 16 << 10;  // one TLS record's plaintext
}  // namespace

Transport* Connection::transport() const noexcept {
  return has_transport_ ? manager_->transport(*this) : nullptr;
}

std::ptrdiff_t Connection::write_some(const std::byte* p, std::size_t n, std::error_code& ec) {
  if (!has_transport_) return sys::write(fd(), p, n, ec);
  Want want = Want::nothing;
  ec.clear();
  std::ptrdiff_t done = manager_->transport(*this)->write(fd(), {p, n}, want, ec);
  if (done < 0 && !ec) {
    // Not now: retried when the socket is writable. (A write that waits for input would be
    // TLS 1.2 renegotiation, which the tls transport refuses.)
    ec = std::make_error_code(std::errc::resource_unavailable_try_again);
  }
  return done;
}

void Connection::advance_handshake() {
  std::error_code ec;
  Want want = manager_->transport(*this)->handshake(fd(), ec);
  if (ec) return drop_unopened(ec);
  if (want != Want::nothing) {
    handshake_write_ = want == Want::write;
    update_interest();
    return;
  }
  handshaking_ = handshake_write_ = false;
  last_active_ = manager_->tick();  // the idle timeout counts from here
  update_interest();
  try {
    handler_->on_open(*this);
  } catch (...) {
    detail::route_error(*handler_, this, std::current_exception());
  }
  if (state_ != State::open) return;
  if (out_) flush();  // what was sent before the handshake finished (Server broadcasts)
  if (state_ == State::open) read_held();
}

void Connection::drop_unopened(std::error_code reason) {
  // The handler never saw this connection (no on_open), so it hears of no close: the
  // accepting side gets on_handshake_error, a connect()ed one on_connect_error.
  bool client = !manager_->transport(*this)->server_side();
  std::error_code ignored;
  Address peer_address = peer(ignored);
  state_ = State::closing;
  auto& d = *manager_;
  Handler& handler = *handler_;
  manager_->loop().unwatch(*this);
  sys::close(fd(), ignored);
  if (out_) d.give_output(out_);
  if (in_) d.give_input(in_);
  out_ = nullptr;
  in_ = nullptr;
  d.release(*this);
  try {
    if (client)
      handler.on_connect_error(peer_address, reason);
    else
      handler.on_handshake_error(peer_address, reason);
  } catch (...) {
    detail::route_error(handler, nullptr, std::current_exception());
  }
}

void Connection::on_readable_transport() {
  auto& d = *manager_;
  Transport& t = *d.transport(*this);
  if (held_eof_) {
    // The peer's end, read with the bytes the handler has now seen (on_readable_transport):
    // a plain socket would have left it in the kernel until this read.
    held_eof_ = false;
    peer_ended();
    return;
  }
  Buffer* buf = in_;
  if (!buf) {
    d.scratch().retrieve_all();
    buf = &d.scratch();
  }
  // Read until the transport wants more from the socket (it then tried the socket, so new
  // bytes raise an event): what it holds already (decrypted, or read ahead) raises none.
  std::size_t got = 0;
  bool end = false, held = false;
  std::error_code ec;
  for (;;) {
    if (got >= read_budget) {
      held = true;  // read_held() continues on a later turn
      break;
    }
    if (buf->writable() == 0) {
      if (buf == &d.scratch()) {
        held = true;
        break;
      }
      buf->ensure_writable(read_chunk);
    }
    Want want = Want::nothing;
    std::ptrdiff_t n = t.read(fd(), {buf->begin_write(), buf->writable()}, want, ec);
    if (n > 0) {
      buf->has_written(static_cast<std::size_t>(n));
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) end = true;
    if (want == Want::write) read_wants_write_ = true;
    break;
  }
  if (got > 0) {
    deliver(*buf);
    if (state_ != State::open) return;
    if (end) {
      // The peer's orderly end (close_notify) came in the same go as the bytes: the handler
      // answers them later (reading paused, or on a later turn), so the end waits for the next
      // read as it would in a plain socket, instead of closing before the answer.
      // (held_eof_ is free here: connections with a transport are never receivers.)
      held_eof_ = true;
      read_held();
      return;
    }
  }
  // A failure (a cut without close_notify, a reset) is not held: the transport refuses to
  // write after it, so no answer could go out; the handler has seen the bytes before it.
  if (ec) return close_with(ec);
  if (end) {
    peer_ended();
    return;
  }
  if (read_wants_write_) update_interest();
  if (held) read_held();
}

void Connection::read_held() {
  // Bytes the transport holds, and the peer's end held after bytes, raise no epoll event: read
  // them on a later turn (posted, so a handler calling resume_reading() is not re-entered from
  // inside its own call). Called after the handshake, on resume and drain, and when a read
  // stopped before the transport asked for the socket; a read that ends asking for it posts
  // nothing, so a partial record the transport holds cannot make the loop spin.
  if (state_ != State::open || !wants_input()) return;
  if (!held_eof_ && !manager_->transport(*this)->has_pending()) return;
  detail::ConnectionManager* m = manager_;
  m->loop().post([m, id = id()] {
    Connection* c = m->find(id);
    if (c && !c->handshaking_ && c->wants_input()) c->on_readable();
  });
}

void Connection::announce_end() noexcept {
  if (has_transport_ && !handshaking_) manager_->transport(*this)->close_notify(fd());
}

}  // namespace soket::event
