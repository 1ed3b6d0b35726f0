// SPDX-License-Identifier: MIT
// Backend: which kernel facility a Loop waits with.
#pragma once

#include <string_view>

namespace soket::event {

/// The poller under a Loop. `automatic` means: the SOKET_BACKEND environment variable
/// ("epoll" or "uring") if set, otherwise epoll. `uring` falls back to epoll where io_uring
/// is missing or forbidden (old kernel, seccomp, kernel.io_uring_disabled); Loop::backend()
/// says which one runs. SOKET_URING_SINGLE_ISSUER=1 sets the io_uring ring up for one thread
/// (SINGLE_ISSUER | DEFER_TASKRUN): less CPU per small message, more on bulk, and a Loop then
/// serves only on the thread that first ran it (docs/design/loop.md).
enum class Backend { automatic, epoll, uring };

/// "automatic", "epoll" or "uring".
constexpr std::string_view to_string(Backend b) noexcept {
  switch (b) {
    case Backend::epoll: return "epoll";
    case Backend::uring: return "uring";
    case Backend::automatic: break;
  }
  return "automatic";
}

}  // namespace soket::event
