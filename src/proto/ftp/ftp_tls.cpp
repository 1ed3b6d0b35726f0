// SPDX-License-Identifier: MIT
// FTP_TLS (RFC 4217): AUTH TLS on the control connection, PROT P data connections that resume
// the control connection's TLS session.
#include "control.hpp"

#include <stdexcept>

namespace soket::proto::ftp {

void FTP::start_tls(const tls::SSLContext& context) {
  // The reply to AUTH TLS must be the last clear-text byte: anything already buffered was
  // sent before the handshake, by the server or by someone injecting into the connection
  // (the STARTTLS injection flaw, CVE-2011-0411's kind), and would be read as if protected.
  if (impl_->file && impl_->file->buffered() != 0)
    throw error_proto(impl_->command, "clear-text data after the reply to AUTH TLS refused");
  impl_->file.reset();
  impl_->ssl = std::make_unique<tls::SSLSocket>(
      context.wrap_socket(std::move(impl_->sock), false, impl_->host));
  impl_->file = std::make_unique<io::SocketFile>(*impl_->ssl);
}

void FTP::stop_tls() {
  if (!impl_->ssl) return;
  if (impl_->file && impl_->file->buffered() != 0)
    throw error_proto(impl_->command, "data after the reply to CCC refused");
  impl_->file.reset();
  impl_->sock = impl_->ssl->unwrap();
  impl_->ssl.reset();
  impl_->file = std::make_unique<io::SocketFile>(impl_->sock);
}

bool FTP::control_secure() const noexcept {
  return impl_->ssl != nullptr;
}

const tls::SSLSocket* FTP::control_tls() const noexcept {
  return impl_->ssl.get();
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
