// SPDX-License-Identifier: MIT
// The tls layer's shared internals: OpenSSL error queue → Python's exception tree, the SSL
// object's slot for its owning SSLContext (the SNI callback switches it), and the socket BIO.
// Internal: never installed. The event engine's TLS transport uses these too.
#pragma once

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <exception>
#include <string>
#include <string_view>

#include <soket/tls/context.hpp>

namespace soket::tls::detail {

/// The SSL ex_data index holding the SSLContext* whose copy owns the SSL object's context;
/// SNIHello::set_context writes the new context there.
int owner_index() noexcept;

/// The exception for OpenSSL's error queue after a failed context call (load_cert_chain,
/// set_ciphers ...): SSLError "[LIB: REASON] text" for the first (root) error on the queue,
/// what() "<what>: [LIB: REASON] text".
/// Clears the queue.
[[noreturn]] void throw_last_error(std::string_view what, std::string_view fallback = {});

/// The exception Python raises after an SSL call on `ssl` returned `ret` with SSL_get_error
/// `ssl_error` (errno `saved_errno` for SSL_ERROR_SYSCALL): SSLWantRead/WriteError,
/// SSLZeroReturnError, SSLEOFError, SSLCertVerificationError, SSLError, or the OSError subclass
/// for a socket error. `what` names the operation and the peer ("handshake with 1.2.3.4:5").
/// Clears the queue.
std::exception_ptr io_error(SSL* ssl, int ret, int ssl_error, int saved_errno,
                            std::string_view what);
[[noreturn]] void throw_io_error(SSL* ssl, int ret, int ssl_error, int saved_errno,
                                 std::string_view what);

/// A BIO over a socket descriptor (not owned) that sends with MSG_NOSIGNAL (never SIGPIPE),
/// retries EINTR, and reports EAGAIN as a retry so SSL_get_error says WANT_READ/WANT_WRITE.
BIO* new_socket_bio(int fd);

/// Sends of `bio` (one from new_socket_bio; others are left alone) go with MSG_MORE while
/// `more` is set: the caller knows another record follows at once, so the kernel builds one
/// segment train instead of pushing each 16 KiB record on its own.
void set_more(BIO* bio, bool more) noexcept;

}  // namespace soket::tls::detail
