// SPDX-License-Identifier: MIT
// HTTP dates, entity-tag lists and the conditional-request order of RFC 9110 §13.2.2.
#include "soket/proto/http/conditional.hpp"

#include <array>
#include <cstdio>

namespace soket::proto::http {
namespace {

constexpr std::array<std::string_view, 7> day_names{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> long_day_names{
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil):
// timegm() without the process's time zone state.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? static_cast<unsigned>(-3) : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// A small cursor over the date text: every piece is fixed-width and checked.
struct Cursor {
  std::string_view s;
  bool lit(std::string_view p) noexcept {
    if (s.substr(0, p.size()) != p) return false;
    s.remove_prefix(p.size());
    return true;
  }
  bool num(std::size_t width, int& out) noexcept {
    if (s.size() < width) return false;
    int v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    s.remove_prefix(width);
    return true;
  }
  bool month(int& out) noexcept {
    for (std::size_t i = 0; i < month_names.size(); ++i)
      if (lit(month_names[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    return false;
  }
  bool time(int& h, int& m, int& sec) noexcept {
    return num(2, h) && lit(":") && num(2, m) && lit(":") && num(2, sec);
  }
};

std::optional<std::time_t> make_time(int y, int mon, int d, int h, int m, int s) noexcept {
  static constexpr std::array<int, 12> mdays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || d < 1 || h > 23 || m > 59 || s > 60) return std::nullopt;
  const int max_day = mdays[static_cast<std::size_t>(mon - 1)] + (mon == 2 && leap(y) ? 1 : 0);
  if (d > max_day) return std::nullopt;
  const std::int64_t days =
      days_from_civil(y, static_cast<unsigned>(mon), static_cast<unsigned>(d));
  return static_cast<std::time_t>(days * 86400 + h * 3600 + m * 60 + (s == 60 ? 59 : s));
}

// One entity-tag at the front of `s` (RFC 9110 §8.8.3): [W/] DQUOTE *etagc DQUOTE.
bool take_etag(std::string_view& s, bool& weak, std::string_view& opaque) noexcept {
  weak = s.substr(0, 2) == "W/";
  if (weak) s.remove_prefix(2);
  if (s.empty() || s.front() != '"') return false;
  const auto close = s.find('"', 1);
  if (close == std::string_view::npos) return false;
  opaque = s.substr(0, close + 1);
  for (char c : opaque.substr(1, opaque.size() - 2)) {
    const auto u = static_cast<unsigned char>(c);
    if (!(u == 0x21 || (u >= 0x23 && u <= 0x7e) || u >= 0x80)) return false;
  }
  s.remove_prefix(close + 1);
  return true;
}

void skip_ows(std::string_view& s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

bool present(std::string_view v) noexcept {
  return !v.empty();
}

}  // namespace

std::string format_http_date(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                day_names[static_cast<std::size_t>(tm.tm_wday) % 7].data(), tm.tm_mday,
                month_names[static_cast<std::size_t>(tm.tm_mon) % 12].data(), tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<std::time_t> parse_http_date(std::string_view text) noexcept {
  int y = 0, mon = 0, d = 0, h = 0, m = 0, s = 0;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  for (auto day : day_names) {
    Cursor c{text};
    if (c.lit(day) && c.lit(", ") && c.num(2, d) && c.lit(" ") && c.month(mon) && c.lit(" ") &&
        c.num(4, y) && c.lit(" ") && c.time(h, m, s) && c.lit(" GMT") && c.s.empty())
      return make_time(y, mon, d, h, m, s);
  }
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: RFC 9110 §5.6.7's 50-year rule,
  // read as 1970-2069 here).
  for (auto day : long_day_names) {
    Cursor c{text};
    if (c.lit(day) && c.lit(", ") && c.num(2, d) && c.lit("-") && c.month(mon) && c.lit("-") &&
        c.num(2, y) && c.lit(" ") && c.time(h, m, s) && c.lit(" GMT") && c.s.empty())
      return make_time(y + (y < 70 ? 2000 : 1900), mon, d, h, m, s);
  }
  // asctime: Sun Nov  6 08:49:37 1994
  for (auto day : day_names) {
    Cursor c{text};
    if (!(c.lit(day) && c.lit(" ") && c.month(mon) && c.lit(" "))) continue;
    if (!(c.lit(" ") ? c.num(1, d) : c.num(2, d))) continue;
    if (c.lit(" ") && c.time(h, m, s) && c.lit(" ") && c.num(4, y) && c.s.empty())
      return make_time(y, mon, d, h, m, s);
  }
  return std::nullopt;
}

std::string make_etag(std::time_t mtime, std::uint64_t size) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(mtime),
                static_cast<unsigned long long>(size));
  return buf;
}

bool etag_list_matches(std::string_view field, std::string_view etag, bool weak) noexcept {
  skip_ows(field);
  if (field == "*") return true;
  std::string_view mine = etag;
  const bool mine_weak = mine.substr(0, 2) == "W/";
  if (mine_weak) mine.remove_prefix(2);
  if (!weak && mine_weak) return false;
  while (!field.empty()) {
    bool their_weak = false;
    std::string_view opaque;
    if (!take_etag(field, their_weak, opaque)) return false;
    if (opaque == mine && (weak || !their_weak)) return true;
    skip_ows(field);
    if (field.empty()) break;
    if (field.front() != ',') return false;
    field.remove_prefix(1);
    skip_ows(field);
  }
  return false;
}

Precondition evaluate_preconditions(const Conditions& c, std::string_view etag, std::time_t mtime,
                                    bool safe) noexcept {
  // 1 and 2: If-Match, else If-Unmodified-Since (an invalid date is ignored).
  if (present(c.if_match)) {
    if (!etag_list_matches(c.if_match, etag, false)) return Precondition::failed;
  } else if (present(c.if_unmodified_since)) {
    const auto t = parse_http_date(c.if_unmodified_since);
    if (t && mtime > *t) return Precondition::failed;
  }
  // 3: If-None-Match (weak); 4: If-Modified-Since only without it, GET and HEAD only.
  if (present(c.if_none_match)) {
    if (etag_list_matches(c.if_none_match, etag, true))
      return safe ? Precondition::not_modified : Precondition::failed;
  } else if (safe && present(c.if_modified_since)) {
    const auto t = parse_http_date(c.if_modified_since);
    if (t && mtime <= *t) return Precondition::not_modified;
  }
  return Precondition::none;
}

bool if_range_allows(std::string_view if_range, std::string_view etag, std::time_t mtime) noexcept {
  if (if_range.empty()) return true;
  if (if_range.front() == '"' || if_range.substr(0, 2) == "W/")
    return etag_list_matches(if_range, etag, false) && if_range.find(',') == std::string_view::npos;
  const auto t = parse_http_date(if_range);
  return t && *t == mtime;
}

}  // namespace soket::proto::http
