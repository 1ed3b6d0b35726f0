// SPDX-License-Identifier: MIT
// ftplib's reply parsers, written as small scanners (no std::regex: these run on every
// transfer and on hostile text).
#include <soket/proto/ftp/error.hpp>
#include <soket/proto/ftp/reply.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace soket::proto::ftp {
namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

char lower(char c) noexcept {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// The decimal number at `s`, or nullopt if it has no digits or overflows T.
template <class T>
std::optional<T> number(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

void expect_code(std::string_view resp, std::string_view code, std::string_view what) {
  if (resp.substr(0, 3) != code) throw error_reply(what, std::string(resp));
}

}  // namespace

Error::Error(std::string_view command, std::string reply)
    : std::runtime_error(command.empty() ? reply : std::string(command) + ": " + reply),
      reply_(std::move(reply)) {}

std::string Error::code() const {
  if (reply_.size() >= 3 && is_digit(reply_[0]) && is_digit(reply_[1]) && is_digit(reply_[2]))
    return reply_.substr(0, 3);
  return {};
}

std::optional<std::uint64_t> parse150(std::string_view resp) {
  if (resp.substr(0, 3) != "150") return std::nullopt;
  // Python: re.compile(r"150 .* \((\d+) bytes\)", re.IGNORECASE): the last "(N bytes)" wins
  // (the greedy .*), so scan every '(' and keep the last match.
  std::optional<std::uint64_t> found;
  for (std::size_t open = resp.find('(', 4); open != std::string_view::npos;
       open = resp.find('(', open + 1)) {
    if (resp[open - 1] != ' ') continue;
    std::size_t i = open + 1;
    while (i < resp.size() && is_digit(resp[i])) ++i;
    std::string_view rest = resp.substr(i);
    constexpr std::string_view tail = " bytes)";
    if (i == open + 1 || rest.size() < tail.size()) continue;
    bool match = std::equal(tail.begin(), tail.end(), rest.begin(),
                            [](char a, char b) { return a == lower(b); });
    if (match) found = number<std::uint64_t>(resp.substr(open + 1, i - open - 1));
  }
  return found;
}

std::pair<std::string, std::uint16_t> parse227(std::string_view resp) {
  expect_code(resp, "227", "PASV");
  // Python: re.search(r'(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)', resp): the first place six
  // comma-separated numbers start (after the code).
  for (std::size_t start = 3; start < resp.size(); ++start) {
    if (!is_digit(resp[start]) || is_digit(resp[start - 1])) continue;
    std::array<unsigned, 6> n{};
    std::size_t i = start;
    bool ok = true, in_range = true;
    for (std::size_t k = 0; k < 6 && ok; ++k) {
      std::size_t b = i;
      while (i < resp.size() && is_digit(resp[i])) ++i;
      if (i == b) ok = false;
      auto v = number<unsigned>(resp.substr(b, i - b));
      if (!v || *v > 255) in_range = false;  // overflow included
      n[k] = v.value_or(0);
      if (k < 5) {
        if (i >= resp.size() || resp[i] != ',') ok = false;
        ++i;
      }
    }
    if (!ok) continue;
    if (!in_range) throw error_proto("PASV", "number over 255 in " + std::string(resp));
    std::string host = std::to_string(n[0]) + "." + std::to_string(n[1]) + "." +
                       std::to_string(n[2]) + "." + std::to_string(n[3]);
    return {host, static_cast<std::uint16_t>(n[4] * 256 + n[5])};
  }
  throw error_proto("PASV", std::string(resp));
}

std::uint16_t parse229(std::string_view resp) {
  expect_code(resp, "229", "EPSV");
  std::size_t left = resp.find('(');
  std::size_t right = resp.find(')', left == std::string_view::npos ? 0 : left + 1);
  if (left == std::string_view::npos || right == std::string_view::npos)
    throw error_proto("EPSV", std::string(resp));  // should contain '(|||port|)'
  std::string_view inner = resp.substr(left + 1, right - left - 1);
  // "|||port|": the delimiter is the first character and the last; four of them in all.
  if (inner.size() < 5 || inner[0] != inner.back() ||
      std::count(inner.begin(), inner.end(), inner[0]) != 4 || inner[1] != inner[0] ||
      inner[2] != inner[0])
    throw error_proto("EPSV", std::string(resp));
  auto port = number<std::uint16_t>(inner.substr(3, inner.size() - 4));
  if (!port) throw error_proto("EPSV", std::string(resp));
  return *port;
}

std::string parse257(std::string_view resp) {
  expect_code(resp, "257", "MKD/PWD");
  if (resp.substr(3, 2) != " \"") return {};  // not compliant to RFC 959, but UNIX ftpd does this
  std::string dirname;
  for (std::size_t i = 5; i < resp.size(); ++i) {
    if (resp[i] == '"') {
      if (i + 1 >= resp.size() || resp[i + 1] != '"') break;
      ++i;
    }
    dirname += resp[i];
  }
  return dirname;
}

MlsdEntry parse_mlsd_line(std::string_view line) {
  std::size_t space = line.find(' ');
  if (space == std::string_view::npos)
    throw error_proto("MLSD", "no space in " + std::string(line));
  MlsdEntry entry;
  entry.name = std::string(line.substr(space + 1));
  std::string_view facts = line.substr(0, space);
  while (!facts.empty()) {
    std::size_t semi = facts.find(';');
    std::string_view fact = facts.substr(0, semi);
    facts = semi == std::string_view::npos ? std::string_view{} : facts.substr(semi + 1);
    if (fact.empty()) continue;  // the ';' before the space
    std::size_t eq = fact.find('=');
    if (eq == std::string_view::npos)
      throw error_proto("MLSD", "fact without '=' in " + std::string(line));
    std::string key(fact.substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(), lower);
    entry.facts[key] = std::string(fact.substr(eq + 1));
  }
  return entry;
}

bool ends_reply(std::string_view first, std::string_view line) noexcept {
  if (first.size() < 4 || first[3] != '-') return true;
  return line.substr(0, 3) == first.substr(0, 3) && (line.size() < 4 || line[3] != '-');
}

}  // namespace soket::proto::ftp
