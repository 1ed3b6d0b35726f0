// SPDX-License-Identifier: MIT
// getproxies_environment and proxy_bypass_environment, line for line after Python 3.11's
// urllib.request.
#include <soket/proto/http/proxy.hpp>

#include <cstdlib>
#include <string>

extern char** environ;  // POSIX: the process environment

namespace soket::proto::http {
namespace {

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

std::map<std::string, std::string> getproxies_environment() {
  std::map<std::string, std::string> proxies;
  // Two passes, so that a lower-case name wins over the upper-case one whatever the order.
  for (int pass = 0; pass < 2; ++pass) {
    for (char** e = environ; e && *e; ++e) {
      std::string_view entry(*e);
      auto eq = entry.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view name = entry.substr(0, eq), value = entry.substr(eq + 1);
      std::string low = lowered(name);
      if (!ends_with(low, "_proxy")) continue;
      std::string scheme = low.substr(0, low.size() - 6);
      if (pass == 0) {
        if (!value.empty()) proxies[scheme] = std::string(value);
      } else if (name == low) {
        if (!value.empty())
          proxies[scheme] = std::string(value);
        else
          proxies.erase(scheme);
      }
    }
    // httpoxy: a CGI program's HTTP_PROXY may come from the request's "Proxy:" header.
    if (pass == 0 && std::getenv("REQUEST_METHOD")) proxies.erase("http");
  }
  return proxies;
}

bool proxy_bypass_environment(std::string_view host, std::optional<std::uint16_t> port,
                              std::string_view no_proxy) {
  if (trimmed(no_proxy) == "*") return true;
  const std::string hostonly = lowered(host);
  const std::string with_port = port ? hostonly + ":" + std::to_string(*port) : hostonly;
  while (!no_proxy.empty()) {
    auto comma = no_proxy.find(',');
    std::string_view item = trimmed(no_proxy.substr(0, comma));
    no_proxy = comma == std::string_view::npos ? std::string_view() : no_proxy.substr(comma + 1);
    while (!item.empty() && item.front() == '.') item.remove_prefix(1);
    if (item.empty()) continue;
    const std::string name = lowered(item);
    if (hostonly == name || with_port == name) return true;
    if (ends_with(hostonly, "." + name) || ends_with(with_port, "." + name)) return true;
  }
  return false;
}

}  // namespace soket::proto::http
