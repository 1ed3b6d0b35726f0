// SPDX-License-Identifier: MIT
// FTP and FTP_TLS against real servers started for each test: vsftpd (anonymous, a virtual
// user, FTPS with require_ssl_reuse=YES, IPv6) and pyftpdlib (MLSD, passive and active modes).
#include <soket/proto/ftp/ftp.hpp>
#include <soket/soket.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support/servers/ftp_server.hpp"
#include "support/support.hpp"

namespace ftp = soket::proto::ftp;
using soket::test::FtpServer;

namespace {

struct Case {
  FtpServer::Kind kind;
  bool ipv6;
  bool passive;
};

std::string name_of(const testing::TestParamInfo<Case>& info) {
  return std::string(info.param.kind == FtpServer::Kind::vsftpd ? "vsftpd" : "pyftpdlib") +
         (info.param.ipv6 ? "_ipv6" : "_ipv4") + (info.param.passive ? "_passive" : "_active");
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string random_bytes(std::size_t n) {
  std::mt19937 gen(12345);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

#define START_OR_SKIP(server) \
  if (!(server).skip_reason().empty()) GTEST_SKIP() << (server).skip_reason()

class FtpServers : public testing::TestWithParam<Case> {};

}  // namespace

TEST_P(FtpServers, AnonymousRetrieve) {
  FtpServer server(GetParam().kind, {.tls = false, .ipv6 = GetParam().ipv6});
  START_OR_SKIP(server);
  ftp::FTP f(std::chrono::seconds(20));
  EXPECT_TRUE(f.connect(server.host(), server.port()).starts_with("220 "));
  EXPECT_TRUE(f.login().starts_with("230"));
  f.set_pasv(GetParam().passive);
  std::string got;
  EXPECT_TRUE(
      f.retrbinary("RETR pub/hello.txt", [&](std::string_view b) { got += b; }).starts_with("226"));
  EXPECT_EQ(got, server.hello());
  std::vector<std::string> lines;
  f.retrlines("RETR pub/hello.txt", [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(lines, std::vector<std::string>{server.hello().substr(0, server.hello().size() - 1)});
  // Anonymous is read-only on both servers.
  std::istringstream up("nope");
  EXPECT_THROW(f.storbinary("STOR pub/up.txt", up), ftp::error_perm);
  EXPECT_TRUE(f.quit().starts_with("221"));
}

TEST_P(FtpServers, UserSession) {
  FtpServer server(GetParam().kind, {.tls = false, .ipv6 = GetParam().ipv6});
  START_OR_SKIP(server);
  ftp::FTP f(std::chrono::seconds(20));
  f.connect(server.host(), server.port());
  EXPECT_THROW(f.login("tester", "wrong"), ftp::error_perm);
  f.close();
  f.connect(server.host(), server.port());
  f.login("tester", "secret");
  f.set_pasv(GetParam().passive);
  EXPECT_EQ(f.pwd(), "/");

  // Upload with progress, then the size and the bytes on the server's disk.
  std::string payload = random_bytes(300000);
  std::istringstream in(payload);
  std::size_t progress = 0;
  f.storbinary("STOR data.bin", in, 8192, [&](std::string_view b) { progress += b.size(); });
  EXPECT_EQ(progress, payload.size());
  EXPECT_EQ(f.size("data.bin"), payload.size());
  EXPECT_EQ(read_file(server.dir() + "/home/data.bin"), payload);

  // Resume: REST then RETR gives the tail.
  std::string tail;
  f.retrbinary(
      "RETR data.bin", [&](std::string_view b) { tail += b; }, 8192, 100000);
  EXPECT_EQ(tail, payload.substr(100000));

  // Resumed upload: STOR with REST appends at the offset.
  std::istringstream first(payload.substr(0, 200000)), second(payload.substr(200000));
  f.storbinary("STOR half.bin", first);
  f.storbinary("STOR half.bin", second, 8192, {}, 200000);
  EXPECT_EQ(read_file(server.dir() + "/home/half.bin"), payload);

  // Text upload: storlines sends CRLF, the server stores LF (ASCII mode).
  std::istringstream text("one\ntwo\r\nthree");
  f.storlines("STOR text.txt", text);
  std::vector<std::string> lines;
  f.retrlines("RETR text.txt", [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));

  // Directories, rename, delete, listings.
  EXPECT_EQ(f.mkd("sub dir"), "/sub dir");
  f.cwd("sub dir");
  EXPECT_EQ(f.pwd(), "/sub dir");
  f.cwd("..");
  EXPECT_EQ(f.pwd(), "/");
  f.rename("text.txt", "sub dir/moved.txt");
  auto names = f.nlst("sub dir");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].ends_with("moved.txt")) << names[0];  // vsftpd gives the path
  std::vector<std::string> listing;
  f.dir("", [&](std::string_view l) { listing.emplace_back(l); });
  EXPECT_TRUE(std::any_of(listing.begin(), listing.end(),
                          [](const std::string& l) { return l.ends_with(" data.bin"); }));
  f.delete_("sub dir/moved.txt");
  f.rmd("sub dir");
  EXPECT_FALSE(std::filesystem::exists(server.dir() + "/home/sub dir"));
  EXPECT_THROW(f.delete_("missing"), ftp::error_perm);
  EXPECT_THROW(f.cwd("missing"), ftp::error_perm);
  EXPECT_THROW(f.rmd("missing"), ftp::error_perm);
  auto all = f.nlst();
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"data.bin", "half.bin", "readme.txt"}));
  f.quit();
}

INSTANTIATE_TEST_SUITE_P(Servers, FtpServers,
                         testing::Values(Case{FtpServer::Kind::vsftpd, false, true},
                                         Case{FtpServer::Kind::vsftpd, false, false},
                                         Case{FtpServer::Kind::vsftpd, true, true},
                                         Case{FtpServer::Kind::vsftpd, true, false},
                                         Case{FtpServer::Kind::pyftpdlib, false, true},
                                         Case{FtpServer::Kind::pyftpdlib, false, false},
                                         Case{FtpServer::Kind::pyftpdlib, true, true},
                                         Case{FtpServer::Kind::pyftpdlib, true, false}),
                         name_of);

// MLSD (RFC 3659): pyftpdlib has it (vsftpd does not).
TEST(FtpPyftpdlib, MlsdFacts) {
  FtpServer server(FtpServer::Kind::pyftpdlib, {});
  START_OR_SKIP(server);
  ftp::FTP f(std::chrono::seconds(20));
  f.connect(server.host(), server.port());
  f.login("tester", "secret");
  f.mkd("d");
  auto entries = f.mlsd("", {"type", "size"});
  std::map<std::string, std::map<std::string, std::string>> by_name;
  for (auto& e : entries) by_name[e.name] = e.facts;
  ASSERT_TRUE(by_name.count("readme.txt"));
  EXPECT_EQ(by_name["readme.txt"]["type"], "file");
  EXPECT_EQ(by_name["readme.txt"]["size"], "14");
  EXPECT_EQ(by_name["d"]["type"], "dir");
  f.quit();
}

// FTPS: AUTH TLS, PROT P, and data connections that resume the control session, which vsftpd
// (require_ssl_reuse=YES, its default) insists on: Python's ftplib gets "522 SSL connection
// failed: session reuse required" here.
TEST(FtpTls, VsftpdWithSessionReuse) {
  FtpServer server(FtpServer::Kind::vsftpd, {.tls = true, .ipv6 = false});
  START_OR_SKIP(server);
  ftp::FTP_TLS f(
      soket::tls::create_default_context(soket::tls::Purpose::server_auth, server.cafile()),
      std::chrono::seconds(20));
  f.connect(server.host(), server.port());
  EXPECT_TRUE(f.login("tester", "secret").starts_with("230"));
  EXPECT_EQ(f.prot_p(), "200 PROT now Private.");
  std::string payload = random_bytes(200000);
  std::istringstream in(payload);
  f.storbinary("STOR secret.bin", in);
  EXPECT_EQ(read_file(server.dir() + "/home/secret.bin"), payload);
  std::string back;
  f.retrbinary("RETR secret.bin", [&](std::string_view b) { back += b; });
  EXPECT_EQ(back, payload);
  auto [conn, size] = f.ntransfercmd("NLST");
  EXPECT_TRUE(conn.secure());
  EXPECT_TRUE(conn.session_reused());
  std::string names;
  std::array<std::byte, 4096> buf{};
  while (std::size_t n = conn.read_some(buf)) names.append(reinterpret_cast<char*>(buf.data()), n);
  EXPECT_EQ(names, "readme.txt\r\nsecret.bin\r\n");
  conn.close();  // close_notify both ways, as vsftpd expects before its 226
  f.voidresp();
  f.prot_c();
  std::string clear;
  f.retrbinary("RETR secret.bin", [&](std::string_view b) { clear += b; });
  EXPECT_EQ(clear, payload);
  f.quit();
}

TEST(FtpTls, PyftpdlibAnonymousProtP) {
  FtpServer server(FtpServer::Kind::pyftpdlib, {.tls = true, .ipv6 = true});
  START_OR_SKIP(server);
  ftp::FTP_TLS f(
      soket::tls::create_default_context(soket::tls::Purpose::server_auth, server.cafile()),
      std::chrono::seconds(20));
  f.connect(server.host(), server.port());
  f.login();
  f.prot_p();
  std::string got;
  f.retrbinary("RETR pub/hello.txt", [&](std::string_view b) { got += b; });
  EXPECT_EQ(got, server.hello());
  f.quit();
}

TEST(FtpTls, WrongCertificateIsRefused) {
  FtpServer server(FtpServer::Kind::vsftpd, {.tls = true, .ipv6 = false});
  START_OR_SKIP(server);
  ftp::FTP_TLS f(soket::tls::create_default_context(), std::chrono::seconds(20));
  f.connect(server.host(), server.port());
  EXPECT_THROW(f.auth(), soket::tls::SSLCertVerificationError);
}
