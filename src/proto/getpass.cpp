// SPDX-License-Identifier: MIT
#include <soket/proto/getpass.hpp>

#include "linux/terminal.hpp"

namespace soket::proto {

std::optional<std::string> getpass(const std::string& prompt) {
  return sys::read_line_without_echo(prompt);
}

}  // namespace soket::proto
