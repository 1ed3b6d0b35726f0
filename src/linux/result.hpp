// SPDX-License-Identifier: MIT
// The one place a system call's "-1 and errno" becomes a std::error_code. Internal: never
// installed.
#pragma once

#include <cerrno>
#include <system_error>

namespace soket::sys {

/// errno as a std::error_code.
inline std::error_code last_error() noexcept {
  return {errno, std::system_category()};
}

/// Sets `ec` from errno when `rc` is negative and clears it otherwise; returns `rc`, so a
/// wrapper reads `return checked(::listen(fd, backlog), ec) == 0;`.
template <class T>
T checked(T rc, std::error_code& ec) noexcept {
  if (rc < 0)
    ec = last_error();
  else
    ec.clear();
  return rc;
}

}  // namespace soket::sys
