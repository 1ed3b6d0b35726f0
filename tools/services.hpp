// SPDX-License-Identifier: MIT
// What the classic small services send, shared by both engines of `soket serve`.
#pragma once

#include <cstddef>
#include <string>

namespace soket::tools {

/// RFC 867 daytime: the local time as Python's time.ctime() prints it, with CRLF.
std::string daytime();

/// RFC 864 chargen: the next 72-character line (plus CRLF) of the rotating window over the 95
/// printable ASCII characters; `offset` carries the window between calls.
std::string chargen_line(std::size_t& offset);

}  // namespace soket::tools
