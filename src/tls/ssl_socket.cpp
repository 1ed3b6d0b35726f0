// SPDX-License-Identifier: MIT
#include <soket/tls/ssl_socket.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <cerrno>
#include <stdexcept>

#include <soket/create.hpp>

#include "socket_call.hpp"
#include "tls/openssl.hpp"

namespace soket::tls {
namespace {

void check_flags(int flags, std::string_view call) {
  if (flags != 0)
    throw std::invalid_argument("non-zero flags not allowed in calls to " + std::string(call) +
                                "() on SSLSocket");
}

}  // namespace

// -- SSLSession ----------------------------------------------------------------------------

SSLSession SSLSession::adopt(ssl_session_st* session) noexcept {
  SSLSession s;
  if (session) s.session_.reset(session, SSL_SESSION_free);
  return s;
}

std::string SSLSession::id() const {
  if (!session_) return {};
  unsigned int len = 0;
  const unsigned char* id = SSL_SESSION_get_id(session_.get(), &len);
  return std::string(reinterpret_cast<const char*>(id), len);
}

bool SSLSession::has_ticket() const noexcept {
  return session_ && SSL_SESSION_has_ticket(session_.get()) == 1;
}

unsigned long SSLSession::ticket_lifetime_hint() const noexcept {
  return session_ ? SSL_SESSION_get_ticket_lifetime_hint(session_.get()) : 0;
}

long SSLSession::time() const noexcept {
  return session_ ? SSL_SESSION_get_time(session_.get()) : 0;
}

long SSLSession::timeout() const noexcept {
  return session_ ? SSL_SESSION_get_timeout(session_.get()) : 0;
}

bool SSLSession::is_resumable() const noexcept {
  return session_ && SSL_SESSION_is_resumable(session_.get()) == 1;
}

// -- SSLSocket -----------------------------------------------------------------------------

void SSLSocket::SSLFree::operator()(ssl_st* ssl) const noexcept {
  SSL_free(ssl);
}

SSLSocket::SSLSocket() noexcept = default;
SSLSocket::~SSLSocket() = default;
SSLSocket::SSLSocket(SSLSocket&&) noexcept = default;
SSLSocket& SSLSocket::operator=(SSLSocket&&) noexcept = default;

SSLSocket SSLContext::wrap_socket(Socket sock, bool server_side,
                                  std::optional<std::string> server_hostname,
                                  bool do_handshake_on_connect, bool suppress_ragged_eofs,
                                  const SSLSession* session) const {
  if (sock.type() != Type::stream) throw std::invalid_argument("only stream sockets are supported");
  SSLSocket s(std::move(sock), *this, server_side, std::move(server_hostname), suppress_ragged_eofs,
              session);
  s.do_handshake_on_connect_ = do_handshake_on_connect;
  if (s.connected_ && do_handshake_on_connect) s.do_handshake();
  return s;
}

SSLSocket::SSLSocket(Socket sock, const SSLContext& ctx, bool server_side,
                     std::optional<std::string> server_hostname, bool suppress_ragged_eofs,
                     const SSLSession* session)
    : sock_(std::move(sock)),
      context_(std::make_unique<SSLContext>(ctx)),
      server_hostname_(std::move(server_hostname)),
      server_side_(server_side),
      suppress_ragged_eofs_(suppress_ragged_eofs) {
  if (session && *session && server_side)
    throw std::invalid_argument("Cannot set session for server-side SSLSocket.");
  ssl_.reset(ctx.new_ssl(server_side, server_hostname_, context_.get()));
  BIO* bio = detail::new_socket_bio(sock_.fileno());
  if (!bio) detail::throw_last_error("wrap_socket");
  SSL_set_bio(ssl_.get(), bio, bio);
  if (session && *session && SSL_set_session(ssl_.get(), session->native_handle()) != 1)
    detail::throw_last_error("wrap_socket session");
  remember_peer();
}

void SSLSocket::remember_peer() noexcept {
  std::error_code ec;
  Address peer = sock_.getpeername(ec);
  connected_ = !ec;
  if (connected_) {
    try {
      peer_ = peer.to_string();
    } catch (...) {
      peer_.clear();
    }
  }
}

std::string SSLSocket::describe(std::string_view op, std::string_view prep) const {
  std::string s(op);
  if (!peer_.empty()) s.append(" ").append(prep).append(" ").append(peer_);
  return s;
}

void SSLSocket::check_connected(std::string_view op) const {
  if (!ssl_) throw_error(std::make_error_code(std::errc::bad_file_descriptor), op);
  if (!connected_) throw_error(std::make_error_code(std::errc::not_connected), op);
}

// Python's timeout model around one OpenSSL call: WANT_READ/WANT_WRITE wait for the socket
// (in whichever direction OpenSSL asks) until this call's deadline, so a handshake gets one
// deadline for the whole exchange. Returns op's result (> 0), or 0 for an EOF a read reports
// as "" (close_notify, or a ragged EOF when suppress_ragged_eofs).
template <class Op>
int SSLSocket::run(const char* what, bool reading, Op&& op) {
  const Timeout timeout = sock_.gettimeout();
  const bool nonblocking = timeout && timeout->count() == 0;
  const soket::detail::Deadline deadline = soket::detail::deadline_for(timeout);
  SSL* ssl = ssl_.get();
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int ret = op(ssl);
    if (ret > 0) return ret;
    const int saved_errno = errno;
    const int err = SSL_get_error(ssl, ret);
    if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && !nonblocking) {
      std::error_code ec;
      auto want = err == SSL_ERROR_WANT_READ ? sys::Want::read : sys::Want::write;
      if (soket::detail::wait_until(sock_.fileno(), want, deadline, ec)) continue;
      ERR_clear_error();
      throw_error(ec, describe(what, reading ? "from" : "with"));
    }
    if (reading && err == SSL_ERROR_ZERO_RETURN) return 0;
    std::exception_ptr e =
        detail::io_error(ssl, ret, err, saved_errno, describe(what, reading ? "from" : "with"));
    if (reading && suppress_ragged_eofs_) {
      try {
        std::rethrow_exception(e);
      } catch (const SSLEOFError&) {
        return 0;
      } catch (...) {
      }
    }
    std::rethrow_exception(e);
  }
}

void SSLSocket::do_handshake() {
  check_connected("do_handshake");
  run("handshake", false, [](SSL* ssl) { return SSL_do_handshake(ssl); });
}

std::size_t SSLSocket::recv_into(std::span<std::byte> buffer, std::size_t nbytes, int flags) {
  check_flags(flags, "recv_into");
  if (nbytes > buffer.size())
    throw std::invalid_argument("nbytes is greater than the length of the buffer");
  if (nbytes == 0) nbytes = buffer.size();
  check_connected("recv");
  if (nbytes == 0) return 0;
  std::size_t got = 0;
  int r =
      run("recv", true, [&](SSL* ssl) { return SSL_read_ex(ssl, buffer.data(), nbytes, &got); });
  return r > 0 ? got : 0;
}

std::string SSLSocket::recv(std::size_t bufsize, int flags) {
  check_flags(flags, "recv");
  std::string out(bufsize, '\0');
  out.resize(recv_into(std::as_writable_bytes(std::span<char>(out))));
  return out;
}

std::size_t SSLSocket::send(std::span<const std::byte> data, int flags) {
  check_flags(flags, "send");
  check_connected("send");
  if (data.empty()) return 0;
  std::size_t written = 0;
  // No SSL_MODE_ENABLE_PARTIAL_WRITE: all or nothing, as Python's send.
  run("send", false,
      [&](SSL* ssl) { return SSL_write_ex(ssl, data.data(), data.size(), &written); });
  return written;
}

std::size_t SSLSocket::send(std::string_view data, int flags) {
  return send(std::as_bytes(std::span<const char>(data.data(), data.size())), flags);
}

void SSLSocket::sendall(std::span<const std::byte> data, int flags) {
  check_flags(flags, "sendall");
  while (!data.empty()) data = data.subspan(send(data));
}

void SSLSocket::sendall(std::string_view data, int flags) {
  sendall(std::as_bytes(std::span<const char>(data.data(), data.size())), flags);
}

std::size_t SSLSocket::pending() const noexcept {
  return ssl_ ? static_cast<std::size_t>(SSL_pending(ssl_.get())) : 0;
}

void SSLSocket::connect(const Address& address) {
  if (connected_) throw std::invalid_argument("attempt to connect already-connected SSLSocket!");
  if (server_side_) throw std::invalid_argument("can't connect in server-side mode");
  sock_.connect(address);
  remember_peer();
  if (do_handshake_on_connect_) do_handshake();
}

std::pair<SSLSocket, Address> SSLSocket::accept() {
  auto [conn, addr] = sock_.accept();
  SSLSocket s = context_->wrap_socket(std::move(conn), true, std::nullopt, do_handshake_on_connect_,
                                      suppress_ragged_eofs_);
  return {std::move(s), std::move(addr)};
}

void SSLSocket::close_notify() {
  check_connected("close_notify");
  // 0 means "sent, the peer's has not arrived": all this call asks for.
  run("close_notify", false, [](SSL* ssl) {
    int r = SSL_shutdown(ssl);
    return r == 0 ? 1 : r;
  });
}

Socket SSLSocket::unwrap() {
  check_connected("unwrap");
  // The first call sends close_notify (returns 0 until the peer's arrives); the second waits
  // for the peer's. Python tries twice and no more.
  int zeros = 0;
  run("unwrap", false, [&](SSL* ssl) {
    int r = SSL_shutdown(ssl);
    if (r == 0 && ++zeros < 2) r = SSL_shutdown(ssl);
    return r == 0 ? 1 : r;
  });
  ssl_.reset();
  connected_ = false;
  return std::move(sock_);
}

void SSLSocket::shutdown(Shut how) {
  sock_.shutdown(how);
}

void SSLSocket::close() noexcept {
  ssl_.reset();  // no close_notify, as Python's close()
  std::error_code ec;
  sock_.close(ec);
  connected_ = false;
}

std::optional<std::string> SSLSocket::getpeercert_der() const {
  if (!ssl_ || !SSL_is_init_finished(ssl_.get()))
    throw std::invalid_argument("handshake not done yet");
  X509* cert = SSL_get1_peer_certificate(ssl_.get());
  if (!cert) return std::nullopt;
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  X509_free(cert);
  if (len < 0) detail::throw_last_error("getpeercert");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::optional<Certificate> SSLSocket::getpeercert() const {
  auto der = getpeercert_der();
  if (!der) return std::nullopt;
  // Python returns {} for a certificate it did not validate.
  if ((SSL_get_verify_mode(ssl_.get()) & SSL_VERIFY_PEER) == 0) return Certificate{};
  return decode_certificate(*der);
}

std::vector<std::string> SSLSocket::get_unverified_chain() const {
  std::vector<std::string> out;
  if (!ssl_) return out;
  auto add = [&](X509* cert) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    if (len < 0) return;
    out.emplace_back(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  };
  // A server's chain lacks the client's leaf; Python 3.13 puts it first.
  if (server_side_) {
    if (X509* leaf = SSL_get1_peer_certificate(ssl_.get())) {
      add(leaf);
      X509_free(leaf);
    }
  }
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_.get());
  for (int i = 0; chain && i < sk_X509_num(chain); ++i) add(sk_X509_value(chain, i));
  return out;
}

std::optional<std::tuple<std::string, std::string, int>> SSLSocket::cipher() const {
  if (!ssl_) return std::nullopt;
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_.get());
  if (!c) return std::nullopt;
  return std::tuple<std::string, std::string, int>(
      SSL_CIPHER_get_name(c), SSL_CIPHER_get_version(c), SSL_CIPHER_get_bits(c, nullptr));
}

std::optional<std::string> SSLSocket::version() const {
  if (!ssl_ || !SSL_is_init_finished(ssl_.get())) return std::nullopt;
  return std::string(SSL_get_version(ssl_.get()));
}

std::optional<std::string> SSLSocket::selected_alpn_protocol() const {
  if (!ssl_) return std::nullopt;
  const unsigned char* p = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_.get(), &p, &len);
  if (!p || len == 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(p), len);
}

SSLSession SSLSocket::session() const {
  SSL_SESSION* live = ssl_ ? SSL_get_session(ssl_.get()) : nullptr;
  if (!live) return {};
  // A copy, as Python's _ssl_session_dup: freeing a connection without close_notify marks its
  // live session not resumable (ssl_clear_bad_session), which would spoil the one handed out.
  int len = i2d_SSL_SESSION(live, nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_SSL_SESSION(live, &out);
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  return SSLSession::adopt(d2i_SSL_SESSION(nullptr, &in, len));
}

bool SSLSocket::session_reused() const noexcept {
  return ssl_ && SSL_session_reused(ssl_.get()) == 1;
}

std::optional<std::string> SSLSocket::get_channel_binding() const {
  if (!ssl_ || !SSL_is_init_finished(ssl_.get())) return std::nullopt;
  char buf[128];
  // tls-unique is the first Finished message of the handshake (RFC 5929): the client's for a
  // full handshake, the server's for a resumed one.
  std::size_t len = (SSL_session_reused(ssl_.get()) != 0) != server_side_
                        ? SSL_get_peer_finished(ssl_.get(), buf, sizeof buf)
                        : SSL_get_finished(ssl_.get(), buf, sizeof buf);
  if (len == 0) return std::nullopt;
  return std::string(buf, len);
}

std::string get_server_certificate(const Address& address,
                                   const std::optional<std::filesystem::path>& ca_certs,
                                   Timeout timeout) {
  SSLContext ctx = create_unverified_context();
  if (ca_certs) {
    ctx.verify_mode(VerifyMode::cert_required);
    ctx.load_verify_locations(*ca_certs);
  }
  // SNI for a name, as Python sends it (server_hostname=host).
  std::optional<std::string> name;
  if (address.is_inet() && !address.host().empty()) name = address.host();
  SSLSocket s = ctx.wrap_socket(create_connection(address, timeout), false, name);
  auto der = s.getpeercert_der();
  if (!der) throw std::runtime_error("get_server_certificate: the server sent no certificate");
  return DER_cert_to_PEM_cert(*der);
}

}  // namespace soket::tls
