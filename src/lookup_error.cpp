// SPDX-License-Identifier: MIT
// Python's fixed OSError messages for lookups that fail without an errno.
#include "lookup_error.hpp"

#include <string>

namespace soket::detail {
namespace {

class LookupCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "soket lookup"; }
  std::string message(int code) const override {
    switch (static_cast<LookupError>(code)) {
      case LookupError::service_not_found: return "service/proto not found";
      case LookupError::port_not_found: return "port/proto not found";
      case LookupError::protocol_not_found: return "protocol not found";
      case LookupError::no_interface: return "no interface with this name";
      case LookupError::illegal_aton: return "illegal IP address string passed to inet_aton";
      case LookupError::ntoa_length: return "packed IP wrong length for inet_ntoa";
      case LookupError::illegal_pton: return "illegal IP address string passed to inet_pton";
      case LookupError::empty_result: return "getaddrinfo returns an empty list";
      case LookupError::dualstack_unsupported:
        return "dualstack_ipv6 not supported on this platform";
    }
    return "unknown lookup error";
  }
  // Python raises these as OSError without an errno; compare them to EINVAL's condition so
  // generic code can still classify them.
  std::error_condition default_error_condition(int) const noexcept override {
    return std::errc::invalid_argument;
  }
};

}  // namespace

const std::error_category& lookup_category() noexcept {
  static const LookupCategory category;
  return category;
}

}  // namespace soket::detail
