// SPDX-License-Identifier: MIT
// FTP: ftplib.FTP's control connection, replies and commands. Transfers are in transfer.cpp,
// FTP_TLS in ftp_tls.cpp; the parts they share are in control.hpp.
#include "control.hpp"

#include <soket/constants.hpp>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <stdexcept>

namespace soket::proto::ftp {

FTP::FTP(Timeout timeout) : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
}
FTP::~FTP() = default;
FTP::FTP(FTP&&) noexcept = default;
FTP& FTP::operator=(FTP&&) noexcept = default;

const std::string& FTP::getwelcome() const noexcept {
  return impl_->welcome;
}
const std::string& FTP::lastresp() const noexcept {
  return impl_->lastresp;
}
const std::string& FTP::host() const noexcept {
  return impl_->host;
}
std::uint16_t FTP::port() const noexcept {
  return impl_->port;
}
Timeout FTP::timeout() const noexcept {
  return impl_->timeout;
}
Socket& FTP::sock() {
  return impl_->control_socket();
}

std::string FTP::connect(std::string_view host, std::uint16_t port, Timeout timeout,
                         const std::optional<Address>& source_address) {
  if (timeout != global_default_timeout) impl_->timeout = timeout;
  if (impl_->timeout && impl_->timeout->count() == 0)
    throw std::invalid_argument("Non-blocking socket (timeout=0) is not supported");
  close();
  impl_->host = std::string(host);
  impl_->port = port;
  impl_->source = source_address;
  impl_->command = "connect";
  ChannelOptions options;
  options.name = "ftp";
  options.max_line = std::max<std::size_t>(maxline_, 2);
  impl_->channel.emplace(
      LineChannel::connect(Address(host, port), impl_->timeout, options, source_address));
  impl_->welcome = getresp();
  return impl_->welcome;
}

std::string FTP::login(std::string_view user, std::string_view passwd, std::string_view acct) {
  std::string u = user.empty() ? "anonymous" : std::string(user);
  std::string p(passwd);
  // Python: "If there is no anonymous ftp password specified then we'll just use
  // anonymous@"; "-" asks the server for terse replies.
  if (u == "anonymous" && (p.empty() || p == "-")) p += "anonymous@";
  std::string resp = sendcmd("USER " + u);
  if (resp[0] == '3') resp = sendcmd("PASS " + p);
  if (resp[0] == '3') resp = sendcmd("ACCT " + std::string(acct));
  if (resp[0] != '2') throw error_reply(impl_->command, resp);
  return resp;
}

std::string FTP::sanitize(std::string_view s) const {
  if (s.substr(0, 5) == "PASS " || s.substr(0, 5) == "pass ")
    return std::string(s.substr(0, 5)) + std::string(s.size() - 5, '*');
  return std::string(s);
}

void FTP::putline(std::string_view line) {
  if (line.find_first_of("\r\n") != std::string_view::npos)
    throw std::invalid_argument("an illegal newline character should not be contained");
  if (!impl_->channel) throw Error(line.substr(0, 4), "not connected");
  if (debugging_ > 1) std::cerr << "*put* " << sanitize(line) << "\n";
  if (sanitize(line) != line)
    impl_->channel->write_secret_line(line, "PASS");
  else
    impl_->channel->write_line(line);
}

void FTP::putcmd(std::string_view cmd) {
  if (debugging_ > 0) std::cerr << "*cmd* " << sanitize(cmd) << "\n";
  impl_->command = sanitize(cmd);
  putline(cmd);
}

std::string FTP::getline() {
  if (!impl_->channel) throw Error(impl_->command, "not connected");
  auto too_long = [&] {
    return error_line_too_long(impl_->command,
                               "got more than " + std::to_string(maxline_) + " bytes");
  };
  std::string line;
  try {
    line = impl_->channel->getline();
  } catch (const LineTooLongError&) {
    throw too_long();
  } catch (const EOFError&) {
    throw error_eof(impl_->command, "connection closed before the reply ended");
  }
  if (line.size() + 2 > maxline_) throw too_long();  // maxline lowered after connect()
  return line;
}

std::string FTP::getmultiline() {
  std::string resp = getline();
  std::string first = resp;
  while (first.size() >= 4 && first[3] == '-') {
    std::string next = getline();
    resp += '\n';
    resp += next;
    if (resp.size() > max_reply_)
      throw error_proto(impl_->command,
                        "reply longer than " + std::to_string(max_reply_) + " bytes");
    if (ends_reply(first, next)) break;
  }
  return resp;
}

void FTP::fail_reply(const std::string& resp) const {
  switch (resp.empty() ? '\0' : resp[0]) {
    case '4': throw error_temp(impl_->command, resp);
    case '5': throw error_perm(impl_->command, resp);
    default: throw error_proto(impl_->command, resp);
  }
}

std::string FTP::getresp() {
  std::string resp = getmultiline();
  if (debugging_ > 0) std::cerr << "*resp* " << sanitize(resp) << "\n";
  impl_->lastresp = resp.substr(0, 3);
  if (resp[0] >= '1' && resp[0] <= '3') return resp;
  fail_reply(resp);
}

std::string FTP::voidresp() {
  std::string resp = getresp();
  if (resp[0] != '2') throw error_reply(impl_->command, resp);
  return resp;
}

std::string FTP::sendcmd(std::string_view cmd) {
  putcmd(cmd);
  return getresp();
}

std::string FTP::voidcmd(std::string_view cmd) {
  putcmd(cmd);
  return voidresp();
}

std::string FTP::rename(std::string_view fromname, std::string_view toname) {
  std::string resp = sendcmd("RNFR " + std::string(fromname));
  if (resp[0] != '3') throw error_reply(impl_->command, resp);
  return voidcmd("RNTO " + std::string(toname));
}

std::string FTP::delete_(std::string_view filename) {
  std::string resp = sendcmd("DELE " + std::string(filename));
  if (resp.starts_with("250") || resp.starts_with("200")) return resp;
  throw error_reply(impl_->command, resp);
}

std::string FTP::cwd(std::string_view dirname) {
  if (dirname == "..") {
    try {
      return voidcmd("CDUP");
    } catch (const error_perm& e) {
      if (e.code() != "500") throw;  // a server without CDUP: CWD .. below
    }
  } else if (dirname.empty()) {
    dirname = ".";  // does nothing, but could return an error
  }
  return voidcmd("CWD " + std::string(dirname));
}

std::optional<std::uint64_t> FTP::size(std::string_view filename) {
  std::string resp = sendcmd("SIZE " + std::string(filename));
  if (!resp.starts_with("213")) return std::nullopt;
  std::string_view s = std::string_view(resp).substr(3);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    throw error_proto(impl_->command, resp);
  return value;
}

std::string FTP::mkd(std::string_view dirname) {
  std::string resp = voidcmd("MKD " + std::string(dirname));
  // Python: "fix around non-compliant implementations such as IIS shipped with Windows
  // server 2003" (a 2xx other than 257).
  if (!resp.starts_with("257")) return {};
  return parse257(resp);
}

std::string FTP::rmd(std::string_view dirname) {
  return voidcmd("RMD " + std::string(dirname));
}

std::string FTP::pwd() {
  std::string resp = voidcmd("PWD");
  if (!resp.starts_with("257")) return {};
  return parse257(resp);
}

std::string FTP::abort() {
  std::string line = "ABOR\r\n";
  if (debugging_ > 1) std::cerr << "*put urgent* ABOR\n";
  impl_->command = "ABOR";
  // Python sends ABOR as urgent (TCP out-of-band) data; TLS has no urgent data.
  if (control_secure())
    impl_->channel->write_line("ABOR");
  else
    impl_->control_socket().sendall(line, msg::oob);
  std::string resp = getmultiline();
  if (resp.starts_with("426") || resp.starts_with("225") || resp.starts_with("226")) return resp;
  throw error_proto(impl_->command, resp);
}

std::string FTP::quit() {
  std::string resp = voidcmd("QUIT");
  close();
  return resp;
}

void FTP::close() noexcept {
  impl_->channel.reset();
}

}  // namespace soket::proto::ftp
