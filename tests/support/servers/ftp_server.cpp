// SPDX-License-Identifier: MIT
#include "support/servers/ftp_server.hpp"

#include "support/support.hpp"

#include <dirent.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace soket::test {
namespace {

pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  char state = 0;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

// `root` and every process below it (vsftpd's sessions outlive a SIGTERM to the listener).
std::vector<pid_t> tree(pid_t root) {
  std::vector<pid_t> all;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (*end == '\0' && pid > 0) all.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(d);
  }
  std::vector<pid_t> found{root};
  for (bool grew = true; grew;) {
    grew = false;
    for (pid_t p : all) {
      pid_t pp = parent_of(p);
      bool known = std::find(found.begin(), found.end(), p) != found.end();
      if (!known && std::find(found.begin(), found.end(), pp) != found.end()) {
        found.push_back(p);
        grew = true;
      }
    }
  }
  return found;
}

bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

}  // namespace

FtpServer::FtpServer(Kind kind, Options options)
    : host_(options.ipv6 ? "::1" : "127.0.0.1"), kind_(kind) {
  // Directly under /tmp: vsftpd's unprivileged users must reach every parent.
  std::string templ = "/tmp/soket-ftp-XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  std::string script = std::string(SOKET_SOURCE_DIR) + "/tests/support/servers/" +
                       (kind == Kind::vsftpd ? "vsftpd.sh" : "pyftpdlib.sh");
  std::vector<std::string> argv{"timeout", "60", script, dir_};
  if (options.tls) argv.emplace_back("--tls");
  if (options.ipv6) argv.emplace_back("--ipv6");
  Child child(argv);
  std::string out = child.read_all(std::chrono::seconds(60));
  std::string err = child.read_stderr();
  int status = child.wait(std::chrono::seconds(10));
  if (status == 77) {
    skip_ = out.substr(out.find("SKIP: ") == std::string::npos ? 0 : out.find("SKIP: ") + 6);
    if (!skip_.empty() && skip_.back() == '\n') skip_.pop_back();
    return;
  }
  auto port_at = out.find("PORT=");
  auto pid_at = out.find("PID=");
  if (status != 0 || port_at == std::string::npos || pid_at == std::string::npos)
    throw std::runtime_error("FTP server fixture failed (" + std::to_string(status) + "): " + out +
                             err);
  port_ = static_cast<std::uint16_t>(std::stoi(out.substr(port_at + 5)));
  pid_ = static_cast<pid_t>(std::stoi(out.substr(pid_at + 4)));
}

FtpServer::~FtpServer() {
  if (pid_ > 0) {
    // The tree once: after the listener ends, its sessions are re-parented out of it.
    std::vector<pid_t> pids = tree(pid_);
    for (pid_t p : pids) ::kill(p, SIGTERM);
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto any_alive = [&] { return std::any_of(pids.begin(), pids.end(), alive); };
    while (any_alive() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (pid_t p : pids)
      if (alive(p)) ::kill(p, SIGKILL);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string FtpServer::hello() const {
  return kind_ == Kind::vsftpd ? "hello from vsftpd\n" : "hello from pyftpdlib\n";
}

}  // namespace soket::test
