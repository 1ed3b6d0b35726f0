// SPDX-License-Identifier: MIT
#include <charconv>
#include <soket/proto/nntp/url.hpp>
#include <stdexcept>

namespace soket::proto::nntp {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("news URL: " + what);
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Url parse_url(std::string_view text) {
  if (text.find_first_of(" \t\r\n") != std::string_view::npos)
    bad("space, TAB, CR or LF in the URL");
  std::string_view rest;
  if (text.starts_with("nntp://") || text.starts_with("news://"))
    rest = text.substr(7);
  else
    bad("not an nntp:// or news:// URL: \"" + std::string(text.substr(0, 40)) + "\"");
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  Url url;
  if (authority.find('@') != std::string_view::npos) bad("user information is not allowed");
  std::string_view port;
  bool has_port = false;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad("unclosed [ in the host");
    url.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') bad("junk after ]");
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) bad("no host");
  if (has_port) {
    unsigned p = 0;
    if (!parse_number(port, p) || p == 0 || p > 65535)
      bad("bad port \"" + std::string(port) + "\"");
    url.port = static_cast<std::uint16_t>(p);
  }
  if (path.empty()) return url;
  if (path.find('@') != std::string_view::npos) {  // a message-id, with or without <>
    std::string id(path);
    if (!id.starts_with("<")) id = "<" + id + ">";
    url.message_id = id;
    return url;
  }
  const auto sep = path.find('/');
  url.group = std::string(path.substr(0, sep));
  if (url.group.empty()) bad("empty group name");
  if (sep != std::string_view::npos) {
    std::int64_t n = 0;
    const auto num = path.substr(sep + 1);
    if (!parse_number(num, n) || n < 0) bad("bad article number \"" + std::string(num) + "\"");
    url.number = n;
  }
  return url;
}

}  // namespace soket::proto::nntp
