// SPDX-License-Identifier: MIT
// connect(): resolve (if need be), start a non-blocking connect, finish it in a loop-owned
// Connector that adopts the socket or reports the failure.
#include <soket/event/client.hpp>

#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include <soket/error.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/resolver.hpp>
#include <soket/socket.hpp>

#include "event/loop_impl.hpp"
#include "event/report.hpp"
#include "event/thread_check.hpp"
#include "linux/stream_io.hpp"
#include "linux/sys.hpp"

namespace soket::event {
namespace {

/// One connect in progress. The loop owns it (LoopImpl::owned) until it finishes, so a Loop
/// destroyed mid-connect frees it and closes its socket.
class Connector final : public Watcher {
 public:
  Connector(Loop& loop, const Address& address, Handler& handler, const ConnectionOptions& options,
            Socket s)
      : Watcher(s.fileno()),
        loop_(loop),
        address_(address),
        handler_(handler),
        options_(options),
        socket_(std::move(s)) {}

  ~Connector() override {
    loop_.unwatch(*this);  // before socket_ closes the descriptor
    if (timer_) loop_.cancel(timer_);
  }

  /// Waits for writability, bounded by `timeout`.
  void start(std::chrono::milliseconds timeout) {
    loop_.watch(*this, writable);
    timer_ = loop_.call_after(timeout, [this] {
      timer_ = {};
      finish(std::make_error_code(std::errc::timed_out));
    });
  }

  /// The kernel already answered (connected, or refused): report on the next turn, so the
  /// caller's stack unwinds before on_open / on_connect_error, as for a later completion.
  void start_done(std::error_code ec) {
    timer_ = loop_.call_after(std::chrono::milliseconds(0), [this, ec] {
      timer_ = {};
      finish(ec);
    });
  }

  void handle_events(std::uint32_t) override {
    int err = 0;
    std::size_t len = sizeof err;
    std::error_code ec;
    sys::getsockopt(fd(), SOL_SOCKET, SO_ERROR, &err, &len, ec);
    if (!ec && err) ec = {err, std::system_category()};
    finish(ec);
  }

 private:
  // Leaves the loop and deletes this before the handler hears of the outcome, so the handler
  // may start another connect at once.
  void finish(std::error_code ec) {
    std::unique_ptr<Watcher> self = detail::LoopAccess::impl(loop_).disown(this);
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
        detail::LoopAccess::impl(loop).adopt(fd, handler, options);
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
  Socket socket_;
  TimerId timer_;
};

// Python's setipaddr(): a host name is resolved with the socket's family, first result.
// Throws gaierror as create_connection does: "getaddrinfo nosuch.invalid: Name or service ...".
Address resolve(const Address& address, Family family) {
  std::vector<AddrInfo> res = getaddrinfo(address.host(), address.port(), family, Type::stream);
  if (res.empty())  // glibc never answers "success, nothing"; kept for other libcs
    throw_error(std::make_error_code(std::errc::address_not_available),
                "getaddrinfo " + address.host());
  return res.front().address;
}

}  // namespace

void connect(Loop& loop, const Address& address, Handler& handler, const ConnectionOptions& options,
             std::chrono::milliseconds timeout, Family family) {
  SOKET_LOOP_THREAD_ONLY(loop, "event::connect");
  const Address target = address.is_resolved() ? address : resolve(address, family);
  Socket s(target.family(), Type::stream);
  std::error_code ec;
  sys::set_nonblocking(s.fileno(), true, ec);
  if (ec) throw_error(ec, "connect to", &address);
  bool done = sys::connect(s.fileno(), target.data(), target.size(), ec);
  bool in_progress = !done && (ec == std::errc::operation_in_progress ||
                               ec == std::errc::resource_unavailable_try_again);
  // Handlers hear of the address they asked for (the host name, if one was given).
  auto c = std::make_unique<Connector>(loop, address, handler, options, std::move(s));
  // Refused at once (a Unix path nobody listens on) goes through the callback as well, so
  // callers handle one path.
  if (in_progress)
    c->start(timeout);
  else
    c->start_done(ec);
  detail::LoopAccess::impl(loop).own(std::move(c));
}

}  // namespace soket::event
