// SPDX-License-Identifier: MIT
// sendfile(2), without SIGPIPE. (The source file's calls are in file.hpp.) Internal: never
// installed.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <system_error>

namespace soket::sys {

/// sendfile(2) from `in_fd` at `*offset` (advanced by the bytes sent) to socket `out_fd`.
/// Never raises SIGPIPE (see NoSigpipe). Returns bytes sent (0 at end of file) or -1.
ssize_t sendfile(int out_fd, int in_fd, std::uint64_t* offset, std::size_t count,
                 std::error_code& ec) noexcept;

}  // namespace soket::sys
