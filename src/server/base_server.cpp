// SPDX-License-Identifier: MIT
// BaseServer: serve_forever/shutdown with an eventfd wakeup, and the request protocol.
#include <soket/server/base_server.hpp>

#include <cstdio>
#include <exception>
#include <iostream>

#include <soket/error.hpp>
#include <soket/io/selector.hpp>
#include <soket/server/request_handler.hpp>

#include "linux/eventfd.hpp"

namespace soket::server {

BaseServer::BaseServer(Address address, HandlerFactory factory)
    : server_address(std::move(address)), handler_factory_(std::move(factory)) {
  std::error_code ec;
  wake_fd_ = OwnedFd(sys::eventfd(ec));
  if (ec) throw_error(ec, "eventfd");
}

BaseServer::~BaseServer() = default;

void BaseServer::serve_forever(std::chrono::duration<double> poll_interval) {
  {
    std::lock_guard lock(mutex_);
    is_shut_down_ = false;
  }
  // Python's `finally`: whatever happens, reset the request flag and release shutdown().
  struct Done {
    BaseServer* s;
    ~Done() {
      s->shutdown_request_.store(false);
      sys::eventfd_drain(s->wake_fd_.get());
      {
        std::lock_guard lock(s->mutex_);
        s->is_shut_down_ = true;
      }
      s->shut_down_cv_.notify_all();
    }
  } done{this};

  // Python uses a PollSelector here too; the eventfd replaces polling for the shutdown flag.
  selectors::PollSelector selector;
  selector.register_(fileno(), selectors::EVENT_READ);
  selector.register_(wake_fd_.get(), selectors::EVENT_READ);
  // Out of descriptors, the pending connection keeps the socket readable: wait on the wakeup
  // alone for one poll_interval instead of spinning (Python spins here), then retry.
  selectors::PollSelector starved;
  starved.register_(wake_fd_.get(), selectors::EVENT_READ);
  const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(poll_interval);
  while (!shutdown_request_.load()) {
    auto ready = selector.select(interval);
    if (shutdown_request_.load()) break;
    for (const auto& r : ready)
      if (r.key.fd == fileno()) handle_request_noblock();
    service_actions();
    if (out_of_descriptors_) {
      out_of_descriptors_ = false;
      starved.select(interval);
    }
  }
}

void BaseServer::shutdown() {
  shutdown_request_.store(true);
  sys::eventfd_signal(wake_fd_.get());
  std::unique_lock lock(mutex_);
  shut_down_cv_.wait(lock, [this] { return is_shut_down_; });
}

void BaseServer::handle_request() {
  using Clock = std::chrono::steady_clock;
  Timeout left = timeout;
  const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
  selectors::PollSelector selector;
  selector.register_(fileno(), selectors::EVENT_READ);
  for (;;) {
    if (!selector.select(left).empty()) return handle_request_noblock();
    if (timeout) {
      left = deadline - Clock::now();
      if (left->count() < 0) return handle_timeout();
    }
  }
}

void BaseServer::handle_request_noblock() {
  std::pair<Request, Address> got;
  try {
    got = get_request();
  } catch (const Error& e) {
    // Python: "except OSError: return" (e.g. the client already went away).
    const auto code = e.code();
    out_of_descriptors_ = code == std::errc::too_many_files_open ||
                          code == std::errc::too_many_files_open_in_system ||
                          code == std::errc::no_buffer_space ||
                          code == std::errc::not_enough_memory;
    get_request_failed(e);
    return;
  }
  auto& [request, client_address] = got;
  if (!verify_request(request, client_address)) {
    shutdown_request(request);
    return;
  }
  try {
    process_request(request, client_address);
  } catch (...) {
    handle_error(request, client_address);
    shutdown_request(request);
  }
}

void BaseServer::server_close() {}

void BaseServer::get_request_failed(const Error&) {}

bool BaseServer::verify_request(Request&, const Address&) {
  return true;
}

void BaseServer::process_request(Request& request, const Address& client_address) {
  finish_request(request, client_address);
  shutdown_request(request);
}

void BaseServer::finish_request(Request& request, const Address& client_address) {
  auto handler = handler_factory_();
  handler->run(request, client_address, *this);
}

void BaseServer::shutdown_request(Request& request) {
  close_request(request);
}

void BaseServer::close_request(Request&) {}

void BaseServer::handle_error(Request&, const Address& client_address) {
  std::string what = "unknown exception";
  try {
    if (auto e = std::current_exception()) std::rethrow_exception(e);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  // One write, so reports from concurrent handler threads do not interleave.
  std::string report(40, '-');
  report += "\nException occurred during processing of request from ";
  report += client_address.repr();
  report += '\n' + what + '\n' + std::string(40, '-') + '\n';
  std::fwrite(report.data(), 1, report.size(), stderr);
  std::fflush(stderr);
}

// -- handlers ---------------------------------------------------------------------------------

void BaseRequestHandler::run(Request& request, const Address& from, BaseServer& server) {
  request_ = &request;
  client_address = from;
  server_ = &server;
  setup();
  try {
    handle();
  } catch (...) {
    finish();  // Python: try: handle() finally: finish()
    throw;
  }
  finish();
}

}  // namespace soket::server
