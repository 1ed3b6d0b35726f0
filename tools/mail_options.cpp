// SPDX-License-Identifier: MIT
#include "mail_options.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <soket/address.hpp>

#include "cli.hpp"

namespace soket::tools {

void MailOptions::add_to(CLI::App& cmd, const std::string& starttls_help) {
  cmd.add_option("server", target, "HOST or HOST:PORT of the server")
      ->required()
      ->check(non_empty());
  cmd.add_option("-u,--user", user, "log in as USER");
  cmd.add_option("--password-file", password_file,
                 "read the password from the first line of FILE (else $SOKET_PASSWORD)")
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

std::pair<std::string, std::uint16_t> MailOptions::host_port(std::uint16_t plain_port,
                                                             std::uint16_t ssl_port) const {
  const std::uint16_t port = ssl ? ssl_port : plain_port;
  std::error_code ec;
  for (const std::string& text :
       {target, target + ":" + std::to_string(port), "[" + target + "]:" + std::to_string(port)}) {
    const Address a = Address::parse(text, ec);
    if (!ec && a.is_inet() && a.port() != 0) return {a.host(), a.port()};
  }
  usage_error("not a HOST[:PORT]: '" + target + "'");
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
  usage_error("--user needs a password: --password-file FILE or $SOKET_PASSWORD");
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
