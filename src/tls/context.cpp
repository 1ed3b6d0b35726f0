// SPDX-License-Identifier: MIT
#include <soket/tls/context.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "tls/openssl.hpp"

namespace soket::tls {

// Python 3.11 (upstream)'s PY_SSL_DEFAULT_CIPHER_STRING, for TLS <= 1.2.
constexpr const char* default_ciphers =
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";

struct SSLContext::Impl : std::enable_shared_from_this<SSLContext::Impl> {
  SSL_CTX* ctx = nullptr;
  Protocol protocol = Protocol::tls_client;
  bool check_hostname = false;
  bool hostname_checks_common_name = true;
  std::vector<unsigned char> alpn;  // wire format: length-prefixed names
  SNICallback sni;
  std::mutex keylog_mutex;
  std::FILE* keylog = nullptr;

  ~Impl() {
    if (keylog) std::fclose(keylog);
    SSL_CTX_free(ctx);
  }
};

namespace {

using Impl = SSLContext::Impl;

// The SSL_CTX ex_data slot that points back at its Impl (for OpenSSL's callbacks).
int impl_index() noexcept {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

Impl* impl_of(const SSL_CTX* ctx) noexcept {
  return static_cast<Impl*>(SSL_CTX_get_ex_data(ctx, impl_index()));
}

void update_hostflags(Impl& impl) noexcept {
  unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
  if (!impl.hostname_checks_common_name) flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
  X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(impl.ctx), flags);
}

int alpn_select(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  auto* impl = static_cast<Impl*>(arg);
  if (impl->alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  // The server's order wins: the first of our names the client also offered.
  unsigned char* chosen = nullptr;
  int r = SSL_select_next_proto(&chosen, outlen, impl->alpn.data(),
                                static_cast<unsigned int>(impl->alpn.size()), in, inlen);
  if (r != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;  // no overlap: go on without
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int servername_cb(SSL* ssl, int* alert, void* arg) {
  auto* impl = static_cast<Impl*>(arg);
  if (!impl->sni) return SSL_TLSEXT_ERR_OK;
  try {
    SSLContext current = SSLContext::from_impl(impl->shared_from_this());
    SNIHello hello(ssl, current);
    if (auto a = impl->sni(hello)) {
      *alert = static_cast<int>(*a);
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
  } catch (...) {
    // Python reports the exception to sys.unraisablehook and fails the handshake.
    *alert = SSL_AD_HANDSHAKE_FAILURE;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
}

void keylog_cb(const SSL* ssl, const char* line) {
  Impl* impl = impl_of(SSL_get_SSL_CTX(ssl));
  if (!impl) return;
  std::lock_guard lock(impl->keylog_mutex);
  if (!impl->keylog) return;
  std::fputs(line, impl->keylog);
  std::fputc('\n', impl->keylog);
  std::fflush(impl->keylog);
}

struct PasswordInfo {
  const SSLContext::PasswordCallback* callback;
  std::exception_ptr error;
  bool asked = false;
};

int password_cb(char* buf, int size, int, void* arg) {
  auto* info = static_cast<PasswordInfo*>(arg);
  info->asked = true;
  if (!info->callback || !*info->callback) return -1;  // never prompt on a terminal
  try {
    std::string pw = (*info->callback)();
    if (pw.size() > static_cast<std::size_t>(size))
      throw std::invalid_argument("password cannot be longer than " + std::to_string(size) +
                                  " bytes");
    std::memcpy(buf, pw.data(), pw.size());
    return static_cast<int>(pw.size());
  } catch (...) {
    info->error = std::current_exception();
    return -1;
  }
}

// A missing or unreadable file is Python's FileNotFoundError/OSError, not an SSLError.
void check_readable(const std::filesystem::path& p, std::string_view what) {
  std::FILE* f = std::fopen(p.c_str(), "rbe");
  if (!f)
    throw_error(std::error_code(errno, std::system_category()),
                std::string(what) + " " + p.string());
  std::fclose(f);
}

int to_openssl(TLSVersion v) noexcept {
  switch (v) {
    case TLSVersion::minimum_supported:
    case TLSVersion::maximum_supported: return 0;  // OpenSSL's "no bound"
    default: return static_cast<int>(v);
  }
}

}  // namespace

SSLContext SSLContext::from_impl(std::shared_ptr<Impl> impl) noexcept {
  return SSLContext(std::move(impl));
}

std::string_view to_string(TLSVersion v) noexcept {
  switch (v) {
    case TLSVersion::minimum_supported: return "MINIMUM_SUPPORTED";
    case TLSVersion::maximum_supported: return "MAXIMUM_SUPPORTED";
    case TLSVersion::sslv3: return "SSLv3";
    case TLSVersion::tlsv1: return "TLSv1";
    case TLSVersion::tlsv1_1: return "TLSv1.1";
    case TLSVersion::tlsv1_2: return "TLSv1.2";
    case TLSVersion::tlsv1_3: return "TLSv1.3";
  }
  return "?";
}

SSLContext::SSLContext(Protocol protocol) : impl_(std::make_shared<Impl>()) {
  if (protocol != Protocol::tls_client && protocol != Protocol::tls_server)
    throw std::invalid_argument("invalid or unsupported protocol version");
  impl_->protocol = protocol;
  impl_->ctx =
      SSL_CTX_new(protocol == Protocol::tls_client ? TLS_client_method() : TLS_server_method());
  if (!impl_->ctx) detail::throw_last_error("SSLContext");
  SSL_CTX* ctx = impl_->ctx;
  SSL_CTX_set_ex_data(ctx, impl_index(), impl_.get());
  // Python's defaults (upstream 3.11; no OP_IGNORE_UNEXPECTED_EOF: truncation is SSLEOFError).
  // Python's OP_ALL leaves out DONT_INSERT_EMPTY_FRAGMENTS (CBC's BEAST countermeasure stays).
  const std::uint64_t want = (SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS) | SSL_OP_NO_SSLv3 |
                             SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_ENABLE_MIDDLEBOX_COMPAT |
                             SSL_OP_NO_COMPRESSION;
  SSL_CTX_clear_options(ctx, SSL_CTX_get_options(ctx) & ~want);
  SSL_CTX_set_options(ctx, want);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(ctx, default_ciphers) != 1)
    detail::throw_last_error("SSLContext", "No cipher can be selected.");
  // Python's modes: a retried write may pass a moved buffer with the same bytes.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY);
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_TRUSTED_FIRST);
  update_hostflags(*impl_);
  SSL_CTX_set_default_passwd_cb(ctx, password_cb);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  // (OpenSSL's macros for these two cast C-style; the functions under them do not.)
  SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                        reinterpret_cast<void (*)()>(servername_cb));
  SSL_CTX_set_tlsext_servername_arg(ctx, impl_.get());
  SSL_CTX_set_alpn_select_cb(ctx, alpn_select, impl_.get());
  if (protocol == Protocol::tls_client) {
    check_hostname(true);  // also CERT_REQUIRED
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
}

Protocol SSLContext::protocol() const noexcept {
  return impl_->protocol;
}

VerifyMode SSLContext::verify_mode() const noexcept {
  int m = SSL_CTX_get_verify_mode(impl_->ctx);
  if (m & SSL_VERIFY_FAIL_IF_NO_PEER_CERT) return VerifyMode::cert_required;
  if (m & SSL_VERIFY_PEER) return VerifyMode::cert_optional;
  return VerifyMode::cert_none;
}

void SSLContext::verify_mode(VerifyMode mode) {
  if (mode == VerifyMode::cert_none && impl_->check_hostname)
    throw std::invalid_argument(
        "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
  int m = SSL_VERIFY_NONE;
  if (mode == VerifyMode::cert_optional) m = SSL_VERIFY_PEER;
  if (mode == VerifyMode::cert_required) m = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(impl_->ctx, m, nullptr);
}

bool SSLContext::check_hostname() const noexcept {
  return impl_->check_hostname;
}

void SSLContext::check_hostname(bool on) {
  if (on && verify_mode() == VerifyMode::cert_none) {
    impl_->check_hostname = false;  // so the setter below accepts it
    verify_mode(VerifyMode::cert_required);
  }
  impl_->check_hostname = on;
}

bool SSLContext::hostname_checks_common_name() const noexcept {
  return impl_->hostname_checks_common_name;
}

void SSLContext::hostname_checks_common_name(bool on) {
  impl_->hostname_checks_common_name = on;
  update_hostflags(*impl_);
}

TLSVersion SSLContext::minimum_version() const noexcept {
  long v = SSL_CTX_get_min_proto_version(impl_->ctx);
  return v == 0 ? TLSVersion::minimum_supported : static_cast<TLSVersion>(v);
}

void SSLContext::minimum_version(TLSVersion v) {
  if (SSL_CTX_set_min_proto_version(impl_->ctx, to_openssl(v)) != 1)
    throw std::invalid_argument("Unsupported TLS/SSL version " +
                                std::to_string(static_cast<int>(v)));
}

TLSVersion SSLContext::maximum_version() const noexcept {
  long v = SSL_CTX_get_max_proto_version(impl_->ctx);
  return v == 0 ? TLSVersion::maximum_supported : static_cast<TLSVersion>(v);
}

void SSLContext::maximum_version(TLSVersion v) {
  if (SSL_CTX_set_max_proto_version(impl_->ctx, to_openssl(v)) != 1)
    throw std::invalid_argument("Unsupported TLS/SSL version " +
                                std::to_string(static_cast<int>(v)));
}

std::uint64_t SSLContext::options() const noexcept {
  return SSL_CTX_get_options(impl_->ctx);
}

void SSLContext::options(std::uint64_t bits) {
  std::uint64_t now = SSL_CTX_get_options(impl_->ctx);
  SSL_CTX_clear_options(impl_->ctx, now & ~bits);
  SSL_CTX_set_options(impl_->ctx, ~now & bits);
}

unsigned long SSLContext::verify_flags() const noexcept {
  return X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(impl_->ctx));
}

void SSLContext::verify_flags(unsigned long flags) {
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(impl_->ctx);
  unsigned long now = X509_VERIFY_PARAM_get_flags(param);
  X509_VERIFY_PARAM_clear_flags(param, now & ~flags);
  X509_VERIFY_PARAM_set_flags(param, ~now & flags);
}

int SSLContext::security_level() const noexcept {
  return SSL_CTX_get_security_level(impl_->ctx);
}

std::size_t SSLContext::num_tickets() const noexcept {
  return SSL_CTX_get_num_tickets(impl_->ctx);
}

void SSLContext::num_tickets(std::size_t n) {
  if (!is_server()) throw std::invalid_argument("SSLContext is not a server context.");
  SSL_CTX_set_num_tickets(impl_->ctx, n);
}

void SSLContext::load_cert_chain(const std::filesystem::path& certfile,
                                 const std::optional<std::filesystem::path>& keyfile,
                                 PasswordCallback password) {
  SSL_CTX* ctx = impl_->ctx;
  check_readable(certfile, "load_cert_chain");
  if (keyfile) check_readable(*keyfile, "load_cert_chain");
  PasswordInfo info{&password, nullptr};
  SSL_CTX_set_default_passwd_cb_userdata(ctx, &info);
  struct Reset {
    SSL_CTX* ctx;
    ~Reset() { SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr); }
  } reset{ctx};
  ERR_clear_error();
  const std::string what = "load_cert_chain " + certfile.string();
  if (SSL_CTX_use_certificate_chain_file(ctx, certfile.c_str()) != 1) {
    if (info.error) std::rethrow_exception(info.error);
    detail::throw_last_error(what);
  }
  const std::filesystem::path& key = keyfile ? *keyfile : certfile;
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (info.error) std::rethrow_exception(info.error);
    detail::throw_last_error("load_cert_chain " + key.string());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) detail::throw_last_error(what);
}

void SSLContext::load_cert_chain(const std::filesystem::path& certfile,
                                 const std::optional<std::filesystem::path>& keyfile,
                                 std::string password) {
  load_cert_chain(certfile, keyfile, [pw = std::move(password)] { return pw; });
}

void SSLContext::load_verify_locations(const std::optional<std::filesystem::path>& cafile,
                                       const std::optional<std::filesystem::path>& capath,
                                       const std::optional<std::string>& cadata) {
  if (!cafile && !capath && !cadata)
    throw std::invalid_argument("cafile, capath and cadata cannot be all omitted");
  SSL_CTX* ctx = impl_->ctx;
  ERR_clear_error();
  if (cadata) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    std::size_t loaded = 0;
    const bool pem = cadata->find("-----BEGIN") != std::string::npos;
    BIO* bio = BIO_new_mem_buf(cadata->data(), static_cast<int>(cadata->size()));
    for (;;) {
      X509* cert =
          pem ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : d2i_X509_bio(bio, nullptr);
      if (!cert) break;
      int ok = X509_STORE_add_cert(store, cert);
      X509_free(cert);
      if (ok != 1) {
        unsigned long e = ERR_peek_last_error();
        if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
          BIO_free(bio);
          detail::throw_last_error("load_verify_locations cadata");
        }
      }
      ++loaded;
    }
    BIO_free(bio);
    if (loaded == 0) {
      ERR_clear_error();
      throw std::invalid_argument(pem ? "no start line: cadata does not contain a certificate"
                                      : "not enough data: cadata does not contain a certificate");
    }
    ERR_clear_error();  // the loop ends on "no start line" / end of data
  }
  if (cafile) check_readable(*cafile, "load_verify_locations");
  if ((cafile || capath) && SSL_CTX_load_verify_locations(ctx, cafile ? cafile->c_str() : nullptr,
                                                          capath ? capath->c_str() : nullptr) != 1)
    detail::throw_last_error("load_verify_locations " +
                             (cafile ? cafile->string() : capath->string()));
}

void SSLContext::set_default_verify_paths() {
  if (SSL_CTX_set_default_verify_paths(impl_->ctx) != 1)
    detail::throw_last_error("set_default_verify_paths");
}

void SSLContext::load_default_certs(Purpose) {
  set_default_verify_paths();
}

SSLContext::StoreStats SSLContext::cert_store_stats() const {
  StoreStats s;
  STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(impl_->ctx));
  for (int i = 0; i < sk_X509_OBJECT_num(objs); ++i) {
    X509_OBJECT* o = sk_X509_OBJECT_value(objs, i);
    if (X509_OBJECT_get_type(o) == X509_LU_X509) {
      ++s.x509;
      if (X509_check_ca(X509_OBJECT_get0_X509(o))) ++s.x509_ca;
    } else if (X509_OBJECT_get_type(o) == X509_LU_CRL) {
      ++s.crl;
    }
  }
  return s;
}

void SSLContext::set_ciphers(const std::string& ciphers) {
  if (SSL_CTX_set_cipher_list(impl_->ctx, ciphers.c_str()) != 1) {
    ERR_clear_error();
    throw SSLError(make_error_code(SSLErrorNumber::ssl),
                   "set_ciphers '" + ciphers + "': No cipher can be selected.",
                   "No cipher can be selected.");
  }
}

std::vector<std::string> SSLContext::get_ciphers() const {
  std::vector<std::string> out;
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(impl_->ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i)
    out.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(list, i)));
  return out;
}

void SSLContext::set_alpn_protocols(const std::vector<std::string>& protocols) {
  std::vector<unsigned char> wire;
  for (const auto& p : protocols) {
    if (p.empty() || p.size() > 255)
      throw std::invalid_argument("ALPN protocols must be 1 to 255 in length");
    wire.push_back(static_cast<unsigned char>(p.size()));
    wire.insert(wire.end(), p.begin(), p.end());
  }
  // Clients offer the list; servers choose from it (alpn_select).
  if (SSL_CTX_set_alpn_protos(impl_->ctx, wire.data(), static_cast<unsigned int>(wire.size())) != 0)
    detail::throw_last_error("set_alpn_protocols");
  impl_->alpn = std::move(wire);
}

void SSLContext::set_ecdh_curve(const std::string& name) {
  if (SSL_CTX_set1_groups_list(impl_->ctx, name.c_str()) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("unknown elliptic curve name '" + name + "'");
  }
}

void SSLContext::sni_callback(SNICallback cb) {
  if (!is_server()) throw std::invalid_argument("sni_callback cannot be set on TLS_CLIENT context");
  impl_->sni = std::move(cb);
}

void SSLContext::keylog_filename(const std::optional<std::filesystem::path>& path) {
  std::lock_guard lock(impl_->keylog_mutex);
  if (impl_->keylog) std::fclose(impl_->keylog);
  impl_->keylog = nullptr;
  SSL_CTX_set_keylog_callback(impl_->ctx, nullptr);
  if (!path) return;
  impl_->keylog = std::fopen(path->c_str(), "ae");
  if (!impl_->keylog)
    throw_error(std::error_code(errno, std::system_category()),
                "keylog_filename " + path->string());
  SSL_CTX_set_keylog_callback(impl_->ctx, keylog_cb);
}

SSLContext::SessionStats SSLContext::session_stats() const noexcept {
  SSL_CTX* c = impl_->ctx;
  return {SSL_CTX_sess_number(c), SSL_CTX_sess_connect(c),     SSL_CTX_sess_connect_good(c),
          SSL_CTX_sess_accept(c), SSL_CTX_sess_accept_good(c), SSL_CTX_sess_hits(c),
          SSL_CTX_sess_misses(c), SSL_CTX_sess_timeouts(c),    SSL_CTX_sess_cache_full(c)};
}

ssl_ctx_st* SSLContext::native_handle() const noexcept {
  return impl_->ctx;
}

ssl_st* SSLContext::new_ssl(bool server_side, const std::optional<std::string>& server_hostname,
                            SSLContext* owner) const {
  if (server_side && server_hostname)
    throw std::invalid_argument("server_hostname can only be specified in client mode");
  if (!server_side && is_server())
    throw std::invalid_argument("Cannot create a client socket with a PROTOCOL_TLS_SERVER context");
  if (server_side && !is_server())
    throw std::invalid_argument("Cannot create a server socket with a PROTOCOL_TLS_CLIENT context");
  if (!server_side && impl_->check_hostname && !server_hostname)
    throw std::invalid_argument("check_hostname requires server_hostname");
  if (server_hostname && (server_hostname->empty() || server_hostname->front() == '.' ||
                          server_hostname->find('\0') != std::string::npos))
    throw std::invalid_argument(
        "server_hostname cannot be an empty string or start with a "
        "leading dot.");
  SSL* ssl = SSL_new(impl_->ctx);
  if (!ssl) detail::throw_last_error("wrap_socket");
  SSL_set_ex_data(ssl, detail::owner_index(), owner);
  if (server_hostname) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(server_hostname->c_str());
    bool ok = true;
    // SNI carries DNS names only (RFC 6066 §3), never an IP literal.
    if (!ip)
      ok = SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                    const_cast<char*>(server_hostname->c_str())) == 1;
    if (ok && impl_->check_hostname) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      ok = ip ? X509_VERIFY_PARAM_set1_ip(param, ASN1_STRING_get0_data(ip),
                                          static_cast<std::size_t>(ASN1_STRING_length(ip))) == 1
              : X509_VERIFY_PARAM_set1_host(param, server_hostname->c_str(), 0) == 1;
    }
    ASN1_OCTET_STRING_free(ip);
    if (!ok) {
      SSL_free(ssl);
      detail::throw_last_error("wrap_socket server_hostname '" + *server_hostname + "'");
    }
  }
  if (server_side)
    SSL_set_accept_state(ssl);
  else
    SSL_set_connect_state(ssl);
  return ssl;
}

std::optional<std::string_view> SNIHello::server_name() const noexcept {
  const char* name = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
  if (!name) return std::nullopt;
  return std::string_view(name);
}

void SNIHello::set_context(const SSLContext& ctx) {
  if (!ctx.is_server()) throw std::invalid_argument("the SNI callback needs a server context");
  SSL_set_SSL_CTX(ssl_, ctx.native_handle());
  // Python's SSL_set_SSL_CTX keeps the verify settings of the new context too.
  SSL_set_verify(ssl_, SSL_CTX_get_verify_mode(ctx.native_handle()), nullptr);
  if (auto* owner = static_cast<SSLContext*>(SSL_get_ex_data(ssl_, detail::owner_index())))
    *owner = ctx;
  current_ = &ctx;
}

SSLContext create_default_context(Purpose purpose,
                                  const std::optional<std::filesystem::path>& cafile,
                                  const std::optional<std::filesystem::path>& capath,
                                  const std::optional<std::string>& cadata) {
  SSLContext ctx(purpose == Purpose::server_auth ? Protocol::tls_client : Protocol::tls_server);
  if (cafile || capath || cadata)
    ctx.load_verify_locations(cafile, capath, cadata);
  else if (ctx.verify_mode() != VerifyMode::cert_none)
    ctx.load_default_certs(purpose);
  if (const char* keylog = std::getenv("SSLKEYLOGFILE"); keylog && *keylog)
    ctx.keylog_filename(std::filesystem::path(keylog));
  return ctx;
}

SSLContext create_unverified_context() {
  SSLContext ctx(Protocol::tls_client);
  ctx.check_hostname(false);
  ctx.verify_mode(VerifyMode::cert_none);
  return ctx;
}

std::string openssl_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

namespace detail {

int owner_index() noexcept {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace detail
}  // namespace soket::tls
