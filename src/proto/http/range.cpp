// SPDX-License-Identifier: MIT
// parse_range: RFC 9110 §14.1.2 byte-range sets, strict digits, clamped to the body.
#include "soket/proto/http/range.hpp"

#include <optional>
#include <utility>

#include "soket/proto/http/message.hpp"

namespace soket::proto::http {
namespace {

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// 1*DIGIT without overflow: a number past 2^64 is malformed (no body is that long).
std::optional<std::uint64_t> digits(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

RangeRequest parse_range(std::string_view value, std::uint64_t size, std::size_t max_ranges) {
  RangeRequest out;
  value = trim(value);
  // The unit is case-insensitive (RFC 9110 §14.1); anything else is another unit, ignored.
  const auto eq = value.find('=');
  if (eq == std::string_view::npos || !iequals(trim(value.substr(0, eq)), "bytes")) return out;
  std::string_view rest = value.substr(eq + 1);
  std::vector<ByteRange> ranges;
  std::size_t specs = 0;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view spec = trim(rest.substr(0, comma));
    // Empty list elements are allowed by the #rule (RFC 9110 §5.6.1) but at least one is needed.
    if (!spec.empty()) {
      if (++specs > max_ranges) return out;
      const auto dash = spec.find('-');
      if (dash == std::string_view::npos) return out;
      const auto first = spec.substr(0, dash);
      const auto last = spec.substr(dash + 1);
      if (first.empty()) {  // -suffix
        const auto n = digits(last);
        if (!n) return out;
        if (*n > 0 && size > 0) ranges.push_back({*n >= size ? 0 : size - *n, size - 1});
      } else {
        const auto f = digits(first);
        if (!f) return out;
        std::uint64_t l = UINT64_MAX;
        if (!last.empty()) {
          const auto n = digits(last);
          if (!n || *n < *f) return out;  // last < first: the whole field is invalid
          l = *n;
        }
        if (*f < size) ranges.push_back({*f, l >= size ? size - 1 : l});
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (specs == 0) return out;
  if (ranges.empty()) {
    out.status = RangeStatus::unsatisfiable;
    return out;
  }
  out.status = RangeStatus::satisfiable;
  out.ranges = std::move(ranges);
  return out;
}

}  // namespace soket::proto::http
