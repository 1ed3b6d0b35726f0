// SPDX-License-Identifier: MIT
// Reading the kernel's tunables (/proc/sys): the numbers net.ipv4.* sysctls hold. Internal:
// never installed.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace soket::sys {

/// The whitespace-separated integers of sysctl `name` ("net.ipv4.ip_local_port_range"), read
/// from /proc/sys; std::nullopt if it is missing, unreadable or not numbers.
std::optional<std::vector<long long>> sysctl_numbers(std::string_view name);

/// True if the calling thread's effective capability set holds capability number `cap`
/// (CAP_NET_BIND_SERVICE = 10, CAP_NET_RAW = 13), read from /proc/self/status.
bool has_capability(int cap);

}  // namespace soket::sys
