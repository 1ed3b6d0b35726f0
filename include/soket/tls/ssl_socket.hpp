// SPDX-License-Identifier: MIT
// SSLSocket: Python's ssl.SSLSocket — a Socket with TLS on it, Python's timeout model through
// the handshake and every read and write — and SSLSession for resumption.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include <soket/io/socket_file.hpp>
#include <soket/socket.hpp>
#include <soket/tls/certificate.hpp>
#include <soket/tls/context.hpp>

struct ssl_session_st;

namespace soket::tls {

/// Python: ssl.SSLSession: a TLS session a client can offer again (wrap_socket(...,
/// session=s)) to resume instead of a full handshake. Copies share it.
class SSLSession {
 public:
  SSLSession() = default;
  explicit operator bool() const noexcept { return session_ != nullptr; }
  /// Python: id (empty for a TLS 1.3 session before its ticket arrived).
  std::string id() const;
  /// Python: has_ticket, ticket_lifetime_hint, time, timeout.
  bool has_ticket() const noexcept;
  unsigned long ticket_lifetime_hint() const noexcept;
  long time() const noexcept;
  long timeout() const noexcept;
  /// OpenSSL's SSL_SESSION_is_resumable.
  bool is_resumable() const noexcept;
  ssl_session_st* native_handle() const noexcept { return session_.get(); }
  /// Takes over one reference to `session`.
  static SSLSession adopt(ssl_session_st* session) noexcept;

 private:
  std::shared_ptr<ssl_session_st> session_;
};

/// Python: ssl.SSLSocket, made by SSLContext::wrap_socket. Owns the Socket it wraps (moved in)
/// and shares the context. Move-only.
///
/// Timeouts follow the wrapped socket's (settimeout here or before wrapping): the handshake
/// has one deadline for the whole exchange; each recv/send/unwrap has its own. Expiry is
/// soket::TimeoutError ("handshake with 127.0.0.1:4433: timed out"). With settimeout(0) any
/// call may throw SSLWantReadError or SSLWantWriteError, in either direction: wait for that
/// readiness and repeat the same call (a send must be repeated with the same bytes).
///
/// Errors are the classes of ssl_error.hpp and soket::Error's, and name the operation and the
/// peer. close() sends no close_notify (as Python); unwrap() does.
///
/// Thread safety: one thread at a time (OpenSSL's SSL object is not shared across threads).
class SSLSocket final : public io::ByteStream {
 public:
  SSLSocket() noexcept;
  ~SSLSocket();
  SSLSocket(SSLSocket&&) noexcept;
  SSLSocket& operator=(SSLSocket&&) noexcept;

  /// Python: do_handshake().
  void do_handshake();

  /// Python: recv(bufsize) -> bytes; "" at close_notify, and at a ragged EOF when
  /// suppress_ragged_eofs (the default), else SSLEOFError. Non-zero flags: std::invalid_argument.
  std::string recv(std::size_t bufsize = 1024, int flags = 0);
  /// Python: recv_into(buffer, nbytes=0, flags=0) -> bytes read, 0 at EOF (as recv).
  std::size_t recv_into(std::span<std::byte> buffer, std::size_t nbytes = 0, int flags = 0);
  /// Python: read(len) (recv without flags).
  std::string read(std::size_t len = 1024) { return recv(len); }

  /// Python: send(data) -> data.size(): all or nothing (no partial writes).
  std::size_t send(std::span<const std::byte> data, int flags = 0);
  std::size_t send(std::string_view data, int flags = 0);
  /// Python: sendall(data).
  void sendall(std::span<const std::byte> data, int flags = 0);
  void sendall(std::string_view data, int flags = 0);
  /// Python: write(data) (send without flags).
  std::size_t write(std::string_view data) { return send(data); }

  /// Python: makefile(buffering): readline/read/write buffered over TLS (io::SocketFile). The
  /// SSLSocket must stay in place (not moved) while the file is used.
  io::SocketFile makefile(std::size_t buffer_size = io::SocketFile::default_buffer_size) {
    return io::SocketFile(*this, buffer_size);
  }
  /// io::ByteStream: recv_into and sendall, for makefile().
  std::size_t read_some(std::span<std::byte> buffer) override { return recv_into(buffer); }
  void write_all(std::span<const std::byte> data) override { sendall(data); }

  /// Python: pending(): decrypted bytes buffered inside OpenSSL (poll() cannot see them).
  std::size_t pending() const noexcept;

  /// TLS's half-close (no Python name): sends close_notify without waiting for the peer's.
  /// The peer reads the end of the stream; its data still arrives here until its own
  /// close_notify (recv then returns ""). Sending after this is an SSLError.
  void close_notify();
  /// Python: unwrap(): sends close_notify, waits for the peer's, returns the plain socket.
  Socket unwrap();
  /// Python: connect(address): TCP connect, then the handshake (if do_handshake_on_connect).
  void connect(const Address& address);
  /// Python: accept() on a listening server-side SSLSocket: the connection, wrapped (and
  /// handshaken if do_handshake_on_connect), and its address.
  std::pair<SSLSocket, Address> accept();

  /// Python: shutdown(how) on the underlying socket (no close_notify).
  void shutdown(Shut how);
  /// Python: close(): frees the TLS state without close_notify and closes the socket.
  void close() noexcept;

  /// Python: getpeercert(): the validated peer certificate's fields; std::nullopt when the
  /// peer sent none; an empty Certificate when it was not validated (CERT_NONE), as Python's
  /// {}. Before the handshake: std::invalid_argument "handshake not done yet".
  std::optional<Certificate> getpeercert() const;
  /// Python: getpeercert(binary_form=True): the DER bytes, or std::nullopt.
  std::optional<std::string> getpeercert_der() const;
  /// Python 3.13: get_unverified_chain(): the DER certificates the peer sent, leaf first.
  std::vector<std::string> get_unverified_chain() const;
  /// Python: cipher() -> (name, protocol, secret bits), or std::nullopt before the handshake.
  std::optional<std::tuple<std::string, std::string, int>> cipher() const;
  /// Python: version() -> "TLSv1.3", or std::nullopt before the handshake.
  std::optional<std::string> version() const;
  /// Python: selected_alpn_protocol().
  std::optional<std::string> selected_alpn_protocol() const;
  /// Python: server_hostname and server_side.
  const std::optional<std::string>& server_hostname() const noexcept { return server_hostname_; }
  bool server_side() const noexcept { return server_side_; }
  /// Python: context (the one the SNI callback chose, on a server).
  const SSLContext& context() const noexcept { return *context_; }
  /// Python: session / session_reused. The session is resumable once it has a ticket: with
  /// TLS 1.3 after the first recv.
  SSLSession session() const;
  bool session_reused() const noexcept;
  /// Python: get_channel_binding("tls-unique").
  std::optional<std::string> get_channel_binding() const;

  /// The socket underneath (its options, fileno, timeout) and Python's shortcuts to it.
  Socket& socket() noexcept { return sock_; }
  const Socket& socket() const noexcept { return sock_; }
  int fileno() const noexcept { return sock_.fileno(); }
  void settimeout(Timeout t) { sock_.settimeout(t); }
  void settimeout(double seconds) { sock_.settimeout(seconds); }
  Timeout gettimeout() const noexcept { return sock_.gettimeout(); }
  void setblocking(bool flag) { sock_.setblocking(flag); }
  Address getpeername() const { return sock_.getpeername(); }
  Address getsockname() const { return sock_.getsockname(); }

  /// The OpenSSL object, for code that needs what this class does not offer.
  ssl_st* native_handle() const noexcept { return ssl_.get(); }

 private:
  friend class SSLContext;
  struct SSLFree {
    void operator()(ssl_st* ssl) const noexcept;
  };
  SSLSocket(Socket sock, const SSLContext& ctx, bool server_side,
            std::optional<std::string> server_hostname, bool suppress_ragged_eofs,
            const SSLSession* session);
  // Runs one OpenSSL call under Python's timeout model; returns its result (> 0), or 0 for a
  // clean or suppressed EOF on reads. Throws the mapped error.
  template <class Op>
  int run(const char* what, bool total_deadline, Op&& op);
  // "<op> <peer>", e.g. "handshake with 127.0.0.1:4433" (op alone before connecting).
  std::string describe(std::string_view op, std::string_view prep) const;
  void check_connected(std::string_view op) const;
  void remember_peer() noexcept;

  Socket sock_;
  std::unique_ptr<SSLContext> context_;
  std::unique_ptr<ssl_st, SSLFree> ssl_;
  std::optional<std::string> server_hostname_;
  bool server_side_ = false;
  bool suppress_ragged_eofs_ = true;
  bool do_handshake_on_connect_ = true;
  bool connected_ = false;
  std::string peer_;  // "127.0.0.1:4433", kept for messages after the peer is gone
};

/// Python: ssl.get_server_certificate(addr, ca_certs=None, timeout=...): the PEM certificate
/// the server at `address` presents. Without ca_certs nothing is verified (as Python); with
/// them the chain must verify against those CAs (the host name is not checked, as Python's).
std::string get_server_certificate(
    const Address& address, const std::optional<std::filesystem::path>& ca_certs = std::nullopt,
    Timeout timeout = std::chrono::seconds(10));

}  // namespace soket::tls
