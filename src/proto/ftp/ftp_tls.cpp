// SPDX-License-Identifier: MIT
// FTP_TLS (RFC 4217): AUTH TLS on the control connection, PROT P data connections that resume
// the control connection's TLS session.
#include "control.hpp"

#include <soket/tls/ssl_socket.hpp>

#include <stdexcept>

namespace soket::proto::ftp {

void FTP::start_tls(const tls::SSLContext& context) {
  // The reply to AUTH TLS must be the last clear-text byte: anything already buffered was
  // sent before the handshake, by the server or by someone injecting into the connection,
  // and would be read as if protected. The channel refuses it (and closes).
  if (!impl_->channel) throw Error(impl_->command, "not connected");
  try {
    impl_->channel->starttls(context, impl_->host);
  } catch (const TLSInjectionError&) {
    impl_->channel.reset();
    throw error_proto(impl_->command, "clear-text data after the reply to AUTH TLS refused");
  }
}

void FTP::stop_tls() {
  if (!control_secure()) return;
  if (impl_->channel->buffered() != 0)
    throw error_proto(impl_->command, "data after the reply to CCC refused");
  ChannelOptions options = impl_->channel->options();
  Socket plain = impl_->channel->tls_socket().unwrap();
  impl_->channel.emplace(std::move(plain), std::move(options));
}

bool FTP::control_secure() const noexcept {
  return impl_->channel && impl_->channel->is_tls();
}

const tls::SSLSocket* FTP::control_tls() const noexcept {
  return control_secure() ? &impl_->channel->tls_socket() : nullptr;
}

FTP_TLS::FTP_TLS(tls::SSLContext context, Timeout timeout)
    : FTP(timeout), context_(std::move(context)) {}

std::string FTP_TLS::auth() {
  if (control_secure()) throw std::invalid_argument("Already using TLS");
  std::string resp = voidcmd("AUTH TLS");
  start_tls(context_);
  return resp;
}

std::string FTP_TLS::login(std::string_view user, std::string_view passwd, std::string_view acct,
                           bool secure) {
  if (secure && !control_secure()) auth();
  return FTP::login(user, passwd, acct);
}

std::string FTP_TLS::prot_p() {
  // PBSZ 0 is required by RFC 4217 before PROT and means nothing for TLS.
  voidcmd("PBSZ 0");
  std::string resp = voidcmd("PROT P");
  prot_p_ = true;
  return resp;
}

std::string FTP_TLS::prot_c() {
  std::string resp = voidcmd("PROT C");
  prot_p_ = false;
  return resp;
}

std::string FTP_TLS::ccc() {
  if (!control_secure()) throw std::invalid_argument("not using TLS");
  std::string resp = voidcmd("CCC");
  stop_tls();
  return resp;
}

DataConnection FTP_TLS::wrap_data(Socket conn) {
  if (!prot_p_) return DataConnection(std::move(conn));
  // Resume the control connection's session: vsftpd (require_ssl_reuse) and others refuse a
  // data connection that does not, so a stranger cannot connect to the data port first.
  const tls::SSLSocket* control = control_tls();
  tls::SSLSession session = control ? control->session() : tls::SSLSession();
  const tls::SSLSession* offer = session ? &session : nullptr;
  return DataConnection(context_.wrap_socket(std::move(conn), false, host(), true, true, offer));
}

}  // namespace soket::proto::ftp
