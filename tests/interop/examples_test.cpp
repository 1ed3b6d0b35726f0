// SPDX-License-Identifier: MIT
// The documents' programs, run as the documents run them: start the server, run the client,
// read what each prints. Servers listen on port 0 and report the port on stderr.
#include <gtest/gtest.h>
#include <csignal>
#include <filesystem>
#include <regex>

#include "support/support.hpp"

using soket::test::built_program;
using soket::test::Child;

namespace {

// Reads the server's "Listening on ('127.0.0.1', 41234)" line and returns the port.
std::string listening_port(Child& server) {
  auto line = server.read_err_line();
  if (!line) throw std::runtime_error("server printed nothing: " + server.read_stderr());
  std::smatch m;
  if (!std::regex_search(*line, m, std::regex(R"(^Listening on \('127\.0\.0\.1', (\d+)\)$)")))
    throw std::runtime_error("unexpected line: " + *line);
  return m[1];
}

const std::regex got_connection(R"(^Got connection from \('127\.0\.0\.1', \d+\)$)");

// Ctrl-C ends a server cleanly: exit status 0.
void interrupt(Child& server) {
  server.signal(SIGINT);
  EXPECT_EQ(server.wait(), 0);
}

}  // namespace

TEST(Examples, ServerAndClientExchangeTheDocumentsLines) {
  Child server({built_program("examples/server"), "127.0.0.1", "0"});
  std::string port = listening_port(server);
  for (int i = 0; i < 2; ++i) {  // server.py loops: it serves client after client
    Child client({built_program("examples/client"), "127.0.0.1", port});
    EXPECT_EQ(client.read_all(), "Thank you for connecting\n");
    EXPECT_EQ(client.wait(), 0);
    auto line = server.read_line();
    ASSERT_TRUE(line);
    EXPECT_TRUE(std::regex_match(*line, got_connection)) << *line;
  }
  interrupt(server);
}

TEST(Examples, ServerkuAndClientkuTalkBothWays) {
  Child server({built_program("examples/serverku"), "127.0.0.1", "0"});
  std::string port = listening_port(server);
  Child client({built_program("examples/clientku"), "127.0.0.1", port});
  EXPECT_EQ(client.read_all(), "Terima Kasih karena telah berkomunikasi dengan Serverku.py\n");
  EXPECT_EQ(client.wait(), 0);
  auto first = server.read_line();
  ASSERT_TRUE(first);
  EXPECT_TRUE(std::regex_match(
      *first,
      std::regex(R"(^\('127\.0\.0\.1', \d+\) Selamat Anda Sudah Terhubung dengan Serverku\.py$)")))
      << *first;
  EXPECT_EQ(server.read_line(), "Hai Serverku.py, Clientku.py ingin berkomunikasi");
  EXPECT_EQ(server.wait(), 0);  // serverku serves one client and ends
}

TEST(Examples, Serverku2ServesManyClients) {
  Child server({built_program("examples/serverku2"), "127.0.0.1", "0"});
  std::string port = listening_port(server);
  for (int i = 0; i < 3; ++i) {
    Child client({built_program("examples/client"), "127.0.0.1", port});
    EXPECT_EQ(client.read_all(), "Thank you for connecting\n");
    auto line = server.read_line();
    ASSERT_TRUE(line);
    EXPECT_TRUE(std::regex_match(*line, std::regex(R"(^\('127\.0\.0\.1', \d+\) Now Connected$)")))
        << *line;
  }
  interrupt(server);
}

TEST(Examples, UdpPair) {
  Child server({built_program("examples/udp_server"), "127.0.0.1", "0"});
  std::string port = listening_port(server);
  Child client({built_program("examples/udp_client"), "127.0.0.1", port, "halo udp"});
  EXPECT_EQ(client.read_all(), "Got 8 bytes: halo udp\n");
  EXPECT_EQ(client.wait(), 0);
  auto line = server.read_line();
  ASSERT_TRUE(line);
  EXPECT_TRUE(
      std::regex_match(*line, std::regex(R"(^Received 'halo udp' from \('127\.0\.0\.1', \d+\)$)")))
      << *line;
  interrupt(server);
}

TEST(Examples, UnixPairOnASocketFileRemovedOnCtrlC) {
  soket::test::TempUnixPath tmp;
  Child server({built_program("examples/unix_server"), tmp.path()});
  auto line = server.read_err_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "Listening on '" + tmp.path() + "'");
  Child client({built_program("examples/unix_client"), tmp.path()});
  EXPECT_EQ(client.read_all(), "Thank you for connecting\n");
  EXPECT_EQ(server.read_line(), "Got connection on '" + tmp.path() + "'");
  interrupt(server);
  EXPECT_FALSE(std::filesystem::exists(tmp.path()));
}

TEST(Examples, ClientReportsARefusedConnection) {
  Child server({built_program("examples/server"), "127.0.0.1", "0"});
  std::string port = listening_port(server);
  interrupt(server);  // nobody listens on that port any more
  Child client({built_program("examples/client"), "127.0.0.1", port});
  EXPECT_EQ(client.wait(), 1);
  EXPECT_EQ(client.read_stderr(),
            "client: connect to 127.0.0.1:" + port + ": Connection refused\n");
}

TEST(Examples, BadPortArgumentIsRejected) {
  Child client({built_program("examples/client"), "127.0.0.1", "99999"});
  EXPECT_EQ(client.wait(), 2);
  EXPECT_NE(client.read_stderr().find("bad port '99999' (0-65535)"), std::string::npos);
}
