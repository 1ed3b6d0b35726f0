// SPDX-License-Identifier: MIT
// FTP's data connections (PASV/EPSV, PORT/EPRT) and the transfers over them.
#include "control.hpp"

#include <soket/inet.hpp>
#include <soket/io/socket_file.hpp>

#include <algorithm>
#include <iostream>
#include <vector>

namespace soket::proto::ftp {
namespace {

// Python's default callback for retrlines and dir: print_line.
void print_line(std::string_view line) {
  std::cout << line << '\n';
}

std::string strip_eol(std::string line) {
  if (line.ends_with("\r\n"))
    line.resize(line.size() - 2);
  else if (line.ends_with('\n'))
    line.pop_back();
  return line;
}

}  // namespace

std::pair<std::string, std::uint16_t> FTP::makepasv() {
  Socket& control = impl_->control_socket();
  std::string peer = control.getpeername().host();
  if (control.family() == Family::inet) {
    auto [untrusted_host, port] = parse227(sendcmd("PASV"));
    // Python (bpo-43285): the address in a 227 is ignored unless trusted: a hostile server
    // could aim the data connection at another host (FTP bounce, SSRF).
    return {trust_pasv_ ? untrusted_host : peer, port};
  }
  std::string resp = sendcmd("EPSV");
  try {
    return {peer, parse229(resp)};
  } catch (const error_proto&) {
    throw error_proto(impl_->command, resp);
  }
}

std::string FTP::sendport(std::string_view host, std::uint16_t port) {
  std::string args(host);
  std::replace(args.begin(), args.end(), '.', ',');
  args += "," + std::to_string(port / 256) + "," + std::to_string(port % 256);
  return voidcmd("PORT " + args);
}

std::string FTP::sendeprt(std::string_view host, std::uint16_t port) {
  int af = host.find(':') == std::string_view::npos ? 1 : 2;  // RFC 2428: 1 IPv4, 2 IPv6
  return voidcmd("EPRT |" + std::to_string(af) + "|" + std::string(host) + "|" +
                 std::to_string(port) + "|");
}

Socket FTP::makeport() {
  Socket& control = impl_->control_socket();
  Socket listener(control.family());
  listener.bind(Address(control.getsockname().host(), 0));
  listener.listen(1);
  if (impl_->timeout != global_default_timeout) listener.settimeout(impl_->timeout);
  Address local = listener.getsockname();
  if (control.family() == Family::inet)
    sendport(local.host(), local.port());
  else
    sendeprt(local.host(), local.port());
  return listener;
}

std::pair<DataConnection, std::optional<std::uint64_t>> FTP::ntransfercmd(
    std::string_view cmd, std::optional<std::uint64_t> rest) {
  // The data socket first (passive: connected; active: listening), then REST and the command,
  // whose reply must be 1xx ("Some servers apparently send a 200 reply to a LIST or STOR
  // command, before the 150 reply": one more reply is read then).
  auto start = [&] {
    if (rest) sendcmd("REST " + std::to_string(*rest));
    std::string resp = sendcmd(cmd);
    if (resp[0] == '2') resp = getresp();
    if (resp[0] != '1') throw error_reply(impl_->command, resp);
    return resp;
  };
  Socket conn;
  std::string resp;
  if (passive_) {
    auto [host, port] = makepasv();
    conn = create_connection(Address(host, port), impl_->timeout, impl_->source);
    resp = start();
  } else {
    Socket listener = makeport();
    resp = start();
    conn = std::move(listener.accept().conn);
    if (impl_->timeout != global_default_timeout) conn.settimeout(impl_->timeout);
  }
  std::optional<std::uint64_t> size;
  if (resp.starts_with("150")) size = parse150(resp);
  return {wrap_data(std::move(conn)), size};
}

DataConnection FTP::transfercmd(std::string_view cmd, std::optional<std::uint64_t> rest) {
  return ntransfercmd(cmd, rest).first;
}

DataConnection FTP::wrap_data(Socket conn) {
  return DataConnection(std::move(conn));
}

std::string FTP::retrbinary(std::string_view cmd, const Callback& callback, std::size_t blocksize,
                            std::optional<std::uint64_t> rest) {
  voidcmd("TYPE I");
  DataConnection conn = transfercmd(cmd, rest);
  std::vector<std::byte> buffer(std::max<std::size_t>(blocksize, 1));
  while (std::size_t n = conn.read_some(buffer)) {
    callback(std::string_view(reinterpret_cast<const char*>(buffer.data()), n));
  }
  conn.close();
  return voidresp();
}

std::string FTP::retrlines(std::string_view cmd, const Callback& callback) {
  const Callback& out = callback ? callback : Callback(print_line);
  voidcmd("TYPE A");
  DataConnection conn = transfercmd(cmd);
  {
    io::SocketFile fp(conn);
    for (;;) {
      std::string line;
      try {
        line = fp.readline_bounded(maxline_);
      } catch (const io::LineTooLongError&) {
        throw error_line_too_long(std::string(cmd),
                                  "got more than " + std::to_string(maxline_) + " bytes");
      }
      if (line.empty()) break;
      out(strip_eol(std::move(line)));
    }
  }
  conn.close();
  return voidresp();
}

std::string FTP::storbinary(std::string_view cmd, std::istream& fp, std::size_t blocksize,
                            const Callback& callback, std::optional<std::uint64_t> rest) {
  voidcmd("TYPE I");
  DataConnection conn = transfercmd(cmd, rest);
  std::string buf(std::max<std::size_t>(blocksize, 1), '\0');
  while (fp) {
    fp.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<std::size_t>(fp.gcount());
    if (n == 0) break;
    std::string_view block(buf.data(), n);
    conn.write_all(std::as_bytes(std::span<const char>(block.data(), block.size())));
    if (callback) callback(block);
  }
  conn.close();
  return voidresp();
}

std::string FTP::storlines(std::string_view cmd, std::istream& fp, const Callback& callback) {
  voidcmd("TYPE A");
  DataConnection conn = transfercmd(cmd);
  std::string line;
  while (std::getline(fp, line)) {
    if (line.size() + 1 > maxline_)
      throw error_line_too_long(std::string(cmd),
                                "got more than " + std::to_string(maxline_) + " bytes");
    if (line.ends_with('\r')) line.pop_back();
    line += "\r\n";
    conn.write_all(std::as_bytes(std::span<const char>(line.data(), line.size())));
    if (callback) callback(line);
  }
  conn.close();
  return voidresp();
}

std::vector<std::string> FTP::nlst(std::string_view arg) {
  std::vector<std::string> files;
  std::string cmd = arg.empty() ? "NLST" : "NLST " + std::string(arg);
  retrlines(cmd, [&](std::string_view line) { files.emplace_back(line); });
  return files;
}

void FTP::dir(std::string_view arg, const Callback& callback) {
  retrlines(arg.empty() ? "LIST" : "LIST " + std::string(arg), callback);
}

std::vector<MlsdEntry> FTP::mlsd(std::string_view path, const std::vector<std::string>& facts) {
  if (!facts.empty()) {
    std::string opts = "OPTS MLST ";
    for (const auto& f : facts) opts += f + ";";
    sendcmd(opts);
  }
  std::vector<std::string> lines;
  retrlines(path.empty() ? "MLSD" : "MLSD " + std::string(path),
            [&](std::string_view line) { lines.emplace_back(line); });
  std::vector<MlsdEntry> entries;
  entries.reserve(lines.size());
  for (const auto& line : lines) entries.push_back(parse_mlsd_line(line));
  return entries;
}

}  // namespace soket::proto::ftp
