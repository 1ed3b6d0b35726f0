// SPDX-License-Identifier: MIT
#include <soket/tls/ssl_error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <cctype>

#include "tls/openssl.hpp"

namespace soket::tls {
namespace {

class SSLCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "ssl"; }
  std::string message(int code) const override {
    switch (static_cast<SSLErrorNumber>(code)) {
      case SSLErrorNumber::ssl: return "A failure in the SSL library occurred";
      case SSLErrorNumber::want_read: return "The operation did not complete (read)";
      case SSLErrorNumber::want_write: return "The operation did not complete (write)";
      case SSLErrorNumber::want_x509_lookup: return "The operation did not complete (X509 lookup)";
      case SSLErrorNumber::syscall: return "Some I/O error occurred";
      case SSLErrorNumber::zero_return: return "TLS/SSL connection has been closed (EOF)";
      case SSLErrorNumber::want_connect: return "The operation did not complete (connect)";
      case SSLErrorNumber::eof: return "EOF occurred in violation of protocol";
      case SSLErrorNumber::invalid_error_code: break;
    }
    return "Invalid error code";
  }
};

// Python's short library names ("SSL", "X509", "PEM") for OpenSSL's library codes.
std::string library_name(unsigned long e) {
  switch (ERR_GET_LIB(e)) {
    case ERR_LIB_SSL: return "SSL";
    case ERR_LIB_X509: return "X509";
    case ERR_LIB_X509V3: return "X509V3";
    case ERR_LIB_PEM: return "PEM";
    case ERR_LIB_EVP: return "EVP";
    case ERR_LIB_ASN1: return "ASN1";
    case ERR_LIB_BIO: return "BIO";
    case ERR_LIB_SYS: return "SYS";
    case ERR_LIB_PKCS12: return "PKCS12";
    case ERR_LIB_RSA: return "RSA";
    case ERR_LIB_EC: return "EC";
    case ERR_LIB_PROV: return "PROV";
    case ERR_LIB_CRYPTO: return "CRYPTO";
    default: break;
  }
  const char* s = ERR_lib_error_string(e);
  return s ? s : "";
}

// OpenSSL's reason mnemonic from its text: "wrong version number" → WRONG_VERSION_NUMBER
// (OpenSSL 3 has no API for the mnemonic; its texts are the mnemonics in lower case).
std::string reason_name(const char* text) {
  std::string out;
  for (const char* p = text; *p; ++p)
    out += *p == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
  return out;
}

struct Detail {
  std::string strerror, library, reason;
};

// "[LIB: REASON] text" for the last error on the queue (Python's fill_and_set_sslerror).
Detail describe_queue(unsigned long e, std::string_view fallback) {
  Detail d;
  if (e == 0) {
    d.strerror = fallback;
    return d;
  }
  const char* text = ERR_reason_error_string(e);
  d.library = library_name(e);
  if (text) {
    d.reason = reason_name(text);
    d.strerror = "[" + d.library + ": " + d.reason + "] " + text;
  } else {
    d.strerror = "[" + d.library + "] error " + std::to_string(ERR_GET_REASON(e));
  }
  return d;
}

std::string join(std::string_view what, const std::string& text) {
  return what.empty() ? text : std::string(what) + ": " + text;
}

template <class E>
std::exception_ptr make(SSLErrorNumber n, std::string_view what, Detail d) {
  if (d.strerror.empty()) d.strerror = ssl_category().message(static_cast<int>(n));
  return std::make_exception_ptr(E(make_error_code(n), join(what, d.strerror), d.strerror,
                                   std::move(d.library), std::move(d.reason)));
}

// Python's verify message: its own wording for host and IP mismatches, OpenSSL's otherwise.
std::string verify_message(SSL* ssl, long code) {
  X509_VERIFY_PARAM* param = ssl ? SSL_get0_param(ssl) : nullptr;
  if (param && code == X509_V_ERR_HOSTNAME_MISMATCH) {
    const char* host = X509_VERIFY_PARAM_get0_host(param, 0);
    return std::string("Hostname mismatch, certificate is not valid for '") + (host ? host : "") +
           "'.";
  }
  if (param && code == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    char* ip = X509_VERIFY_PARAM_get1_ip_asc(param);
    std::string text =
        std::string("IP address mismatch, certificate is not valid for '") + (ip ? ip : "") + "'.";
    OPENSSL_free(ip);
    return text;
  }
  return X509_verify_cert_error_string(code);
}

}  // namespace

const std::error_category& ssl_category() noexcept {
  static const SSLCategory category;
  return category;
}

SSLError::SSLError(std::error_code ec, std::string what, std::string strerror, std::string library,
                   std::string reason)
    : Error(ec, what),
      what_(std::move(what)),
      strerror_(std::move(strerror)),
      library_(std::move(library)),
      reason_(std::move(reason)) {}

SSLCertVerificationError::SSLCertVerificationError(std::error_code ec, std::string what,
                                                   std::string strerror, long verify_code,
                                                   std::string verify_message)
    : SSLError(ec, std::move(what), std::move(strerror), "SSL", "CERTIFICATE_VERIFY_FAILED"),
      verify_code_(verify_code),
      verify_message_(std::move(verify_message)) {}

namespace detail {

void throw_last_error(std::string_view what, std::string_view fallback) {
  // The first error is the cause ("[PEM: NO_START_LINE]", "[PROV: BAD_DECRYPT]"); the last is
  // its consequence ("[SSL: PEM_LIB] PEM lib", all Python shows).
  unsigned long e = ERR_peek_error();
  Detail d = describe_queue(e, fallback);
  ERR_clear_error();
  std::rethrow_exception(make<SSLError>(SSLErrorNumber::ssl, what, std::move(d)));
}

std::exception_ptr io_error(SSL* ssl, int ret, int ssl_error, int saved_errno,
                            std::string_view what) {
  unsigned long e = ERR_peek_last_error();
  Detail d = describe_queue(e, {});
  ERR_clear_error();
  switch (ssl_error) {
    case SSL_ERROR_WANT_READ: return make<SSLWantReadError>(SSLErrorNumber::want_read, what, {});
    case SSL_ERROR_WANT_WRITE: return make<SSLWantWriteError>(SSLErrorNumber::want_write, what, {});
    case SSL_ERROR_WANT_X509_LOOKUP:
      return make<SSLError>(SSLErrorNumber::want_x509_lookup, what, {});
    case SSL_ERROR_WANT_CONNECT: return make<SSLError>(SSLErrorNumber::want_connect, what, {});
    case SSL_ERROR_ZERO_RETURN:
      return make<SSLZeroReturnError>(SSLErrorNumber::zero_return, what, {});
    case SSL_ERROR_SYSCALL:
      if (e != 0) break;                 // an OpenSSL error after all: reported below
      if (ret == 0 || saved_errno == 0)  // the transport ended: a protocol violation
        return make<SSLEOFError>(SSLErrorNumber::eof, what, {});
      try {
        throw_error(std::error_code(saved_errno, std::system_category()), what);
      } catch (...) {
        return std::current_exception();
      }
    default: break;
  }
  if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    long code = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    std::string message = verify_message(ssl, code);
    std::string text = d.strerror + ": " + message;
    return std::make_exception_ptr(SSLCertVerificationError(
        make_error_code(SSLErrorNumber::ssl), join(what, text), text, code, std::move(message)));
  }
  if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    return make<SSLEOFError>(SSLErrorNumber::eof, what, std::move(d));
  return make<SSLError>(SSLErrorNumber::ssl, what, std::move(d));
}

void throw_io_error(SSL* ssl, int ret, int ssl_error, int saved_errno, std::string_view what) {
  std::rethrow_exception(io_error(ssl, ret, ssl_error, saved_errno, what));
}

}  // namespace detail
}  // namespace soket::tls
