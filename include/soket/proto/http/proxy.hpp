// SPDX-License-Identifier: MIT
// Proxies from the environment, as Python's urllib.request reads them (http_proxy,
// https_proxy, no_proxy).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::http {

/// Python: urllib.request.getproxies_environment(): every `<scheme>_proxy` variable, the
/// scheme lower-cased; names are read case-insensitively with the lower-case spelling winning,
/// an empty lower-case value removes the entry, and with REQUEST_METHOD set (a CGI program)
/// the upper-case HTTP_PROXY is ignored (httpoxy, CVE-2016-1000110). `no_proxy` comes back as
/// the entry "no".
std::map<std::string, std::string> getproxies_environment();

/// Python: urllib.request.proxy_bypass_environment(host, proxies): whether `host` (optionally
/// with its port) is listed in `no_proxy`, a comma list: `*` alone bypasses everything; an
/// entry (stripped, lower-cased, leading dots ignored) matches a host equal to it or ending in
/// `.entry`; an entry with a port matches only "host:port". No CIDR (as Python).
bool proxy_bypass_environment(std::string_view host, std::optional<std::uint16_t> port,
                              std::string_view no_proxy);

}  // namespace soket::proto::http
