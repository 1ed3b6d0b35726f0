// SPDX-License-Identifier: MIT
#include "event/connection_manager.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <soket/error.hpp>
#include <soket/event/handler.hpp>

#include "deadline.hpp"
#include "event/poller.hpp"
#include "event/report.hpp"
#include "linux/fd.hpp"
#include "linux/uring.hpp"

namespace soket::event::detail {

ConnectionManager::ConnectionManager(Loop& loop)
    : loop_(loop), start_(Clock::now()), scratch_(scratch_size) {}

ConnectionManager::~ConnectionManager() {
  for_each([](Connection& c) { c.close(); });
  // Connects still in flight, including any an on_close above just started: abandoned, their
  // sockets closed, their handlers never called (a handler may already be gone).
  while (!owned_.empty()) {
    std::unique_ptr<Watcher> w = std::move(owned_.back());
    owned_.pop_back();
  }
}

std::unique_ptr<Watcher> ConnectionManager::disown(Watcher* w) noexcept {
  auto it = std::find_if(owned_.begin(), owned_.end(), [w](const auto& p) { return p.get() == w; });
  if (it == owned_.end()) return nullptr;
  std::unique_ptr<Watcher> out = std::move(*it);
  *it = std::move(owned_.back());
  owned_.pop_back();
  return out;
}

std::uint64_t ConnectionManager::tick() const noexcept {
  // 64 bits: a 32-bit tick wraps after 49.7 days and truncated idle timeouts beyond that.
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(loop_.now() - start_).count());
}

ConnectionId ConnectionManager::adopt(int fd, Handler& handler, const ConnectionOptions& options,
                                      Context context) {
  if (free_slots_.empty()) {
    auto base = static_cast<std::uint32_t>(chunks_.size() * chunk_size);
    chunks_.push_back(std::make_unique<Connection[]>(chunk_size));
    for (std::size_t i = chunk_size; i-- > 0;) {
      chunks_.back()[i].slot_ = base + static_cast<std::uint32_t>(i);
      free_slots_.push_back(base + static_cast<std::uint32_t>(i));
    }
  }
  Connection& c = at(free_slots_.back());
  std::unique_ptr<Transport> transport;
  if (options.transport) {
    try {
      transport = options.transport->make_transport(fd);
      if (transports_.size() <= c.slot_) transports_.resize(chunks_.size() * chunk_size);
    } catch (...) {
      std::error_code ignored;
      sys::close(fd, ignored);
      throw;
    }
  }
  c.set_fd(fd);
  c.manager_ = this;
  c.handler_ = &handler;
  c.options_ = &options;
  c.context_ = context;
  c.last_active_ = tick();
  c.congested_ = c.reading_paused_ = c.eof_ = false;
  c.shutdown_pending_ = c.close_pending_ = c.write_shut_ = c.deferred_ = false;
  c.has_transport_ = c.handshaking_ = transport != nullptr;
  c.handshake_write_ = c.read_wants_write_ = false;
  c.ring_send_ = c.held_ = c.held_eof_ = false;
  // The completion model where the poller has it; a transport reads through its own calls.
  c.set_receiver(!transport && loop_.poller().completes());
  try {
    loop_.watch(c, Watcher::readable);
  } catch (...) {
    c.set_fd(-1);
    c.has_transport_ = c.handshaking_ = false;
    std::error_code ignored;
    sys::close(fd, ignored);
    throw;
  }
  free_slots_.pop_back();
  c.state_ = Connection::State::open;
  ++live_;
  if (options.idle_timeout > Duration::zero()) arm_sweep(options.idle_timeout);
  ConnectionId id = c.id();
  if (transport) {
    // Not open to the handler until the handshake is done (advance_handshake calls on_open).
    transports_[c.slot_] = std::move(transport);
    if (options.handshake_timeout > Duration::zero()) arm_sweep(options.handshake_timeout);
    c.advance_handshake();
    return id;
  }
  try {
    handler.on_open(c);
  } catch (...) {
    // The connection is adopted (counted, on_close will come): the handler decides its fate.
    route_error(handler, &c, std::current_exception());
  }
  return id;
}

void ConnectionManager::arm_sweep(Duration timeout) {
  // One coarse sweep per loop instead of a timer per connection.
  Duration period = timeout / 4;
  period = std::clamp<Duration>(period, std::chrono::milliseconds(10), std::chrono::seconds(1));
  if (!sweep_ || period < sweep_period_) {
    if (sweep_) loop_.cancel(sweep_);
    sweep_period_ = period;
    sweep_ = loop_.call_every(period, [this] { sweep_idle(); });
  }
}

void ConnectionManager::release(Connection& c) noexcept {
  c.state_ = Connection::State::free;
  if (++c.generation_ == 0) c.generation_ = 1;
  c.set_fd(-1);
  c.context_ = {};
  if (c.has_transport_) transports_[c.slot_].reset();
  if (c.held_ || c.held_eof_) {
    if (Buffer*& held = this->held(c)) give_input(std::exchange(held, nullptr));
    c.held_ = c.held_eof_ = false;
  }
  c.has_transport_ = c.handshaking_ = false;
  free_slots_.push_back(c.slot_);
  --live_;
}

void ConnectionManager::flush_on_ring(Poller& poller) {
  // Queued on the poller's ring: the next wait's io_uring_enter submits them with the turn's
  // receives and waits, and each result comes to Connection::handle_sent.
  for (std::size_t i = 0; i < deferred_.size(); ++i) {
    Connection* c = deferred_[i];
    if (!c->deferred_) continue;  // a slot closed and reused in this turn appears twice
    c->deferred_ = false;
    if (!c->out_ || c->state_ != Connection::State::open || c->ring_send_) continue;
    Output& o = *c->out_;
    if (o.file_fd < 0 && poller.queue_send(*c, o.buf.peek(), o.buf.readable())) {
      c->ring_send_ = true;
    } else {
      c->flush();  // a file queued (sendfile), or no room: plain send(2)
    }
  }
  deferred_.clear();
}

void ConnectionManager::flush_deferred() {
  // Connections closed since they queued have out_ == nullptr (close gave it back).
  if (Poller& poller = loop_.poller(); poller.completes()) return flush_on_ring(poller);
  if (!uring_) uring_ = std::make_unique<sys::Uring>(1024);
  auto& deferred = deferred_;
  std::size_t i = 0;
  while (i < deferred.size()) {
    std::size_t first = i;
    for (; i < deferred.size(); ++i) {
      Connection* c = deferred[i];
      // A slot closed and reused in this turn appears twice: the first visit handles it.
      if (!c->deferred_) continue;
      c->deferred_ = false;
      if (!c->out_ || c->state_ != Connection::State::open) continue;
      if (!uring_->ok() || c->out_->file_fd >= 0) continue;  // flushed one by one below
      if (!uring_->queue_send(c->fd(), c->out_->buf.peek(), c->out_->buf.readable(), i)) {
        c->deferred_ = true;  // ring full: this one starts the next round
        break;
      }
    }
    std::error_code ec;
    bool submitted = uring_->ok() &&
                     uring_->submit_and_reap(
                         [&](std::uint64_t k, int res) {
                           Connection* c = deferred[k];
                           if (res > 0) c->out_->buf.retrieve(static_cast<std::size_t>(res));
                           c->deferred_ = true;  // marks "handled by the ring" for the pass below
                           if (res < 0 && res != -EAGAIN && res != -EINTR)
                             c->close_with({-res, std::system_category()});
                         },
                         ec);
    for (std::size_t k = first; k < i; ++k) {
      Connection* c = deferred[k];
      bool by_ring = submitted && c->deferred_;
      c->deferred_ = false;
      if (c->state_ != Connection::State::open || !c->out_) continue;
      if (!by_ring) {
        c->flush();  // no ring, a file queued, or the submission failed: plain send(2)
        continue;
      }
      if (c->out_->buf.empty() && c->out_->file_fd < 0) {
        give_output(c->out_);
        c->out_ = nullptr;
      }
      c->after_write();  // arms EPOLLOUT for what is left, on_drain, shutdown, drain-close
    }
  }
  deferred.clear();
}

void ConnectionManager::sweep_idle() {
  std::uint64_t t = tick();
  for (auto& chunk : chunks_) {
    for (std::size_t i = 0; i < chunk_size; ++i) {
      Connection& c = chunk[i];
      if (c.state_ != Connection::State::open) continue;
      // last_active_ is the adoption tick until the handshake is done.
      Duration timeout = c.handshaking_ ? c.options_->handshake_timeout : c.options_->idle_timeout;
      auto limit = static_cast<std::uint64_t>(
          soket::detail::saturating_cast<std::chrono::milliseconds>(timeout).count());
      if (limit == 0 || t - c.last_active_ < limit) continue;
      if (c.handshaking_)
        c.drop_unopened(std::make_error_code(std::errc::timed_out));
      else
        c.close_with(std::make_error_code(std::errc::timed_out));
    }
  }
}

Connection* ConnectionManager::find(ConnectionId id) noexcept {
  if (id.loop != loop_.id() || id.slot / chunk_size >= chunks_.size()) return nullptr;
  Connection& c = at(id.slot);
  if (c.generation_ != id.generation || c.state_ != Connection::State::open) return nullptr;
  return &c;
}

void ConnectionManager::for_each(const std::function<void(Connection&)>& fn,
                                 const Handler* handler) {
  // By index: fn may adopt a connection, which can add a chunk (chunks never move).
  for (std::size_t k = 0; k < chunks_.size(); ++k) {
    Connection* chunk = chunks_[k].get();
    for (std::size_t i = 0; i < chunk_size; ++i) {
      Connection& c = chunk[i];
      if (c.state_ == Connection::State::open && (!handler || c.handler_ == handler)) fn(c);
    }
  }
}

void ConnectionManager::drain(Clock::time_point deadline, std::function<void()> done) {
  draining_ = true;
  for_each([](Connection& c) {
    if (c.output_empty()) c.close();
  });
  auto check = std::make_shared<TimerId>();
  auto finish = [this, check, deadline, done = std::move(done)] {
    if (live_ != 0 && Clock::now() < deadline) return;
    for_each([](Connection& c) { c.close(); });
    loop_.cancel(*check);
    draining_ = false;
    done();
  };
  *check = loop_.call_every(std::chrono::milliseconds(5), finish);
}

Output* ConnectionManager::take_output() {
  if (out_pool_.empty()) return new Output;
  Output* o = out_pool_.back().release();
  out_pool_.pop_back();
  return o;
}

void ConnectionManager::give_output(Output* o) noexcept {
  o->buf.retrieve_all();
  o->buf.trim(pool_keep);
  o->file_fd = -1;
  o->file_mark = o->file_left = 0;
  if (out_pool_.size() < pool_max) {
    try {
      out_pool_.emplace_back(o);
      return;
    } catch (...) {
    }
  }
  delete o;
}

Buffer* ConnectionManager::take_input() {
  if (in_pool_.empty()) return new Buffer;
  Buffer* b = in_pool_.back().release();
  in_pool_.pop_back();
  return b;
}

void ConnectionManager::give_input(Buffer* b) noexcept {
  b->retrieve_all();
  b->trim(pool_keep);
  if (in_pool_.size() < pool_max) {
    try {
      in_pool_.emplace_back(b);
      return;
    } catch (...) {
    }
  }
  delete b;
}

}  // namespace soket::event::detail
