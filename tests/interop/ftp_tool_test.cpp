// SPDX-License-Identifier: MIT
// `soket ftp ls|get|put` against pyftpdlib and vsftpd: transfers (with resume and FTPS),
// exit statuses (2 usage, 1 runtime) and one-line errors, passwords kept off the command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "interop/tool_support.hpp"
#include "support/servers/ftp_server.hpp"
#include "support/support.hpp"

using soket::test::Child;
using soket::test::FtpServer;
using soket::test::soket_tool;

namespace {

struct ToolRun {
  int status;
  std::string out, err;
};

ToolRun run_ftp(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), {soket_tool(), "ftp"});
  Child c(args, std::move(env));
  c.close_stdin();
  std::string out = c.read_all(std::chrono::seconds(60));
  std::string err = c.read_stderr();
  return {c.wait(std::chrono::seconds(60)), out, err};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write_file(const std::filesystem::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}

std::string payload(std::size_t n) {
  std::mt19937 gen(7);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

std::string url(const FtpServer& s, const std::string& user, const std::string& path) {
  std::string host = s.host().find(':') == std::string::npos ? s.host() : "[" + s.host() + "]";
  return "ftp://" + (user.empty() ? "" : user + "@") + host + ":" + std::to_string(s.port()) + "/" +
         path;
}

#define START_OR_SKIP(server) \
  if (!(server).skip_reason().empty()) GTEST_SKIP() << (server).skip_reason()

}  // namespace

TEST(FtpTool, GetAnonymousToStdout) {
  FtpServer server(FtpServer::Kind::pyftpdlib, {});
  START_OR_SKIP(server);
  ToolRun r = run_ftp({"get", url(server, "", "pub/hello.txt"), "-o", "-"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, server.hello());
  EXPECT_EQ(r.err, "");  // no progress bar off a terminal
}

TEST(FtpTool, PutGetResumeAndList) {
  FtpServer server(FtpServer::Kind::pyftpdlib, {.tls = false, .ipv6 = true});
  START_OR_SKIP(server);
  soket::test::TempUnixPath tmp;
  std::string pw = tmp.dir() + "/pw";
  write_file(pw, "secret\n");
  std::string data = payload(500000);
  write_file(tmp.dir() + "/big.bin", data);

  // A first half already on the server: put --continue sends the rest.
  write_file(server.dir() + "/home/big.bin", data.substr(0, 123456));
  ToolRun put = run_ftp(
      {"put", tmp.dir() + "/big.bin", url(server, "tester", ""), "-c", "--password-file", pw});
  EXPECT_EQ(put.status, 0) << put.err;
  EXPECT_EQ(read_file(server.dir() + "/home/big.bin"), data);

  // A partial local copy: get --continue fetches the tail (active mode for a change).
  std::string local = tmp.dir() + "/copy.bin";
  write_file(local, data.substr(0, 4000));
  ToolRun get = run_ftp({"get", url(server, "tester", "big.bin"), "-o", local, "-c", "--active"},
                        {"SOKET_FTP_PASSWORD=secret"});
  EXPECT_EQ(get.status, 0) << get.err;
  EXPECT_EQ(read_file(local), data);

  ToolRun ls = run_ftp({"ls", "--json", url(server, "tester", "")}, {"SOKET_FTP_PASSWORD=secret"});
  ASSERT_EQ(ls.status, 0) << ls.err;
  auto j = nlohmann::json::parse(ls.out);
  bool found = false;
  for (auto& e : j)
    if (e["name"] == "big.bin") found = e["facts"]["size"] == std::to_string(data.size());
  EXPECT_TRUE(found) << ls.out;
  ToolRun dir = run_ftp({"ls", url(server, "tester", "")}, {"SOKET_FTP_PASSWORD=secret"});
  EXPECT_NE(dir.out.find(" big.bin\n"), std::string::npos) << dir.out;
}

TEST(FtpTool, TlsAgainstVsftpd) {
  FtpServer server(FtpServer::Kind::vsftpd, {.tls = true, .ipv6 = false});
  START_OR_SKIP(server);
  ToolRun ok = run_ftp(
      {"get", "--tls", "--ca", server.cafile(), url(server, "", "pub/hello.txt"), "-o", "-"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, server.hello());
  ToolRun unverified = run_ftp({"get", "--tls", url(server, "", "pub/hello.txt"), "-o", "-"});
  EXPECT_EQ(unverified.status, 1);
  EXPECT_TRUE(unverified.err.starts_with("soket ftp: ")) << unverified.err;
  ToolRun ls = run_ftp({"ls", "--tls", "-k", "--json", url(server, "", "pub")});
  EXPECT_EQ(ls.status, 0) << ls.err;
  EXPECT_NE(ls.out.find("hello.txt"), std::string::npos);  // NLST: vsftpd has no MLSD
}

TEST(FtpTool, RuntimeErrorsExitOne) {
  FtpServer server(FtpServer::Kind::pyftpdlib, {});
  START_OR_SKIP(server);
  soket::test::TempUnixPath tmp;
  std::string local = tmp.dir() + "/none.txt";
  ToolRun missing = run_ftp({"get", url(server, "", "pub/none.txt"), "-o", local});
  EXPECT_EQ(missing.status, 1);
  EXPECT_FALSE(std::filesystem::exists(local));  // no empty file left behind
  EXPECT_TRUE(missing.err.starts_with("soket ftp: RETR pub/none.txt: 550 ")) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1);
  ToolRun bad_pw = run_ftp({"ls", url(server, "tester", "")}, {"SOKET_FTP_PASSWORD=wrong"});
  EXPECT_EQ(bad_pw.status, 1);
  EXPECT_TRUE(bad_pw.err.starts_with("soket ftp: PASS ")) << bad_pw.err;
  EXPECT_EQ(bad_pw.err.find("wrong"), std::string::npos);  // never echoed
  ToolRun no_pw = run_ftp({"ls", url(server, "tester", "")});
  EXPECT_EQ(no_pw.status, 1);
  EXPECT_NE(no_pw.err.find("SOKET_FTP_PASSWORD"), std::string::npos) << no_pw.err;
  ToolRun refused =
      run_ftp({"ls", "ftp://127.0.0.1:" + std::to_string(soket::test::closed_port()) + "/"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("Connection refused"), std::string::npos) << refused.err;
}

TEST(FtpTool, UsageErrorsExitTwo) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"get", "http://127.0.0.1/x"},
                                             {"get", "ftp://127.0.0.1:99999/x"},
                                             {"get", "ftp://u:secret@127.0.0.1/x"},
                                             {"get", "ftp://127.0.0.1/dir/"},
                                             {"ls", "ftp://127.0.0.1/", "-w", "nan"},
                                             {"ls", "ftp://127.0.0.1/", "-w", "-1"},
                                             {"ls", "ftp://127.0.0.1/", "-w", "1e400"},
                                             {"put", "/nonexistent/file", "ftp://127.0.0.1/"},
                                             {"ls"},
                                             {}}) {
    ToolRun r = run_ftp(args);
    EXPECT_EQ(r.status, 2) << (args.empty() ? "" : args[0]) << " " << r.err;
  }
  ToolRun help = run_ftp({"get", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("Example: soket ftp get"), std::string::npos);
}
