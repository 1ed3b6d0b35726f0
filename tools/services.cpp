// SPDX-License-Identifier: MIT
#include "services.hpp"

#include <ctime>

namespace soket::tools {

std::string daytime() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y\r\n", &tm);
  return buf;
}

std::string chargen_line(std::size_t& offset) {
  std::string line;
  for (std::size_t i = 0; i < 72; ++i) line += static_cast<char>(' ' + (offset + i) % 95);
  offset = (offset + 1) % 95;
  return line + "\r\n";
}

}  // namespace soket::tools
