// SPDX-License-Identifier: MIT
// The engine's TLS transport: one non-blocking SSL object on the connection's socket, driven
// by the SSL_get_error state machine (reference: OpenSSL's SSL_get_error(3), nginx's
// ngx_event_openssl.c). Socket I/O goes through the tls layer's MSG_NOSIGNAL BIO, or, when
// kernel TLS is asked for and the kernel has it, through OpenSSL's socket BIO (kTLS needs it).
#include <soket/tls/engine.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <mutex>
#include <optional>

#include <soket/tls/ssl_error.hpp>

#include "linux/ktls.hpp"
#include "linux/signals.hpp"
#include "tls/openssl.hpp"

namespace soket::tls {

struct EngineContext::Sessions {
  std::mutex mu;
  SSL_SESSION* last = nullptr;  // owned (one reference)
  ~Sessions() { SSL_SESSION_free(last); }
  void keep(SSL_SESSION* s) {  // takes the reference
    std::lock_guard lock(mu);
    SSL_SESSION_free(last);
    last = s;
  }
  SSL_SESSION* get() {  // a new reference, or nullptr
    std::lock_guard lock(mu);
    if (last) SSL_SESSION_up_ref(last);
    return last;
  }
};

namespace {

using event::Want;

constexpr std::size_t max_record = SSL3_RT_MAX_PLAIN_LENGTH;  // TLS's limit (RFC 8446 5.1)

class TlsTransport final : public event::Transport {
 public:
  TlsTransport(const SSLContext& context, bool server, const std::optional<std::string>& host,
               bool ktls, std::shared_ptr<EngineContext::Sessions> sessions)
      : owner_(context), sessions_(std::move(sessions)), server_(server), kernel_(ktls) {
    ssl_ = owner_.new_ssl(server, host, &owner_);
    if (!ssl_) detail::throw_last_error("TLS connection");
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                           SSL_MODE_RELEASE_BUFFERS);
    // No TLS 1.2 renegotiation: a write that waits for input would otherwise poll for
    // writability it already has.
    SSL_set_options(ssl_, SSL_OP_NO_RENEGOTIATION);
    if (kernel_)
      SSL_set_options(ssl_, SSL_OP_ENABLE_KTLS);
    else
      SSL_set_read_ahead(ssl_, 1);  // one recv(2) for many records (nginx sets it too)
    if (sessions_) {
      SSL_SESSION* s = sessions_->get();
      if (s) {
        SSL_set_session(ssl_, s);
        SSL_SESSION_free(s);
      }
    }
  }
  ~TlsTransport() override {
    // The newest session (TLS 1.3: the last ticket read) for the next connection.
    if (sessions_ && !failed_) {
      SSL_SESSION* s = SSL_get1_session(ssl_);
      if (s && SSL_SESSION_is_resumable(s))
        sessions_->keep(s);
      else
        SSL_SESSION_free(s);
    }
    SSL_free(ssl_);
  }
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  void attach(int fd) {
    if (kernel_) {
      // kTLS works only on OpenSSL's own socket BIO (it installs the keys with setsockopt).
      if (SSL_set_fd(ssl_, fd) != 1) detail::throw_last_error("TLS connection");
    } else {
      BIO* bio = detail::new_socket_bio(fd);
      if (!bio) detail::throw_last_error("TLS connection");
      SSL_set_bio(ssl_, bio, bio);
    }
    if (server_)
      SSL_set_accept_state(ssl_);
    else
      SSL_set_connect_state(ssl_);
  }

  Want handshake(int, std::error_code& ec) override {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) return Want::nothing;
    Want want = Want::nothing;
    fail_or_wait(r, want, ec);
    if (!ec && want == Want::nothing) ec = make_error_code(SSLErrorNumber::ssl);
    return want;
  }

  std::ptrdiff_t read(int, std::span<std::byte> into, Want& want, std::error_code& ec) override {
    std::size_t n = 0;
    ERR_clear_error();
    int r = SSL_read_ex(ssl_, into.data(), into.size(), &n);
    if (r == 1) return static_cast<std::ptrdiff_t>(n);
    if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
    fail_or_wait(r, want, ec);
    return -1;
  }

  std::ptrdiff_t write(int, std::span<const std::byte> data, Want& want,
                       std::error_code& ec) override {
    std::optional<sys::NoSigpipe> guard;  // OpenSSL's socket BIO (kTLS) uses write(2)
    if (kernel_) guard.emplace();
    // With SSL_MODE_ENABLE_PARTIAL_WRITE each SSL_write_ex returns after one record: keep
    // writing records until the socket is full, as a short count tells the Connection it is
    // (it would otherwise wait for writability it has, one loop turn per 16 KiB record).
    std::size_t done = 0;
    int r = 1;
    while (done < data.size()) {
      std::size_t n = 0;
      ERR_clear_error();
      // A record holds at most 16 KiB: with more left, another record follows this one.
      if (!kernel_) detail::set_more(SSL_get_wbio(ssl_), data.size() - done > max_record);
      r = SSL_write_ex(ssl_, data.data() + done, data.size() - done, &n);
      if (r != 1) break;
      done += n;
    }
    if (!kernel_) detail::set_more(SSL_get_wbio(ssl_), false);
    if (done > 0) {
      // Records went out before one stopped: report them; the rest (OpenSSL keeps a
      // half-sent record) is retried with the same bytes, as OpenSSL requires, and a
      // failure shows again on that retry.
      ERR_clear_error();
      return static_cast<std::ptrdiff_t>(done);
    }
    fail_or_wait(r, want, ec);
    return -1;
  }

  bool has_pending() const noexcept override {
    // Decrypted plaintext, or records read ahead (possibly a partial one: the Connection
    // reads once more and stops when OpenSSL asks for the socket).
    return SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_) == 1;
  }

  void close_notify(int) noexcept override {
    if (failed_ || ended_) return;
    ended_ = true;
    ERR_clear_error();
    if (kernel_) {
      sys::NoSigpipe guard;
      SSL_shutdown(ssl_);
    } else {
      SSL_shutdown(ssl_);  // sends close_notify; the peer's answer is not awaited
    }
    ERR_clear_error();
  }

  bool server_side() const noexcept override { return server_; }

  SSL* ssl() const noexcept { return ssl_; }

 private:
  // After an SSL call returned r <= 0: a Want to wait for, or ec for the failure.
  void fail_or_wait(int r, Want& want, std::error_code& ec) {
    int saved_errno = errno;
    int e = SSL_get_error(ssl_, r);
    switch (e) {
      case SSL_ERROR_WANT_READ: want = Want::read; return;
      case SSL_ERROR_WANT_WRITE: want = Want::write; return;
      case SSL_ERROR_SYSCALL:
        failed_ = true;  // no SSL_shutdown after this (SSL_shutdown(3))
        if (ERR_peek_error() == 0 && saved_errno != 0) {
          ec = {saved_errno, std::system_category()};
          ERR_clear_error();
          return;
        }
        break;
      default: failed_ = true; break;
    }
    // Python's classes by code: a certificate check, eof (a cut without close_notify), ssl.
    unsigned long err = ERR_peek_error();
    if (ERR_GET_LIB(err) == ERR_LIB_SSL && ERR_GET_REASON(err) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      long code = SSL_get_verify_result(ssl_);
      if (code != X509_V_OK) {
        ec = {static_cast<int>(code), verify_category()};
        ERR_clear_error();
        return;
      }
    }
    bool eof =
        e == SSL_ERROR_SYSCALL || (ERR_GET_LIB(err) == ERR_LIB_SSL &&
                                   ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
    ec = make_error_code(eof ? SSLErrorNumber::eof : SSLErrorNumber::ssl);
    ERR_clear_error();
  }

  SSLContext owner_;  // keeps the context (and what the SNI callback picks) alive
  std::shared_ptr<EngineContext::Sessions> sessions_;  // client with resume_sessions only
  SSL* ssl_ = nullptr;
  bool server_;
  bool kernel_;
  bool failed_ = false, ended_ = false;
};

class VerifyCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "soket.tls.verify"; }
  std::string message(int code) const override {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(code);
  }
};

std::optional<std::string> c_string(const char* s) {
  if (!s) return std::nullopt;
  return std::string(s);
}

}  // namespace

const std::error_category& verify_category() noexcept {
  static const VerifyCategory category;
  return category;
}

EngineContext::EngineContext(const SSLContext& context, Side side,
                             std::optional<std::string> server_hostname)
    : context_(context),
      sessions_(std::make_shared<Sessions>()),
      server_hostname_(std::move(server_hostname)),
      side_(side) {}

bool EngineContext::kernel_has_tls() noexcept {
  return sys::ktls_available();
}

std::unique_ptr<event::Transport> EngineContext::make_transport(int fd) {
  bool kernel = ktls_ && kernel_has_tls();  // else the tested user-space fallback
  std::shared_ptr<Sessions> sessions;
  if (resume_ && side_ == client_side) sessions = sessions_;
  auto t = std::make_unique<TlsTransport>(context_, side_ == server_side,
                                          side_ == server_side ? std::nullopt : server_hostname_,
                                          kernel, std::move(sessions));
  t->attach(fd);
  return t;
}

std::optional<ConnectionInfo> info(const event::Connection& conn) {
  auto* t = dynamic_cast<TlsTransport*>(conn.transport());
  if (!t) return std::nullopt;
  SSL* ssl = t->ssl();
  ConnectionInfo i;
  i.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) i.cipher = SSL_CIPHER_get_name(c);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn_len) i.alpn = std::string(reinterpret_cast<const char*>(alpn), alpn_len);
  i.sni = c_string(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
  i.session_reused = SSL_session_reused(ssl) == 1;
  i.ktls_send = BIO_get_ktls_send(SSL_get_wbio(ssl)) == 1;
  i.ktls_recv = BIO_get_ktls_recv(SSL_get_rbio(ssl)) == 1;
  return i;
}

}  // namespace soket::tls
