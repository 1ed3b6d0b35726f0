// SPDX-License-Identifier: MIT
#include "servers/news_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <stdexcept>

#include "support/support.hpp"

namespace soket::test {
namespace {

std::string script_dir() {
  return std::string(SOKET_SOURCE_DIR) + "/tests/support/servers/";
}

const char* script_of(NewsServer::Kind kind) {
  switch (kind) {
    case NewsServer::Kind::inn2: return "inn2.sh";
    case NewsServer::Kind::telnetd: return "telnetd.sh";
    case NewsServer::Kind::gophernicus: return "gophernicus.sh";
  }
  return "";
}

}  // namespace

NewsServer::NewsServer(Kind kind, const std::function<void(const std::string&)>& prepare) {
  // Directly under /tmp: the servers' users (news, nobody) must traverse every parent.
  std::string tmpl = "/tmp/soket-news-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  if (prepare) prepare(dir_);
  Child child({"/bin/bash", script_dir() + script_of(kind), dir_});
  const std::string out = child.read_all(std::chrono::seconds(90));
  const std::string err = child.read_stderr();
  const int status = child.wait(std::chrono::seconds(10));
  std::smatch m;
  if (status == 77) {
    skip_ = out.empty() ? std::string(script_of(kind)) + " cannot run here" : out;
    return;
  }
  if (status != 0 || !std::regex_search(out, m, std::regex(R"(PORT=(\d+))")))
    throw std::runtime_error(std::string(script_of(kind)) + " failed (status " +
                             std::to_string(status) + "): " + out + err);
  port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
}

NewsServer::~NewsServer() {
  if (port_ != 0) {
    Child stop({"/bin/bash", script_dir() + "news_stop.sh", dir_});
    stop.wait(std::chrono::seconds(30));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace soket::test
