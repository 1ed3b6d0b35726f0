// SPDX-License-Identifier: MIT
// The report of `soket perf`: interval lines while the workers run (as iperf3 -i), the totals
// over every worker, the final text or JSON, and what went wrong, in words.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <soket/address.hpp>

#include "cmd_perf.hpp"
#include "cmd_perf_driver.hpp"

namespace soket::tools::perf {

/// The sum of every worker's figures.
Stats totals(const std::vector<std::unique_ptr<Worker>>& workers);

/// One line (or one JSON object in `intervals`) per --interval seconds from `start` until
/// every worker is done.
void report_intervals(const Args& a, const std::vector<std::unique_ptr<Worker>>& workers,
                      Clock::time_point start, nlohmann::json& intervals);

/// The final report on stdout: text, or one JSON object with --json.
void print_report(const Args& a, const Address& addr, const Stats& total, double elapsed,
                  const nlohmann::json& intervals);

/// What went wrong, in words, or "" for a good run.
std::string failure_of(const Args& a, const Stats& total, double elapsed);

}  // namespace soket::tools::perf
