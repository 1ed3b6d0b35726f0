// SPDX-License-Identifier: MIT
// libFuzzer target for the static-file parsers: translate_path, parse_range, the conditional
// fields and HTTP dates. Input: [selector] [size: 8 bytes] text. Properties: a translated path
// never holds a `..`/`.`/empty segment, NUL or leading `/`; ranges are ordered, inside the body
// and no more than the cap; a parsed date formats back to a date that parses to itself.
#include <soket/proto/http/conditional.hpp>
#include <soket/proto/http/range.hpp>
#include <soket/proto/http/target_path.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace http = soket::proto::http;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "http_static_fuzz: %s\n", what);
  std::abort();
}

void check_path(std::string_view text) {
  http::TargetPathError e{};
  const auto p = http::translate_path(text, e);
  if (!p) {
    if (http::to_string(e).empty()) fail("error without text");
    return;
  }
  const std::string_view r = p->relative;
  if (!r.empty() && (r.front() == '/' || r.back() == '/')) fail("slash at an end");
  if (r.find('\0') != std::string_view::npos) fail("NUL in a path");
  std::size_t pos = 0;
  while (!r.empty() && pos <= r.size()) {
    const auto slash = r.find('/', pos);
    const auto seg = r.substr(pos, slash == std::string_view::npos ? r.npos : slash - pos);
    if (seg.empty() || seg == "." || seg == "..") fail("dot or empty segment kept");
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
}

void check_range(std::string_view text, std::uint64_t size) {
  const auto r = http::parse_range(text, size, 8);
  if (r.status != http::RangeStatus::satisfiable) {
    if (!r.ranges.empty()) fail("ranges without 206");
    return;
  }
  if (r.ranges.empty() || r.ranges.size() > 8) fail("range count");
  for (const auto& b : r.ranges)
    if (b.first > b.last || b.last >= size) fail("range outside the body");
}

void check_conditions(std::string_view text) {
  if (const auto t = http::parse_http_date(text)) {
    if (http::parse_http_date(http::format_http_date(*t)) != *t) fail("date round trip");
  }
  const std::string tag = http::make_etag(1700000000, 42);
  (void)http::etag_list_matches(text, tag, true);
  (void)http::etag_list_matches(text, tag, false);
  (void)http::if_range_allows(text, tag, 1700000000);
  (void)http::evaluate_preconditions({.if_match = text, .if_modified_since = text}, tag, 0, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  std::uint64_t body = 0;
  std::memcpy(&body, data + 1, 8);
  body %= 1u << 20;  // small enough to make clamping and suffixes matter
  const std::string_view text(reinterpret_cast<const char*>(data + 9), size - 9);
  switch (data[0] % 3) {
    case 0: check_path(text); break;
    case 1: check_range(text, body); break;
    default: check_conditions(text);
  }
  return 0;
}
