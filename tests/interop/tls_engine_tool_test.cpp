// SPDX-License-Identifier: MIT
// `soket serve --tls` and `soket perf --tls`: against openssl s_client and Python's ssl, and
// every usage error of the new options.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include <soket/socket.hpp>

#include "interop/tool_support.hpp"
#include "tls/self_signed.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using soket::test::Child;
using soket::test::ServedByTool;
using soket::test::soket_tool;

namespace {

using soket::test::cert;

int run(std::vector<std::string> args, std::string* err = nullptr, std::string* out = nullptr) {
  args.insert(args.begin(), soket_tool());
  Child c(args);
  std::string o = c.read_all(60s);
  if (out) *out = o;
  if (err) *err = c.read_stderr();
  return c.wait(60s);
}

TEST(TlsEngineTool, ServeTlsEchoesToOpensslSClientAndPythonVerifiesItsCertificate) {
  ServedByTool srv({"--tls", "--cert", cert().cert.string(), "--key", cert().key.string(), "--mode",
                    "echo", "--address", "127.0.0.1:0", "--threads", "1"});
  ASSERT_NE(srv.port, 0) << srv.listening;
  Child client({"openssl", "s_client", "-connect", srv.address(), "-quiet", "-no_ign_eof",
                "-verify_return_error", "-CAfile", cert().cert.string(), "-verify_hostname",
                "localhost"});
  client.write_stdin("over tls\n");
  EXPECT_EQ(client.read_line(), "over tls");
  client.close_stdin();
  EXPECT_EQ(client.wait(), 0) << client.read_stderr();
  Child py(soket::test::python_argv(R"(
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="localhost")
s.sendall(b"python\n")
print(s.recv(100).decode().strip(), s.version())
)",
                                    {std::to_string(srv.port), cert().cert.string()}));
  EXPECT_EQ(py.read_line(), "python TLSv1.3");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  EXPECT_EQ(srv.stop(), 0);
}

TEST(TlsEngineTool, ServeTlsLogsAFailedHandshakeAndGoesOn) {
  ServedByTool srv({"--tls", "--cert", cert().cert.string(), "--key", cert().key.string(), "--mode",
                    "echo", "--address", "127.0.0.1:0", "--threads", "1"});
  ASSERT_NE(srv.port, 0) << srv.listening;
  EXPECT_EQ(srv.child.read_err_line(), "Event engine: 1 loops");
  soket::Socket s(soket::Family::inet, soket::Type::stream);
  s.connect(soket::Address("127.0.0.1", srv.port));
  s.sendall(std::string_view("GET / HTTP/1.0\r\n\r\n"));  // plain HTTP to a TLS port
  auto line = srv.child.read_err_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->rfind("TLS handshake with ('127.0.0.1', ", 0), 0u) << *line;
  EXPECT_NE(line->find(") failed: "), std::string::npos) << *line;
  // And it still serves.
  std::string out, err;
  EXPECT_EQ(run({"perf", srv.address(), "--tls", "-n", "3"}, &err, &out), 0) << err;
  EXPECT_EQ(srv.stop(), 0);
}

TEST(TlsEngineTool, PerfTlsAgainstServeTlsChecksEveryEchoedByte) {
  ServedByTool srv({"--tls", "--cert", cert().cert.string(), "--key", cert().key.string(), "--mode",
                    "echo", "--address", "127.0.0.1:0", "--threads", "1"});
  ASSERT_NE(srv.port, 0) << srv.listening;
  std::string out, err;
  EXPECT_EQ(run({"perf", srv.address(), "--tls", "--ca", cert().cert.string(), "--sni", "localhost",
                 "-c", "4", "-s", "65536", "-n", "50", "--json"},
                &err, &out),
            0)
      << err;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["messages"].get<long>(), 200);
  EXPECT_EQ(j["corrupt_bytes"].get<long>(), 0) << out;
  EXPECT_EQ(srv.stop(), 0);
}

TEST(TlsEngineTool, PerfTlsThatCannotVerifyTheServerFailsSayingWhy) {
  ServedByTool srv({"--tls", "--cert", cert().cert.string(), "--key", cert().key.string(), "--mode",
                    "echo", "--address", "127.0.0.1:0", "--threads", "1"});
  ASSERT_NE(srv.port, 0) << srv.listening;
  std::string err;
  EXPECT_EQ(run({"perf", srv.address(), "--tls", "--ca", cert().cert.string(), "--sni",
                 "other.example", "-n", "1", "-w", "5"},
                &err),
            1);
  EXPECT_NE(err.find("soket perf: "), std::string::npos) << err;
  EXPECT_NE(err.find("TLS handshake failed: certificate verify failed: hostname mismatch"),
            std::string::npos)
      << err;
  EXPECT_EQ(srv.stop(), 0);
}

TEST(TlsEngineTool, UsageErrorsExitTwo) {
  std::string err;
  EXPECT_EQ(run({"serve", "--tls", "--address", "127.0.0.1:0"}, &err), 2);
  EXPECT_NE(err.find("--tls needs --cert"), std::string::npos) << err;
  EXPECT_EQ(run({"serve", "--cert", cert().cert.string(), "--address", "127.0.0.1:0"}, &err), 2);
  EXPECT_NE(err.find("--cert and --key go with --tls"), std::string::npos) << err;
  EXPECT_EQ(run({"serve", "--tls", "--cert", cert().cert.string(), "--proto", "udp"}, &err), 2);
  EXPECT_NE(err.find("stream sockets"), std::string::npos) << err;
  EXPECT_EQ(run({"perf", "127.0.0.1:1", "--ca", cert().cert.string()}, &err), 2);
  EXPECT_NE(err.find("--ca and --sni go with --tls"), std::string::npos) << err;
}

TEST(TlsEngineTool, MissingCertificateFileIsARuntimeErrorNamingIt) {
  std::string err;
  EXPECT_EQ(
      run({"serve", "--tls", "--cert", "/nonexistent/cert.pem", "--address", "127.0.0.1:0"}, &err),
      1);
  EXPECT_NE(err.find("soket serve: "), std::string::npos) << err;
  EXPECT_NE(err.find("cert.pem"), std::string::npos) << err;
}

}  // namespace
