// SPDX-License-Identifier: MIT
#include <soket/event/client.hpp>

#include <sys/socket.h>

#include <soket/error.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/socket.hpp>

#include "event/loop_impl.hpp"
#include "linux/stream_io.hpp"
#include "linux/sys.hpp"

namespace soket::event {
namespace {

/// One connect in progress: watches for writability, owns itself until it finishes.
class Connector final : public Watcher {
 public:
  Connector(Loop& loop, const Address& address, Handler& handler,
            const ConnectionOptions& options, Socket s)
      : Watcher(s.fileno()), loop_(loop), address_(address), handler_(handler),
        options_(options), socket_(std::move(s)) {}

  void start(std::chrono::milliseconds timeout) {
    loop_.watch(*this, writable);
    timer_ = loop_.call_after(timeout, [this] {
      timer_ = {};
      fail(std::make_error_code(std::errc::timed_out));
    });
  }

  void handle_events(std::uint32_t) override {
    int err = 0;
    std::size_t len = sizeof err;
    std::error_code ec;
    sys::getsockopt(fd(), SOL_SOCKET, SO_ERROR, &err, &len, ec);
    if (!ec && err) ec = {err, std::system_category()};
    if (ec) return fail(ec);
    loop_.unwatch(*this);
    if (timer_) loop_.cancel(timer_);
    if (address_.is_inet()) sys::set_nodelay(fd());
    Loop& loop = loop_;
    Handler& handler = handler_;
    const ConnectionOptions& options = options_;
    Address address = address_;
    int fd = socket_.detach();
    delete this;
    try {
      detail::LoopAccess::impl(loop).adopt(fd, handler, options);
    } catch (const Error& e) {
      handler.on_connect_error(address, e.code());
    }
  }

  void fail(std::error_code ec) {
    loop_.unwatch(*this);
    if (timer_) loop_.cancel(timer_);
    Handler& handler = handler_;
    Address address = address_;
    delete this;  // closes the socket before the handler hears of it
    handler.on_connect_error(address, ec);
  }

 private:
  Loop& loop_;
  Address address_;
  Handler& handler_;
  const ConnectionOptions& options_;
  Socket socket_;
  TimerId timer_;
};

}  // namespace

void connect(Loop& loop, const Address& address, Handler& handler,
             const ConnectionOptions& options, std::chrono::milliseconds timeout) {
  if (!address.is_resolved())
    throw_error(std::make_error_code(std::errc::invalid_argument),
                "connect to " + address.to_string() + " (event::connect needs a numeric address)");
  Socket s(address.family(), Type::stream);
  std::error_code ec;
  sys::set_nonblocking(s.fileno(), true, ec);
  if (ec) throw_error(ec, "connect to", &address);
  if (sys::connect(s.fileno(), address.data(), address.size(), ec)) {
    // Connected at once (Unix sockets, sometimes loopback): adopt on the next turn so the
    // caller's stack unwinds before on_open, as for an asynchronous completion.
    if (address.is_inet()) sys::set_nodelay(s.fileno());
    int fd = s.detach();
    Address a = address;
    loop.post([&loop, fd, &handler, &options, a] {
      try {
        detail::LoopAccess::impl(loop).adopt(fd, handler, options);
      } catch (const Error& e) {
        handler.on_connect_error(a, e.code());
      }
    });
    return;
  }
  if (ec != std::errc::operation_in_progress && ec != std::errc::resource_unavailable_try_again) {
    // Refused at once (a Unix path nobody listens on): report through the callback as well,
    // so callers handle one path.
    Address a = address;
    loop.post([&handler, a, ec] { handler.on_connect_error(a, ec); });
    return;
  }
  auto* c = new Connector(loop, address, handler, options, std::move(s));
  c->start(timeout);
}

}  // namespace soket::event
