// SPDX-License-Identifier: MIT
// What every subcommand shares: exit statuses, range-checked numeric options, and the one way a
// subcommand reports failure. Usage errors exit 2 and name the option; runtime failures exit 1
// with "soket CMD: what failed".
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace soket::tools {

inline constexpr int exit_failure = 1;  // the command ran and failed
inline constexpr int exit_usage = 2;    // the command line is wrong (as nc, iperf3, ls)

/// The longest duration any option takes, in seconds (about 11.6 days): past this a deadline
/// means "never", which 0 already says where it is allowed.
inline constexpr double max_seconds = 1e6;

/// A finite number in [lo, hi] — an integer when `integer` — rewritten to plain decimal before
/// CLI11 converts it, so nothing wraps ("-1" for a count), overflows ("1e400") or slips
/// through as NaN. CLI11 prefixes the option's name to the message. Use with ->transform().
CLI::Validator number_in(double lo, double hi, bool integer);
inline CLI::Validator count_in(double lo, double hi) {
  return number_in(lo, hi, true);
}
inline CLI::Validator seconds_in(double lo, double hi = max_seconds) {
  return number_in(lo, hi, false);
}

/// A value that must not be empty (a path, an address).
CLI::Validator non_empty();

/// A usage error found after parsing (a combination of options): exit 2, message names it.
[[noreturn]] void usage_error(const std::string& what);

/// Runs a subcommand's body: usage errors and exit statuses pass through; any other exception
/// is printed as "soket NAME: what" on stderr and the command exits 1.
void run_command(const char* name, const std::function<void()>& body);

}  // namespace soket::tools
