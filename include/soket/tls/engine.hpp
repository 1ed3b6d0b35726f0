// SPDX-License-Identifier: MIT
// TLS on the event engine: an event::TransportFactory over an SSLContext, so a Server's or an
// event::connect()'s connections speak TLS while their Handler sees plaintext.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <soket/event/connection.hpp>
#include <soket/event/transport.hpp>
#include <soket/tls/context.hpp>

namespace soket::tls {

/// The TLS side of engine connections. Put it in ConnectionOptions::transport (it must outlive
/// the connections); one serves every loop of a Server:
///
///     tls::SSLContext ctx(tls::PROTOCOL_TLS_SERVER);
///     ctx.load_cert_chain("cert.pem", "key.pem");
///     tls::EngineContext tls(ctx, tls::EngineContext::server_side);
///     options.connection.transport = &tls;
///
/// Each connection's handshake runs on its loop without blocking it (non-blocking SSL on the
/// socket; ConnectionOptions::handshake_timeout bounds it). on_open comes once it is done; a
/// handshake that fails or times out is dropped without on_open/on_close (a connect()ed one
/// gets on_connect_error). Connection::close() and shutdown() send close_notify; a peer that
/// ends without one closes the connection with SSLErrorNumber::eof ("EOF occurred in
/// violation of protocol"), never as a silent, orderly end. Connection::sendfile() is not
/// available on TLS connections (std::errc::operation_not_supported).
class EngineContext final : public event::TransportFactory {
 public:
  enum Side : bool { client_side = false, server_side = true };

  /// `server_hostname`: the client's SNI and the name its certificate check expects (Python's
  /// server_hostname; required when the context checks host names).
  EngineContext(const SSLContext& context, Side side,
                std::optional<std::string> server_hostname = std::nullopt);

  /// Asks OpenSSL for kernel TLS (SSL_OP_ENABLE_KTLS) where the kernel offers it (the "tls"
  /// TCP ULP). Off by default. Where the kernel lacks it, connections use user-space TLS.
  void ktls(bool on) noexcept { ktls_ = on; }
  bool ktls() const noexcept { return ktls_; }
  /// Whether this kernel offers kernel TLS at all (tcp_available_ulp lists "tls").
  static bool kernel_has_tls() noexcept;
  /// Client side: offer the session of the last connection that ended (its TLS 1.3 ticket)
  /// to the next one, so its handshake resumes (ConnectionInfo::session_reused). Off by
  /// default, as each connect()ion without a session is a full handshake in Python too.
  void resume_sessions(bool on) noexcept { resume_ = on; }

  std::unique_ptr<event::Transport> make_transport(int fd) override;

  /// Shared with the transports (the last session lives there); public for them only.
  struct Sessions;

 private:
  SSLContext context_;
  std::shared_ptr<Sessions> sessions_;
  std::optional<std::string> server_hostname_;
  Side side_;
  bool ktls_ = false;
  bool resume_ = false;
};

/// What was negotiated on a TLS connection of the engine (read it in on_open or later).
/// Python's SSLSocket names.
struct ConnectionInfo {
  std::string version;              // "TLSv1.3"
  std::string cipher;               // "TLS_AES_256_GCM_SHA384"
  std::optional<std::string> alpn;  // selected_alpn_protocol()
  std::optional<std::string> sni;   // the server name the client asked for
  bool session_reused = false;
  bool ktls_send = false, ktls_recv = false;  // records handed to the kernel
};

/// The category of a failed certificate check on an engine connection: the value is
/// OpenSSL's X509_V_ERR_* code (Python's verify_code), the message "certificate verify
/// failed: " and OpenSSL's reason ("hostname mismatch", "self-signed certificate"). Other
/// handshake failures are SSLErrorNumber::ssl.
const std::error_category& verify_category() noexcept;

/// The TLS details of `conn`, or std::nullopt when it is not a TLS connection.
std::optional<ConnectionInfo> info(const event::Connection& conn);

}  // namespace soket::tls
