// SPDX-License-Identifier: MIT
// connect(): a loop-owned Connector resolves a host name on a helper thread (libc has no
// asynchronous getaddrinfo), then tries each address in order, as create_connection does,
// and adopts the first socket that connects or reports the last failure.
#include <soket/event/client.hpp>

#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soket/error.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/resolver.hpp>
#include <soket/socket.hpp>

#include "event/connection_manager.hpp"
#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/fd.hpp"
#include "linux/socket.hpp"
#include "linux/stream_io.hpp"

namespace soket::event {
namespace {

/// A lookup on its helper thread. The Connector that started it may go first (its Loop was
/// destroyed, or the timeout fired): it sets `abandoned`, under `mu`, so the thread never
/// posts to a Loop that is gone.
struct Lookup {
  std::mutex mu;
  bool abandoned = false;
};

/// One connect in progress. The loop's connection manager owns it until it finishes, so a
/// Loop destroyed mid-connect frees it and closes its socket.
class Connector final : public Watcher {
 public:
  Connector(Loop& loop, const Address& address, Handler& handler, const ConnectionOptions& options,
            Duration timeout, Family family)
      : loop_(loop),
        address_(address),
        handler_(handler),
        options_(options),
        timeout_(timeout),
        family_(family) {}

  ~Connector() override {
    if (lookup_) {
      std::lock_guard lock(lookup_->mu);
      lookup_->abandoned = true;
    }
    loop_.unwatch(*this);  // before socket_ closes the descriptor
    if (timer_) loop_.cancel(timer_);
  }

  /// Starts on the next turn, so that no callback runs inside connect().
  void start() {
    timer_ = loop_.call_after(Duration::zero(), [this] {
      timer_ = {};
      if (address_.is_resolved()) {
        targets_.push_back(address_);
        return try_next();
      }
      resolve();
    });
  }

  void handle_events(std::uint32_t) override {
    std::error_code ec = sys::take_socket_error(fd());
    if (timer_) loop_.cancel(timer_);
    timer_ = {};
    if (ec) return attempt_failed(ec);
    finish({});
  }

 private:
  // getaddrinfo on a helper thread; the answer is posted back to the loop. `timeout` bounds
  // the lookup too: a resolver that never answers cannot hold the connect forever.
  void resolve() {
    lookup_ = std::make_shared<Lookup>();
    timer_ = loop_.call_after(timeout_, [this] {
      timer_ = {};
      finish(std::make_error_code(std::errc::timed_out));
    });
    std::thread([lookup = lookup_, loop = &loop_, self = this, host = address_.host(),
                 port = address_.port(), family = family_] {
      std::error_code ec;
      std::vector<AddrInfo> found;
      try {
        found =
            getaddrinfo(host, std::to_string(port), family, Type::stream, 0, ai::numericserv, ec);
      } catch (const std::exception&) {
        ec = std::make_error_code(std::errc::not_enough_memory);
      }
      std::lock_guard lock(lookup->mu);
      if (lookup->abandoned) return;
      loop->post([lookup, self, found = std::move(found), ec] {
        if (!lookup->abandoned) self->resolved(found, ec);  // loop thread: no race with ~
      });
    }).detach();
  }

  void resolved(const std::vector<AddrInfo>& found, std::error_code ec) {
    lookup_.reset();
    if (timer_) loop_.cancel(timer_);
    timer_ = {};
    if (ec) return finish(ec);
    for (const AddrInfo& ai : found) targets_.push_back(ai.address);
    if (targets_.empty())  // glibc never answers "success, nothing"; kept for other libcs
      return finish(std::make_error_code(std::errc::address_not_available));
    try_next();
  }

  // Tries the remaining addresses in order until one is in progress or connected.
  void try_next() {
    while (next_ < targets_.size()) {
      const Address& target = targets_[next_++];
      std::error_code ec;
      Socket s(target.family(), Type::stream, 0, ec);
      if (!ec) sys::set_nonblocking(s.fileno(), true, ec);
      if (ec) {
        last_ = ec;
        continue;
      }
      bool done = sys::connect(s.fileno(), target.data(), target.size(), ec);
      if (done) {
        socket_ = std::move(s);
        return finish({});
      }
      if (ec != std::errc::operation_in_progress &&
          ec != std::errc::resource_unavailable_try_again) {
        last_ = ec;  // refused at once (a Unix path nobody listens on): the next address
        continue;
      }
      socket_ = std::move(s);
      set_fd(socket_.fileno());
      try {
        loop_.watch(*this, writable);
      } catch (const Error& e) {
        attempt_failed(e.code());
        return;
      }
      timer_ = loop_.call_after(timeout_, [this] {
        timer_ = {};
        attempt_failed(std::make_error_code(std::errc::timed_out));
      });
      return;
    }
    finish(last_ ? last_ : std::make_error_code(std::errc::address_not_available));
  }

  void attempt_failed(std::error_code ec) {
    loop_.unwatch(*this);
    set_fd(-1);
    std::error_code ignored;
    socket_.close(ignored);
    last_ = ec;
    try_next();
  }

  // Leaves the loop and deletes this before the handler hears of the outcome, so the handler
  // may start another connect at once.
  void finish(std::error_code ec) {
    std::unique_ptr<Watcher> self = loop_.connections().disown(this);
    Loop& loop = loop_;
    Handler& handler = handler_;
    const ConnectionOptions& options = options_;
    Address address = address_;
    int fd = -1;
    if (!ec) {
      if (socket_.family() == Family::inet || socket_.family() == Family::inet6)
        sys::set_nodelay(socket_.fileno());
      loop_.unwatch(*this);  // the connection registers the same descriptor again
      fd = socket_.detach();
    }
    self.reset();  // closes the socket on failure
    if (!ec) {
      try {
        loop.connections().adopt(fd, handler, options, {});
        return;
      } catch (const Error& e) {
        ec = e.code();
      }
    }
    try {
      handler.on_connect_error(address, ec);
    } catch (...) {
      detail::route_error(handler, nullptr, std::current_exception());
    }
  }

  Loop& loop_;
  Address address_;
  Handler& handler_;
  const ConnectionOptions& options_;
  Duration timeout_;
  Family family_;
  std::vector<Address> targets_;
  std::size_t next_ = 0;
  std::error_code last_;
  Socket socket_;
  TimerId timer_;
  std::shared_ptr<Lookup> lookup_;
};

}  // namespace

void connect(Loop& loop, const Address& address, Handler& handler, const ConnectionOptions& options,
             Duration timeout, Family family) {
  SOKET_LOOP_THREAD_ONLY(loop, "event::connect");
  auto c = std::make_unique<Connector>(loop, address, handler, options, timeout, family);
  c->start();
  loop.connections().own(std::move(c));
}

}  // namespace soket::event
