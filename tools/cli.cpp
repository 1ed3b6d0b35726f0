// SPDX-License-Identifier: MIT
#include "cli.hpp"

#include <fmt/format.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace soket::tools {

CLI::Validator number_in(double lo, double hi, bool integer) {
  std::string range = fmt::format("{} at least {:.15g} and at most {:.15g}",
                                  integer ? "an integer" : "a number", lo, hi);
  return CLI::Validator(
      [lo, hi, integer, range](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        errno = 0;
        double v = std::strtod(begin, &end);
        if (text.empty() || end != begin + text.size())
          return "'" + text + "' is not a number (want " + range + ")";
        if (!std::isfinite(v) || errno == ERANGE)
          return "'" + text + "' is not a finite number (want " + range + ")";
        if (v < lo || v > hi) return "'" + text + "' is out of range (want " + range + ")";
        if (integer) {
          if (v != std::floor(v)) return "'" + text + "' is not an integer (want " + range + ")";
          text = fmt::format("{:.0f}", v);
        }
        return {};
      },
      fmt::format("{:.15g}..{:.15g}", lo, hi));  // what --help shows: UINT:1..1024
}

CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; },
      "NONEMPTY");
}

void usage_error(const std::string& what) {
  throw CLI::ValidationError(what, CLI::ExitCodes::ValidationError);
}

void run_command(const char* name, const std::function<void()>& body) {
  try {
    body();
  } catch (const CLI::Error&) {
    throw;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soket %s: %s\n", name, e.what());
    throw CLI::RuntimeError(exit_failure);
  }
}

}  // namespace soket::tools
