// SPDX-License-Identifier: MIT
// The Range request field (RFC 9110 §14.1.2): `bytes=` then first-last, first- and -suffix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace soket::proto::http {

/// An inclusive byte range, already clamped to the representation: first <= last < size.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const noexcept { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

/// What a Range field asks of a representation of `size` bytes.
enum class RangeStatus : std::uint8_t {
  /// Answer 200 with the whole body: no field, another unit (`items=`), syntax the server may
  /// ignore (RFC 9110 §14.2), or more ranges than the server accepts.
  ignore,
  /// Answer 206; `ranges` holds at least one satisfiable range, in the order asked.
  satisfiable,
  /// Answer 416 with `Content-Range: bytes */size`: no range overlaps the body.
  unsatisfiable,
};

struct RangeRequest {
  RangeStatus status = RangeStatus::ignore;
  std::vector<ByteRange> ranges;  // satisfiable ones only; empty unless status == satisfiable
};

/// Parses `value` (the Range field's value) against a body of `size` bytes. `last` past the end
/// is clamped, a suffix longer than the body means all of it, ranges that start past the end
/// are dropped (416 only when none is left). More than `max_ranges` ranges is ignored as a
/// whole (the RFC's guard against many small ranges). Never throws on hostile input.
RangeRequest parse_range(std::string_view value, std::uint64_t size, std::size_t max_ranges = 16);

}  // namespace soket::proto::http
