// SPDX-License-Identifier: MIT
#include "linux/ktls.hpp"

#include <fstream>
#include <string>

namespace soket::sys {

bool ktls_available() noexcept {
  try {
    std::ifstream f("/proc/sys/net/ipv4/tcp_available_ulp");
    std::string name;
    while (f >> name)
      if (name == "tls") return true;
  } catch (...) {
  }
  return false;
}

}  // namespace soket::sys
