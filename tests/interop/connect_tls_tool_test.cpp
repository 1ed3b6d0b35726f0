// SPDX-License-Identifier: MIT
// `soket connect --tls` (an openssl s_client for people) against Python's ssl and OpenSSL's
// s_server: bytes arrive identical both ways, the end of stdin is a close_notify after which
// the reply still arrives, a TLS 1.3 session ticket does not stall what the user types, and
// every verification failure is one line naming it (exit 1); option misuse is exit 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"
#include "tls/pki.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

// A Python ssl server for one connection. Modes:
//   echo-after-eof  read to the end (our close_notify), then send it all back and close_notify
//   line-chat       answer each line with "got: LINE" (the client speaks first)
const char* const python_server = R"PY(
import socket, ssl, sys
cert, key, mode = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.create_server(("127.0.0.1", 0))
print(ls.getsockname()[1], flush=True)
ls.settimeout(60)
conn, _ = ls.accept()
conn.settimeout(60)
s = ctx.wrap_socket(conn, server_side=True)
if mode == "echo-after-eof":
    data = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.sendall(data)
    s.unwrap().close()
else:
    f = s.makefile("rwb")
    for line in f:
        f.write(b"got: " + line)
        f.flush()
    s.close()
)PY";

struct PythonTlsServer {
  PythonTlsServer(const TestPKI& pki, const std::string& name, const std::string& mode)
      : child(python_argv(python_server, {pki.cert(name), pki.key(name), mode})) {
    auto line = child.read_line(30s);
    if (line) port = *line;
  }
  Child child;
  std::string port;
};

ToolRun connect_tls(std::vector<std::string> args, const std::string& input = {}) {
  args.insert(args.begin(), "connect");
  return run_tool(std::move(args), input);
}

std::string random_bytes(std::size_t n) {
  std::mt19937_64 rng(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(ConnectTls, OneMebibyteGoesAndComesBackIdenticalAfterCloseNotify) {
  TestPKI pki;
  PythonTlsServer server(pki, "localhost", "echo-after-eof");
  ASSERT_FALSE(server.port.empty());
  const std::string data = random_bytes(1 << 20);
  ToolRun r = connect_tls({"--tls", "--ca", pki.ca(), "127.0.0.1", server.port}, data);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out == data) << "got " << r.out.size() << " bytes back of " << data.size();
  EXPECT_EQ(server.child.wait(30s), 0);
}

// The server's TLS 1.3 session tickets make the socket readable with no data in them; the
// line typed afterwards must still go out (a blocking read there would wait for ever).
TEST(ConnectTls, TypedLinesGoOutWhileOnlySessionTicketsHaveArrived) {
  TestPKI pki;
  PythonTlsServer server(pki, "localhost", "line-chat");
  ASSERT_FALSE(server.port.empty());
  Child c({soket_tool(), "connect", "--tls", "--ca", pki.ca(), "localhost", server.port});
  std::this_thread::sleep_for(300ms);  // the handshake and the tickets come first
  c.write_stdin("hello\n");
  EXPECT_EQ(c.read_line(20s).value_or("<nothing>"), "got: hello");
  c.write_stdin("again\n");
  EXPECT_EQ(c.read_line(20s).value_or("<nothing>"), "got: again");
  c.close_stdin();
  EXPECT_EQ(c.wait(30s), 0) << c.read_stderr();
}

TEST(ConnectTls, TalksHttpToOpensslSServerAndSaysWhatWasNegotiated) {
  TestPKI pki;
  Child server({"openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-cert",
                pki.cert("localhost"), "-key", pki.key("localhost"), "-www"});
  std::string port;
  for (int i = 0; i < 5 && port.empty(); ++i) {
    auto line = server.read_line(30s);
    if (!line) break;
    std::smatch m;
    if (std::regex_search(*line, m, std::regex(R"(ACCEPT 127\.0\.0\.1:(\d+))"))) port = m[1];
  }
  ASSERT_FALSE(port.empty());
  ToolRun r =
      connect_tls({"--tls", "-v", "--ca", pki.ca(), "--alpn", "http/1.1", "127.0.0.1", port},
                  "GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("HTTP/1.0 200 ok"), std::string::npos) << r.out.substr(0, 200);
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex(R"(TLS: TLSv1\.3 TLS_\w+.*verified for 127\.0\.0\.1)")))
      << r.err;
  server.signal(SIGTERM);
  server.wait(10s);
}

// Each failure: exit 1, one line on stderr that names it, nothing on stdout.
TEST(ConnectTls, VerificationFailuresAreOneLineEach) {
  TestPKI pki;
  struct Case {
    std::string cert;
    std::vector<std::string> options;
    std::string says;
  } cases[] = {
      {"selfsigned", {"--ca", pki.ca()}, "certificate verify failed"},
      {"expired", {"--ca", pki.ca()}, "certificate has expired"},
      {"other", {"--ca", pki.ca()}, "mismatch"},
      {"localhost", {}, "certificate verify failed"},  // the system's CAs do not know ours
  };
  for (const auto& c : cases) {
    PythonTlsServer server(pki, c.cert, "line-chat");
    ASSERT_FALSE(server.port.empty());
    std::vector<std::string> args = {"--tls"};
    args.insert(args.end(), c.options.begin(), c.options.end());
    args.insert(args.end(), {"127.0.0.1", server.port});
    ToolRun r = connect_tls(args, "hello\n");
    EXPECT_EQ(r.status, 1) << c.cert;
    EXPECT_TRUE(r.out.empty()) << c.cert;
    EXPECT_NE(r.err.find("soket connect: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.cert << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    server.child.signal(SIGTERM);
    server.child.wait(10s);
  }
}

TEST(ConnectTls, InsecureAndSniReachServersVerificationWouldRefuse) {
  TestPKI pki;
  {
    PythonTlsServer server(pki, "selfsigned", "line-chat");
    ToolRun r = connect_tls({"--tls", "--insecure", "127.0.0.1", server.port}, "hi\n");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "got: hi\n");
  }
  {
    PythonTlsServer server(pki, "other", "line-chat");  // certificate for other.example only
    ToolRun r = connect_tls(
        {"--tls", "--ca", pki.ca(), "--sni", "other.example", "127.0.0.1", server.port}, "hi\n");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "got: hi\n");
  }
}

TEST(ConnectTls, MisusedOptionsAreUsageErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"--insecure", "127.0.0.1", "443"},
      {"--sni", "x", "127.0.0.1", "443"},
      {"--tls", "-u", "127.0.0.1", "443"},
      {"--tls", "-z", "127.0.0.1", "443"},
      {"--tls", "--ca", "/nonexistent/ca.pem", "127.0.0.1", "443"},
      {"--tls", "--insecure", "--ca", "/etc/hostname", "127.0.0.1", "443"},
      {"--tls", "--sni", "", "127.0.0.1", "443"},
      {"--tls", "--alpn", "h2,,http/1.1", "127.0.0.1", "443"},
  };
  for (const auto& args : cases) {
    ToolRun r = connect_tls(args);
    EXPECT_EQ(r.status, 2) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err.rfind("soket: ", 0), 0u) << r.err;
  }
}

TEST(ConnectTls, APlainServerIsAClearHandshakeError) {
  // A server that speaks no TLS: it answers the ClientHello with plain text and closes.
  Child server(python_argv(R"PY(
import socket
ls = socket.create_server(("127.0.0.1", 0))
print(ls.getsockname()[1], flush=True)
ls.settimeout(60)
c, _ = ls.accept()
c.recv(4096)
c.sendall(b"220 plain SMTP here\r\n")
c.close()
)PY"));
  auto port = server.read_line(30s);
  ASSERT_TRUE(port);
  ToolRun r = connect_tls({"--tls", "--insecure", "127.0.0.1", *port});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("soket connect: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << r.err;
  EXPECT_EQ(server.wait(10s), 0);
}

}  // namespace
}  // namespace soket::test
