// SPDX-License-Identifier: MIT
// urlsplit and urljoin on arbitrary text: either InvalidURL, or a URL whose geturl() splits
// again to the same parts (a round trip), with no control byte in anything a request sends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <soket/proto/http/url.hpp>

using soket::proto::http::URL;

static void check(const URL& u) {
  for (const std::string* s : {&u.scheme, &u.host, &u.path})
    for (char c : *s)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) std::abort();
  if (u.host.empty()) std::abort();
  if (!u.path.empty() && u.path[0] != '/') std::abort();
  const std::string target = u.target();
  if (target.empty() || target[0] != '/') std::abort();
  URL again = soket::proto::http::urlsplit(u.geturl());
  if (again.scheme != u.scheme || again.host != u.host || again.port != u.port ||
      again.path != u.path || again.query != u.query || again.fragment != u.fragment)
    std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The input is "url" or "base\nreference".
  auto nl = text.find('\n');
  try {
    URL u = soket::proto::http::urlsplit(text.substr(0, nl));
    check(u);
    if (nl != std::string_view::npos) {
      std::string ref =
          soket::proto::http::quote(text.substr(nl + 1), soket::proto::http::punctuation);
      check(soket::proto::http::urljoin(u, ref));
    }
  } catch (const soket::proto::http::InvalidURL&) {
  }
  return 0;
}
