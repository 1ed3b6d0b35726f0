// SPDX-License-Identifier: MIT
// Python's ssl exception tree: SSLError and its subclasses, as soket::Error subclasses.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include <soket/error.hpp>

namespace soket::tls {

/// Python: ssl.SSL_ERROR_* (the errno of an SSLError).
enum class SSLErrorNumber : int {
  ssl = 1,
  want_read = 2,
  want_write = 3,
  want_x509_lookup = 4,
  syscall = 5,
  zero_return = 6,
  want_connect = 7,
  eof = 8,
  invalid_error_code = 10,
};

/// The category of SSL_ERROR_* codes; message() is Python's text for each ("The operation did
/// not complete (read)", "TLS/SSL connection has been closed (EOF)", ...).
const std::error_category& ssl_category() noexcept;
inline std::error_code make_error_code(SSLErrorNumber e) noexcept {
  return {static_cast<int>(e), ssl_category()};
}

/// Python: ssl.SSLError (an OSError). code() is {SSL_ERROR_*, ssl_category()}; library() and
/// reason() are OpenSSL's mnemonics ("SSL", "CERTIFICATE_VERIFY_FAILED") or empty; strerror()
/// is Python's str(e) without the "(_ssl.c:LINE)" tail: "[SSL: WRONG_VERSION_NUMBER] wrong
/// version number". what() prefixes the operation and the peer, as every soket error does:
/// "handshake with 127.0.0.1:4433: [SSL: WRONG_VERSION_NUMBER] wrong version number".
/// Match on reason() or the class, never on the text (as Python's docs advise).
class SSLError : public Error {
 public:
  SSLError(std::error_code ec, std::string what, std::string strerror, std::string library = {},
           std::string reason = {});
  const char* what() const noexcept override { return what_.c_str(); }
  const std::string& strerror() const noexcept { return strerror_; }
  const std::string& library() const noexcept { return library_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string what_, strerror_, library_, reason_;
};

/// Python: ssl.SSLZeroReturnError: the peer closed the TLS connection (close_notify) where the
/// operation cannot return an empty result.
class SSLZeroReturnError : public SSLError {
  using SSLError::SSLError;
};
/// Python: ssl.SSLWantReadError: a non-blocking operation needs the socket readable first.
class SSLWantReadError : public SSLError {
  using SSLError::SSLError;
};
/// Python: ssl.SSLWantWriteError: a non-blocking operation needs the socket writable first.
class SSLWantWriteError : public SSLError {
  using SSLError::SSLError;
};
/// Python: ssl.SSLSyscallError: the socket failed under TLS (the system error is in strerror()).
class SSLSyscallError : public SSLError {
  using SSLError::SSLError;
};
/// Python: ssl.SSLEOFError: the transport ended without close_notify ("EOF occurred in
/// violation of protocol"): a truncation, never silently an end of data.
class SSLEOFError : public SSLError {
  using SSLError::SSLError;
};

/// Python: ssl.SSLCertVerificationError (alias CertificateError): the peer's certificate chain
/// or name did not verify. verify_code() is OpenSSL's X509_V_ERR_* (62 hostname mismatch, 64
/// IP mismatch, 20 unknown issuer, 18 self-signed, 10 expired, 9 not yet valid) and
/// verify_message() Python's text ("Hostname mismatch, certificate is not valid for 'x'.").
/// (Python also derives it from ValueError; in C++ it is caught as SSLError or soket::Error.)
class SSLCertVerificationError : public SSLError {
 public:
  SSLCertVerificationError(std::error_code ec, std::string what, std::string strerror,
                           long verify_code, std::string verify_message);
  long verify_code() const noexcept { return verify_code_; }
  const std::string& verify_message() const noexcept { return verify_message_; }

 private:
  long verify_code_;
  std::string verify_message_;
};
using CertificateError = SSLCertVerificationError;

}  // namespace soket::tls

template <>
struct std::is_error_code_enum<soket::tls::SSLErrorNumber> : std::true_type {};
