// SPDX-License-Identifier: MIT
#include "mail_options.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include <soket/proto/getpass.hpp>

#include "cli.hpp"

namespace soket::tools {

MailServer parse_mail_server(const std::string& text) {
  MailServer s;
  std::string rest = text;
  if (const auto sep = rest.find("://"); sep != std::string::npos) {
    s.scheme = rest.substr(0, sep);
    for (auto& c : s.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    rest.erase(0, sep + 3);
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
      s.path = rest.substr(slash + 1);
      rest.resize(slash);
    }
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
      s.user = rest.substr(0, at);
      rest.erase(0, at + 1);
    }
  }
  // "[v6]:port", "[v6]", "host:port", "host", or a bare IPv6 literal (two colons or more).
  std::string port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close != std::string::npos && (close + 1 == rest.size() || rest[close + 1] == ':')) {
      s.host = rest.substr(1, close - 1);
      if (close + 1 < rest.size()) port = rest.substr(close + 2);
    }
  } else if (std::count(rest.begin(), rest.end(), ':') == 1) {
    s.host = rest.substr(0, rest.find(':'));
    port = rest.substr(rest.find(':') + 1);
  } else {
    s.host = rest;
  }
  const bool host_ok = !s.host.empty() && s.host.find_first_of("[]/ @") == std::string::npos;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  const bool port_ok = port.empty() || (ec == std::errc() && end == port.data() + port.size() &&
                                        value >= 1 && value <= 65535);
  if (host_ok && port_ok) {
    s.port = static_cast<std::uint16_t>(value);
    return s;
  }
  usage_error("not a HOST[:PORT] or URL: '" + text + "'");
}

void MailOptions::add_to(CLI::App& cmd, const std::string& starttls_help) {
  cmd.add_option("server", target, "HOST[:PORT], or a URL: SCHEME://[USER@]HOST[:PORT][/MAILBOX]")
      ->required()
      ->check(non_empty());
  cmd.add_option("-u,--user", user, "log in as USER");
  cmd.add_option("--password-file", password_file,
                 "read the password from the first line of FILE (else $SOKET_PASSWORD, else a "
                 "prompt on the terminal)")
      ->check(CLI::ExistingFile);
  auto* tls = cmd.add_flag("--starttls", starttls, starttls_help);
  cmd.add_flag("--ssl", ssl, "TLS from the first byte (implicit TLS port)")->excludes(tls);
  cmd.add_option("--cafile", cafile, "trust the CA certificates in FILE")->check(CLI::ExistingFile);
  cmd.add_flag("-k,--insecure", insecure, "do not verify the server's certificate");
  cmd.add_option("-t,--timeout", timeout, "seconds for each network operation (default 30)")
      ->transform(seconds_in(0.001));
  cmd.add_flag("--json", json, "print the result as JSON");
  cmd.add_flag("-d,--debug", debug, "print the protocol exchange on stderr (twice: timestamps)");
}

MailServer MailOptions::server(std::uint16_t plain_port, std::uint16_t ssl_port) {
  MailServer s = parse_mail_server(target);
  if (s.scheme.ends_with('s')) {
    if (starttls) usage_error("--starttls with " + s.scheme + "://, which is TLS already");
    ssl = true;
  }
  if (user.empty()) user = s.user;
  if (s.port == 0) s.port = ssl ? ssl_port : plain_port;
  return s;
}

std::string MailOptions::password() const {
  if (!password_file.empty()) {
    std::ifstream in(password_file);
    std::string line;
    if (!std::getline(in, line)) usage_error("--password-file " + password_file + " is empty");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (const char* env = std::getenv("SOKET_PASSWORD")) return env;
  if (auto typed = proto::getpass("Password for " + user + ": ")) return *typed;
  usage_error("--user needs a password: --password-file FILE, $SOKET_PASSWORD or a terminal");
}

tls::SSLContext MailOptions::context() const {
  if (insecure) return tls::create_unverified_context();
  if (!cafile.empty()) return tls::create_default_context(tls::Purpose::server_auth, cafile);
  return tls::create_default_context();
}

Timeout MailOptions::timeout_value() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(timeout));
}

}  // namespace soket::tools
