// SPDX-License-Identifier: MIT
// soket's exceptions: Python's OSError tree as std::system_error subclasses.
#pragma once

#include <concepts>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace soket {

class Address;

/// Python: OSError (socket.error). Carries the errno as code(); what() reads
/// "<operation> <address>: <strerror>", e.g. "connect to 127.0.0.1:9: Connection refused".
class Error : public std::system_error {
 public:
  using std::system_error::system_error;
};

/// Python: BlockingIOError (EAGAIN, EWOULDBLOCK, EINPROGRESS, EALREADY).
class BlockingIOError : public Error {
  using Error::Error;
};
/// Python: ConnectionError, the base of the four below.
class ConnectionError : public Error {
  using Error::Error;
};
/// Python: BrokenPipeError (EPIPE, ESHUTDOWN).
class BrokenPipeError : public ConnectionError {
  using ConnectionError::ConnectionError;
};
/// Python: ConnectionAbortedError (ECONNABORTED).
class ConnectionAbortedError : public ConnectionError {
  using ConnectionError::ConnectionError;
};
/// Python: ConnectionRefusedError (ECONNREFUSED).
class ConnectionRefusedError : public ConnectionError {
  using ConnectionError::ConnectionError;
};
/// Python: ConnectionResetError (ECONNRESET).
class ConnectionResetError : public ConnectionError {
  using ConnectionError::ConnectionError;
};
/// Python: InterruptedError (EINTR, where it is not retried).
class InterruptedError : public Error {
  using Error::Error;
};
/// Python: PermissionError (EACCES, EPERM).
class PermissionError : public Error {
  using Error::Error;
};
/// Python: FileNotFoundError (ENOENT: a Unix socket path that does not exist).
class FileNotFoundError : public Error {
  using Error::Error;
};
/// Python: TimeoutError (socket.timeout): a socket timeout expired, or ETIMEDOUT.
class TimeoutError : public Error {
  using Error::Error;
};
/// soket's addition (Python raises plain OSError): EADDRINUSE, so it can be caught by type.
class AddressInUseError : public Error {
  using Error::Error;
};
/// Python: socket.gaierror, for getaddrinfo()/getnameinfo() failures (code() is an EAI_* value
/// in gai_category()).
class gaierror : public Error {
  using Error::Error;
};
/// Python: socket.herror, for the legacy gethostby*() failures (h_errno in herror_category()).
class herror : public Error {
  using Error::Error;
};

/// Python: OverflowError (not an OSError): an integer that does not fit where it goes — a port
/// of 70000, htons(1 << 16), IPv6 flowinfo over 0xfffff. C would wrap it silently.
class OverflowError : public std::overflow_error {
  using std::overflow_error::overflow_error;
};

/// Throws OverflowError "<what> must be <min>-<max>, not <value>".
[[noreturn]] void throw_overflow(std::string_view what, std::string_view min, std::string_view max,
                                 std::string_view value);

/// `value` as a To, or OverflowError naming `what` and the value when it does not fit: the API
/// edge takes any integer and checks it here instead of narrowing it.
template <std::integral To, std::integral From>
constexpr To checked_narrow(From value, std::string_view what,
                            To max = std::numeric_limits<To>::max()) {
  if (!std::in_range<To>(value) || static_cast<To>(value) > max)
    throw_overflow(what, std::to_string(std::numeric_limits<To>::min()), std::to_string(max),
                   std::to_string(value));
  return static_cast<To>(value);
}

/// The error category of getaddrinfo's EAI_* codes; message() is gai_strerror's.
const std::error_category& gai_category() noexcept;
/// The error category of h_errno values; message() is hstrerror's.
const std::error_category& herror_category() noexcept;

/// The category of socket timeouts (Python's socket.timeout): message() is "timed out", and
/// its codes compare equal to std::errc::timed_out.
const std::error_category& timeout_category() noexcept;
inline std::error_code timed_out_error() noexcept {
  return {1, timeout_category()};
}

/// Throws the Error subclass that Python would raise for `ec` (the one errno → class table).
/// what() becomes "<op>: <message>" or, with a peer, "<op> <peer>: <message>".
[[noreturn]] void throw_error(std::error_code ec, std::string_view op,
                              const Address* peer = nullptr);

/// The message throw_error would use, without throwing: "<op> <peer>".
std::string describe(std::string_view op, const Address* peer);

}  // namespace soket
