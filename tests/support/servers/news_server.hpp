// SPDX-License-Identifier: MIT
// NewsServer: a real server of the news lane (INN, inetutils-telnetd, gophernicus) started for
// one test from a private temporary directory by tests/support/servers/{inn2,telnetd,
// gophernicus}.sh, stopped with its sessions (news_stop.sh) when the fixture goes.
// skip_reason() says why it could not start (missing package, not root); the test then skips.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace soket::test {

class NewsServer {
 public:
  enum class Kind { inn2, telnetd, gophernicus };
  /// `prepare` runs on the empty directory before the server starts (a Gopher test writes
  /// DIR/gopher there).
  explicit NewsServer(Kind kind, const std::function<void(const std::string& dir)>& prepare = {});
  ~NewsServer();
  NewsServer(const NewsServer&) = delete;
  NewsServer& operator=(const NewsServer&) = delete;

  /// Empty when the server runs.
  const std::string& skip_reason() const { return skip_; }
  std::uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  /// INN's throw-away certificate (STARTTLS).
  std::string cafile() const { return dir_ + "/cert.pem"; }

 private:
  std::string dir_, skip_;
  std::uint16_t port_ = 0;
};

}  // namespace soket::test
