// SPDX-License-Identifier: MIT
// make_poller: the run-time choice between the epoll and io_uring pollers (muduo's
// DefaultPoller.cc, with an environment override for tests and benchmarks).
#include "event/poller.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "linux/epoll_poller.hpp"
#include "linux/uring_poller.hpp"

namespace soket::event::detail {
namespace {

Backend from_environment() {
  const char* v = std::getenv("SOKET_BACKEND");
  if (!v || !*v) return Backend::epoll;
  std::string_view s(v);
  if (s == "epoll") return Backend::epoll;
  if (s == "uring" || s == "io_uring") return Backend::uring;
  throw std::invalid_argument("SOKET_BACKEND: unknown backend '" + std::string(s) +
                              "' (epoll or uring)");
}

}  // namespace

std::unique_ptr<Poller> make_poller(Backend wanted) {
  if (wanted == Backend::automatic) wanted = from_environment();
  if (wanted == Backend::uring) {
    if (auto p = sys::UringPoller::create()) return p;
    // io_uring missing or forbidden here: epoll serves the same watchers.
  }
  return std::make_unique<sys::EpollPoller>();
}

}  // namespace soket::event::detail
