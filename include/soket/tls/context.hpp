// SPDX-License-Identifier: MIT
// SSLContext: Python's ssl.SSLContext over an OpenSSL 3 SSL_CTX, with Python's defaults per
// protocol (upstream 3.11: TLS 1.2 minimum, verification and hostname checks on for clients).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <soket/socket.hpp>
#include <soket/tls/ssl_error.hpp>

// OpenSSL's own struct names (SSL_CTX, SSL), declared so this header needs no OpenSSL header.
struct ssl_ctx_st;
struct ssl_st;

namespace soket::tls {

class SSLSocket;
class SSLSession;

/// Python: ssl.PROTOCOL_TLS_CLIENT (16) / PROTOCOL_TLS_SERVER (17).
enum class Protocol : int { tls_client = 16, tls_server = 17 };
inline constexpr Protocol PROTOCOL_TLS_CLIENT = Protocol::tls_client;
inline constexpr Protocol PROTOCOL_TLS_SERVER = Protocol::tls_server;

/// Python: ssl.TLSVersion (values are the wire versions; the two bounds are Python's).
enum class TLSVersion : int {
  minimum_supported = -2,
  maximum_supported = -1,
  sslv3 = 0x0300,
  tlsv1 = 0x0301,
  tlsv1_1 = 0x0302,
  tlsv1_2 = 0x0303,
  tlsv1_3 = 0x0304,
};
/// "TLSv1.2", "TLSv1.3", "MINIMUM_SUPPORTED" ...
std::string_view to_string(TLSVersion v) noexcept;

/// Python: ssl.VerifyMode.
enum class VerifyMode : int { cert_none = 0, cert_optional = 1, cert_required = 2 };
inline constexpr VerifyMode CERT_NONE = VerifyMode::cert_none;
inline constexpr VerifyMode CERT_OPTIONAL = VerifyMode::cert_optional;
inline constexpr VerifyMode CERT_REQUIRED = VerifyMode::cert_required;

/// Python: ssl.Purpose: SERVER_AUTH makes a client context, CLIENT_AUTH a server context.
enum class Purpose { server_auth, client_auth };

/// Python: ssl.AlertDescription (the ones an SNI callback returns).
enum class AlertDescription : int {
  handshake_failure = 40,
  bad_certificate = 42,
  access_denied = 49,
  internal_error = 80,
  unrecognized_name = 112,
  no_application_protocol = 120,
};

/// Python: the ssl.OP_* option bits (OpenSSL's SSL_OP_* values).
namespace op {
inline constexpr std::uint64_t all = 0x80000050;
inline constexpr std::uint64_t no_sslv3 = 0x2000000;
inline constexpr std::uint64_t no_tlsv1 = 0x4000000;
inline constexpr std::uint64_t no_tlsv1_1 = 0x10000000;
inline constexpr std::uint64_t no_tlsv1_2 = 0x8000000;
inline constexpr std::uint64_t no_tlsv1_3 = 0x20000000;
inline constexpr std::uint64_t cipher_server_preference = 0x400000;
inline constexpr std::uint64_t no_compression = 0x20000;
inline constexpr std::uint64_t no_ticket = 0x4000;
inline constexpr std::uint64_t no_renegotiation = 0x40000000;
inline constexpr std::uint64_t enable_middlebox_compat = 0x100000;
inline constexpr std::uint64_t ignore_unexpected_eof = 0x80;
inline constexpr std::uint64_t enable_ktls = 0x8;
}  // namespace op

class SSLContext;

/// What an SNI callback sees (Python: sni_callback(ssl_obj, server_name, ctx)): the name the
/// client asked for, the context in use, and set_context() to switch to another one (Python:
/// ssl_obj.context = other), e.g. to serve another certificate.
class SNIHello {
 public:
  SNIHello(ssl_st* ssl, const SSLContext& current) noexcept : ssl_(ssl), current_(&current) {}
  /// The server_name extension, or std::nullopt when the client sent none (Python's None).
  std::optional<std::string_view> server_name() const noexcept;
  const SSLContext& context() const noexcept { return *current_; }
  /// Continue the handshake with `ctx` (its certificate, ALPN and verify settings).
  void set_context(const SSLContext& ctx);

 private:
  ssl_st* ssl_;
  const SSLContext* current_;
};
/// Returns std::nullopt to go on, or an alert to abort the handshake with (Python returns an
/// ALERT_DESCRIPTION_* int). A callback that throws aborts with handshake_failure.
using SNICallback = std::function<std::optional<AlertDescription>(SNIHello&)>;

/// Python: ssl.SSLContext. Copies share one OpenSSL context (as Python references do); sockets
/// made by wrap_socket keep it alive. Settings are not thread-safe to change while another
/// thread wraps sockets with the same context (configure first, then share).
///
/// Errors: misuse is std::invalid_argument with Python's ValueError text ("Cannot set
/// verify_mode to CERT_NONE when check_hostname is enabled."); OpenSSL failures are SSLError
/// (or std::system_error from the file system, as Python's FileNotFoundError).
class SSLContext {
 public:
  /// Python: SSLContext(protocol), with Python's defaults: client — CERT_REQUIRED and
  /// check_hostname; server — CERT_NONE. Both: minimum TLS 1.2, OP_ALL | OP_NO_SSLv3 |
  /// OP_CIPHER_SERVER_PREFERENCE | OP_ENABLE_MIDDLEBOX_COMPAT | OP_NO_COMPRESSION, Python's
  /// cipher string, VERIFY_X509_TRUSTED_FIRST, no trust anchors loaded.
  explicit SSLContext(Protocol protocol);

  Protocol protocol() const noexcept;
  bool is_server() const noexcept { return protocol() == Protocol::tls_server; }

  /// Python: verify_mode. CERT_NONE while check_hostname is on: std::invalid_argument.
  VerifyMode verify_mode() const noexcept;
  void verify_mode(VerifyMode mode);
  /// Python: check_hostname. Turning it on also sets verify_mode to CERT_REQUIRED.
  bool check_hostname() const noexcept;
  void check_hostname(bool on);
  /// Python: hostname_checks_common_name (default true: the CN counts when there is no SAN).
  bool hostname_checks_common_name() const noexcept;
  void hostname_checks_common_name(bool on);

  /// Python: minimum_version / maximum_version.
  TLSVersion minimum_version() const noexcept;
  void minimum_version(TLSVersion v);
  TLSVersion maximum_version() const noexcept;
  void maximum_version(TLSVersion v);

  /// Python: options (the OP_* bits); setting clears bits too, as Python's does.
  std::uint64_t options() const noexcept;
  void options(std::uint64_t bits);
  /// Python: verify_flags (X509_V_FLAG_* bits; default VERIFY_X509_TRUSTED_FIRST 0x8000).
  unsigned long verify_flags() const noexcept;
  void verify_flags(unsigned long flags);
  /// Python: security_level (read-only; 2 on Debian).
  int security_level() const noexcept;
  /// Python: num_tickets (TLS 1.3 tickets a server sends; default 2).
  std::size_t num_tickets() const noexcept;
  void num_tickets(std::size_t n);

  /// Python: load_cert_chain(certfile, keyfile=None, password=None). `password` is asked for
  /// only when the key is encrypted; a wrong one is SSLError. A missing file is
  /// std::system_error (ENOENT) naming it.
  using PasswordCallback = std::function<std::string()>;
  void load_cert_chain(const std::filesystem::path& certfile,
                       const std::optional<std::filesystem::path>& keyfile = std::nullopt,
                       PasswordCallback password = {});
  /// The same with the password itself (Python: password="...").
  void load_cert_chain(const std::filesystem::path& certfile,
                       const std::optional<std::filesystem::path>& keyfile, std::string password);
  /// Python: load_verify_locations(cafile=None, capath=None, cadata=None). cadata is PEM text
  /// or DER bytes. At least one is required (std::invalid_argument, as Python's TypeError).
  void load_verify_locations(const std::optional<std::filesystem::path>& cafile,
                             const std::optional<std::filesystem::path>& capath = std::nullopt,
                             const std::optional<std::string>& cadata = std::nullopt);
  /// Python: set_default_verify_paths(): OpenSSL's store (SSL_CERT_FILE / SSL_CERT_DIR).
  void set_default_verify_paths();
  /// Python: load_default_certs(purpose) (on Linux the same as set_default_verify_paths).
  void load_default_certs(Purpose purpose = Purpose::server_auth);
  /// Python: cert_store_stats() -> {'x509', 'crl', 'x509_ca'}.
  struct StoreStats {
    std::size_t x509 = 0, crl = 0, x509_ca = 0;
  };
  StoreStats cert_store_stats() const;

  /// Python: set_ciphers(str) for TLS <= 1.2 ("No cipher can be selected." as SSLError).
  void set_ciphers(const std::string& ciphers);
  /// Python: get_ciphers(): the enabled suites' names (TLS 1.3 ones first).
  std::vector<std::string> get_ciphers() const;
  /// Python: set_alpn_protocols(list). Each name 1-255 bytes (std::invalid_argument).
  /// A server picks the first of its own list the client offered; no overlap means no ALPN.
  void set_alpn_protocols(const std::vector<std::string>& protocols);
  /// Python: set_ecdh_curve(name) (a single group, e.g. "prime256v1", "X25519").
  void set_ecdh_curve(const std::string& name);
  /// Python: sni_callback (server contexts; an empty function removes it).
  void sni_callback(SNICallback cb);
  /// Python: keylog_filename: appends NSS key-log lines (for Wireshark) to `path`.
  void keylog_filename(const std::optional<std::filesystem::path>& path);

  /// Python: session_stats(): counters of this context's session cache.
  struct SessionStats {
    long number, connect, connect_good, accept, accept_good, hits, misses, timeouts, cache_full;
  };
  SessionStats session_stats() const noexcept;

  /// Python: wrap_socket(sock, server_side=False, do_handshake_on_connect=True,
  /// suppress_ragged_eofs=True, server_hostname=None, session=None). Takes the socket over.
  /// Client contexts with check_hostname need server_hostname ("check_hostname requires
  /// server_hostname"); server_hostname on the server side is "server_hostname can only be
  /// specified in client mode" (both std::invalid_argument).
  SSLSocket wrap_socket(Socket sock, bool server_side = false,
                        std::optional<std::string> server_hostname = std::nullopt,
                        bool do_handshake_on_connect = true, bool suppress_ragged_eofs = true,
                        const SSLSession* session = nullptr) const;

  /// The OpenSSL context, for code that drives SSL objects itself (the event engine).
  ssl_ctx_st* native_handle() const noexcept;
  /// A new SSL object on this context, set up as wrap_socket sets its own (SNI, hostname
  /// check, context slot for the SNI callback), for code that drives it itself. The caller
  /// frees it with SSL_free. `owner` must outlive the SSL object: the SNI callback stores the
  /// context it switches to there.
  ssl_st* new_ssl(bool server_side, const std::optional<std::string>& server_hostname,
                  SSLContext* owner) const;

  /// Shared state; public only so the implementation's callbacks can reach it.
  struct Impl;
  static SSLContext from_impl(std::shared_ptr<Impl> impl) noexcept;

 private:
  explicit SSLContext(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

/// Python: ssl.create_default_context(purpose=SERVER_AUTH, cafile=None, capath=None,
/// cadata=None): a client (or, for CLIENT_AUTH, a server) context that trusts the given CAs,
/// or the system's when none are given.
SSLContext create_default_context(Purpose purpose = Purpose::server_auth,
                                  const std::optional<std::filesystem::path>& cafile = std::nullopt,
                                  const std::optional<std::filesystem::path>& capath = std::nullopt,
                                  const std::optional<std::string>& cadata = std::nullopt);

/// Python: ssl._create_unverified_context(): a client context with CERT_NONE and no hostname
/// check (what `--insecure` means).
SSLContext create_unverified_context();

/// Python: ssl.OPENSSL_VERSION ("OpenSSL 3.0.19 27 Jan 2026").
std::string openssl_version();

}  // namespace soket::tls
