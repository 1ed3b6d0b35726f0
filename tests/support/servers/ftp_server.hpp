// SPDX-License-Identifier: MIT
// FtpServer: a real FTP server (vsftpd or pyftpdlib) started for one test from a private
// temporary directory by tests/support/servers/{vsftpd,pyftpdlib}.sh, stopped with its
// sessions when the fixture goes. skip_reason() says why it could not start (missing package,
// no namespaces); the test then GTEST_SKIPs.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <string>

namespace soket::test {

class FtpServer {
 public:
  enum class Kind { vsftpd, pyftpdlib };
  struct Options {
    bool tls = false;   // explicit FTPS (vsftpd: require_ssl_reuse=YES)
    bool ipv6 = false;  // listen on ::1
  };
  FtpServer(Kind kind, Options options);
  ~FtpServer();
  FtpServer(const FtpServer&) = delete;
  FtpServer& operator=(const FtpServer&) = delete;

  /// Empty when the server runs.
  const std::string& skip_reason() const { return skip_; }
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  /// The server's directory: anon/pub/hello.txt, home/ (tester's root), cert.pem.
  const std::string& dir() const { return dir_; }
  std::string cafile() const { return dir_ + "/cert.pem"; }
  /// The text of the anonymous file pub/hello.txt.
  std::string hello() const;

 private:
  std::string dir_, host_, skip_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  Kind kind_;
};

}  // namespace soket::test
