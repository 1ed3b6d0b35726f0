// SPDX-License-Identifier: MIT
// Validators and conditional requests (RFC 9110 §8.8, §13): HTTP dates, entity tags, and the
// order in which If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since are
// evaluated.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::http {

/// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. Python:
/// email.utils.formatdate(t, usegmt=True).
std::string format_http_date(std::time_t t);

/// Parses the three forms a recipient must accept (IMF-fixdate, RFC 850, asctime). nullopt for
/// anything else, including impossible days and times. Python: email.utils.parsedate_to_datetime.
std::optional<std::time_t> parse_http_date(std::string_view text) noexcept;

/// The strong tag nginx and h2o send, `"<mtime hex>-<size hex>"` (quotes included).
std::string make_etag(std::time_t mtime, std::uint64_t size);

/// Whether the list `field` (`*` or `#entity-tag`) holds `etag`. Weak comparison ignores W/
/// on both sides (If-None-Match); strong comparison needs two strong, equal tags (If-Match,
/// If-Range). Malformed members never match.
bool etag_list_matches(std::string_view field, std::string_view etag, bool weak) noexcept;

/// The request fields that make a request conditional; empty views mean absent.
struct Conditions {
  std::string_view if_match{};
  std::string_view if_none_match{};
  std::string_view if_modified_since{};
  std::string_view if_unmodified_since{};
  std::string_view if_range{};
};

enum class Precondition : std::uint8_t {
  none,          // go on: send the representation (200 or 206)
  not_modified,  // 304, without a body
  failed,        // 412
};

/// RFC 9110 §13.2.2 steps 1-4 for a representation with tag `etag` modified at `mtime`.
/// `safe` is true for GET and HEAD (only those get 304; others get 412 on a match).
Precondition evaluate_preconditions(const Conditions& c, std::string_view etag, std::time_t mtime,
                                    bool safe) noexcept;

/// Step 5: whether a Range may be honoured. True without If-Range; otherwise a strong match
/// with `etag` or a date equal to `mtime`.
bool if_range_allows(std::string_view if_range, std::string_view etag, std::time_t mtime) noexcept;

}  // namespace soket::proto::http
