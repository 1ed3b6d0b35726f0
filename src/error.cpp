// SPDX-License-Identifier: MIT
#include <soket/error.hpp>

#include <netdb.h>
#include <cerrno>

#include <soket/address.hpp>

namespace soket {
namespace {

class GaiCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return ::gai_strerror(code); }
};

class HerrorCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "netdb"; }
  std::string message(int code) const override { return ::hstrerror(code); }
};

// Python's socket.timeout says "timed out", not strerror(ETIMEDOUT)'s "Connection timed out",
// but still compares equal to std::errc::timed_out.
class TimeoutCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "socket timeout"; }
  std::string message(int) const override { return "timed out"; }
  std::error_condition default_error_condition(int) const noexcept override {
    return std::errc::timed_out;
  }
};

template <class E>
[[noreturn]] void raise(std::error_code ec, const std::string& what) {
  throw E(ec, what);
}

}  // namespace

const std::error_category& gai_category() noexcept {
  static const GaiCategory category;
  return category;
}

const std::error_category& herror_category() noexcept {
  static const HerrorCategory category;
  return category;
}

const std::error_category& timeout_category() noexcept {
  static const TimeoutCategory category;
  return category;
}

std::string describe(std::string_view op, const Address* peer) {
  std::string what(op);
  // An unresolved host name (family unspec) is named too: it is what failed to resolve.
  if (peer && (peer->family() != Family::unspec || !peer->is_resolved()))
    what.append(" ").append(peer->to_string());
  return what;
}

void throw_overflow(std::string_view what, std::string_view min, std::string_view max,
                    std::string_view value) {
  std::string text(what);
  text.append(" must be ").append(min).append("-").append(max).append(", not ").append(value);
  throw OverflowError(text);
}

// The one errno -> exception table, as CPython's errnomap (Objects/exceptions.c).
void throw_error(std::error_code ec, std::string_view op, const Address* peer) {
  const std::string what = describe(op, peer);
  if (ec.category() == gai_category()) raise<gaierror>(ec, what);
  if (ec.category() == herror_category()) raise<herror>(ec, what);
  if (ec.category() == timeout_category()) raise<TimeoutError>(ec, what);
  if (ec.category() == std::system_category() || ec.category() == std::generic_category()) {
    switch (ec.value()) {
      case EAGAIN:
      case EALREADY:
      case EINPROGRESS: raise<BlockingIOError>(ec, what);
      case EPIPE:
      case ESHUTDOWN: raise<BrokenPipeError>(ec, what);
      case ECONNABORTED: raise<ConnectionAbortedError>(ec, what);
      case ECONNREFUSED: raise<ConnectionRefusedError>(ec, what);
      case ECONNRESET: raise<ConnectionResetError>(ec, what);
      case EINTR: raise<InterruptedError>(ec, what);
      case EACCES:
      case EPERM: raise<PermissionError>(ec, what);
      case ENOENT: raise<FileNotFoundError>(ec, what);
      case ETIMEDOUT: raise<TimeoutError>(ec, what);
      case EADDRINUSE: raise<AddressInUseError>(ec, what);
      default: break;
    }
  }
  raise<Error>(ec, what);
}

}  // namespace soket
