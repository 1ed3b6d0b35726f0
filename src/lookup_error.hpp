// SPDX-License-Identifier: MIT
// Errors Python raises as a bare OSError with a fixed message and no errno ("service/proto not
// found", "illegal IP address string passed to inet_aton"). Internal: never installed.
#pragma once

#include <system_error>

namespace soket::detail {

enum class LookupError {
  service_not_found = 1,  // getservbyname
  port_not_found,         // getservbyport
  protocol_not_found,     // getprotobyname
  no_interface,           // if_nametoindex
  illegal_aton,           // inet_aton
  ntoa_length,            // inet_ntoa
  illegal_pton,           // inet_pton
  empty_result,           // create_connection: getaddrinfo returned nothing
  dualstack_unsupported,  // create_server
};

/// The category whose message() is Python's text for each LookupError.
const std::error_category& lookup_category() noexcept;

inline std::error_code make_error(LookupError e) noexcept {
  return {static_cast<int>(e), lookup_category()};
}

}  // namespace soket::detail
