// SPDX-License-Identifier: MIT
#include "linux/sysctl.hpp"

#include <fstream>
#include <string>

namespace soket::sys {

std::optional<std::vector<long long>> sysctl_numbers(std::string_view name) {
  std::string path(name);
  for (char& c : path) c = c == '.' ? '/' : c;
  std::ifstream in("/proc/sys/" + path);
  if (!in) return std::nullopt;
  std::vector<long long> values;
  for (long long v = 0; in >> v;) values.push_back(v);
  if (values.empty() || !in.eof()) return std::nullopt;
  return values;
}

bool has_capability(int cap) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    return cap >= 0 && cap < 64 && ((mask >> cap) & 1u) != 0;
  }
  return false;
}

}  // namespace soket::sys
