// SPDX-License-Identifier: MIT
// What `soket mail send` and `soket mail fetch` share: the server (HOST[:PORT] or a URL such as
// imaps://user@host/INBOX), the password (never on the command line: --password-file,
// $SOKET_PASSWORD, or a prompt on the terminal), the TLS context and the timeout.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include <soket/socket.hpp>
#include <soket/tls/context.hpp>

namespace soket::tools {

/// The server as given: "host", "host:port", "[v6]:port", or SCHEME://[user@]host[:port][/path].
struct MailServer {
  std::string scheme;  // lower case, "" without a URL
  std::string user;
  std::string host;
  std::uint16_t port = 0;  // 0: the protocol's default
  std::string path;        // the URL's path without its leading '/' (an IMAP mailbox)
};

/// Parses the server operand; a usage error names what is wrong.
MailServer parse_mail_server(const std::string& text);

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
  /// The server with the URL's scheme applied: an "s" scheme (smtps, pop3s, imaps) sets --ssl;
  /// a user in the URL is the --user when none was given; the port defaults to `plain_port`,
  /// or `ssl_port` with TLS from the first byte.
  MailServer server(std::uint16_t plain_port, std::uint16_t ssl_port);
  /// The password from --password-file (its first line), $SOKET_PASSWORD, or a prompt on the
  /// terminal (no echo); a usage error when none is possible.
  std::string password() const;
  /// Python's create_default_context() (with --cafile), or unverified with --insecure.
  tls::SSLContext context() const;
  Timeout timeout_value() const;
};

}  // namespace soket::tools
