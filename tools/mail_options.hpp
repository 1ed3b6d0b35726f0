// SPDX-License-Identifier: MIT
// What `soket smtp`, `soket pop3` and `soket imap` share: HOST[:PORT], the password (never on
// the command line: --password-file or $SOKET_PASSWORD), the TLS context and the timeout.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include <soket/socket.hpp>
#include <soket/tls/context.hpp>

namespace soket::tools {

struct MailOptions {
  std::string target;
  std::string user;
  std::string password_file;
  std::string cafile;
  double timeout = 30;
  bool starttls = false;
  bool ssl = false;
  bool insecure = false;
  bool json = false;
  int debug = 0;

  /// Adds the shared options to `cmd` (target positional, --user, --password-file,
  /// --starttls, --ssl, --cafile, --insecure, --timeout, --json, --debug).
  void add_to(CLI::App& cmd, const std::string& starttls_help);
  /// host and port from `target` ("host", "host:port", "[v6]:port"); the port defaults to
  /// `plain_port`, or `ssl_port` with --ssl.
  std::pair<std::string, std::uint16_t> host_port(std::uint16_t plain_port,
                                                  std::uint16_t ssl_port) const;
  /// The password from --password-file (its first line) or $SOKET_PASSWORD; a usage error
  /// when --user is given without either.
  std::string password() const;
  /// Python's create_default_context() (with --cafile), or unverified with --insecure.
  tls::SSLContext context() const;
  Timeout timeout_value() const;
};

}  // namespace soket::tools
