// SPDX-License-Identifier: MIT
// MailServer runs one of the mail tests' server scripts (aiosmtpd.sh, dovecot.sh) in a private
// temporary directory, reads its "KEY=value" line, and stops the server (by its PID) and removes
// the directory on destruction. A script that cannot start its server leaves `skip_reason` set, so
// the test skips with the script's own words. ScriptedPeer is the hostile fake server.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <soket/io/socket_file.hpp>

#include "support/support.hpp"

namespace soket::test {

class MailServer {
 public:
  MailServer(const std::string& script, std::vector<std::string> options = {}) {
    char tmpl[] = "/tmp/soket-mail-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      skip_reason = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    std::vector<std::string> argv{"/bin/bash", std::string(SOKET_MAIL_SERVERS_DIR) + "/" + script,
                                  dir_};
    argv.insert(argv.end(), options.begin(), options.end());
    Child child(argv);
    const auto line = child.read_line(std::chrono::seconds(30));
    const int status = child.wait(std::chrono::seconds(30));
    if (!line || status != 0) {
      std::string err = child.read_stderr();
      while (!err.empty() && err.back() == '\n') err.pop_back();
      if (const auto nl = err.rfind('\n'); nl != std::string::npos) err = err.substr(nl + 1);
      skip_reason = script + ": " + (err.empty() ? "did not start" : err);
      return;
    }
    std::istringstream in(*line);
    for (std::string kv; in >> kv;)
      if (const auto eq = kv.find('='); eq != std::string::npos)
        values_[kv.substr(0, eq)] = kv.substr(eq + 1);
    if (values_.contains("PID")) pid_ = std::stoi(values_["PID"]);
  }
  ~MailServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      // setsid made it no child of ours: wait for it to go (bounded), then force.
      for (int i = 0; i < 100 && ::kill(pid_, 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (::kill(pid_, 0) == 0) ::kill(pid_, SIGKILL);
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  MailServer(const MailServer&) = delete;
  MailServer& operator=(const MailServer&) = delete;

  std::uint16_t port(const std::string& key = "PORT") const {
    return static_cast<std::uint16_t>(std::stoi(values_.at(key)));
  }
  const std::string& dir() const { return dir_; }

  std::string skip_reason;

 private:
  std::string dir_;
  std::map<std::string, std::string> values_;
  pid_t pid_ = -1;
};

/// A hostile or scripted server for one connection: sends `script`'s pieces in turn, the first
/// at once (the greeting), each later one after reading one command line. Then it closes, or
/// with hold_open keeps reading until the client closes (a silent server).
class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::vector<std::string> script, bool hold_open = false)
      : thread_([this, script = std::move(script), hold_open] {
          try {
            auto [conn, from] = listener_.accept();
            conn.settimeout(std::chrono::seconds(10));
            auto file = io::SocketFile(conn);
            bool first = true;
            for (const auto& piece : script) {
              if (!first) file.readline();
              first = false;
              conn.sendall(piece);
            }
            if (hold_open)
              while (!file.readline().empty()) {
              }
          } catch (const std::exception&) {
            // the client went away: nothing to report
          }
        }) {}
  ~ScriptedPeer() { thread_.join(); }
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;
  std::uint16_t port() const { return listener_.getsockname().port(); }

 private:
  Socket listener_ = listen_ephemeral();
  std::thread thread_;
};

}  // namespace soket::test
