// SPDX-License-Identifier: MIT
// soket's TLS against peers no one here wrote: OpenSSL's s_server and s_client, and Python's
// ssl module, in both directions, TLS 1.2 and 1.3, with ALPN and SNI checked on the other side.
#include <soket/tls/ssl_socket.hpp>

#include <gtest/gtest.h>
#include <regex>

#include <soket/tls.hpp>

#include "tls/pki.hpp"
#include "tls/tls_support.hpp"

namespace soket::tls {
namespace {

using test::Child;
using test::connect_to;
using test::OneShotServer;

class TLSInterop : public ::testing::TestWithParam<TLSVersion> {
 protected:
  static void SetUpTestSuite() { pki_ = new test::TestPKI; }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static const char* openssl_flag(TLSVersion v) {
    return v == TLSVersion::tlsv1_2 ? "-tls1_2" : "-tls1_3";
  }
  static const char* python_version(TLSVersion v) {
    return v == TLSVersion::tlsv1_2 ? "TLSv1_2" : "TLSv1_3";
  }
  static test::TestPKI* pki_;
};
test::TestPKI* TLSInterop::pki_ = nullptr;

// The port from s_server's "ACCEPT 127.0.0.1:PORT" line.
std::uint16_t accept_port(Child& server) {
  for (int i = 0; i < 5; ++i) {
    auto line = server.read_line();
    if (!line) break;
    std::smatch m;
    if (std::regex_search(*line, m, std::regex(R"(ACCEPT 127\.0\.0\.1:(\d+))")))
      return static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  return 0;
}

TEST_P(TLSInterop, SoketClientToOpensslServer) {
  const TLSVersion v = GetParam();
  Child server({"openssl",     "s_server",
                "-accept",     "127.0.0.1:0",
                "-naccept",    "2",
                "-rev",        openssl_flag(v),
                "-cert",       pki_->cert("localhost"),
                "-key",        pki_->key("localhost"),
                "-alpn",       "h2,http/1.1",
                "-servername", "other.example",
                "-cert2",      pki_->cert("other"),
                "-key2",       pki_->key("other")});
  std::uint16_t port = accept_port(server);
  ASSERT_NE(port, 0) << server.read_stderr();
  SSLContext client = pki_->client();
  client.set_alpn_protocols({"http/1.1"});
  {
    SSLSocket s = client.wrap_socket(connect_to(Address("127.0.0.1", port)), false, "localhost");
    EXPECT_EQ(s.version(), to_string(v));
    EXPECT_EQ(s.selected_alpn_protocol(), "http/1.1");
    EXPECT_EQ(s.getpeercert()->subject_field("commonName"), "localhost");
    s.sendall("hello soket\n");
    std::string got;
    while (got.find('\n') == std::string::npos) {
      std::string part = s.recv(100);
      ASSERT_FALSE(part.empty());
      got += part;
    }
    EXPECT_EQ(got, "tekos olleh\n");  // -rev echoes lines reversed
  }
  // s_server switches to its second certificate for the SNI name we send. (It then forgets
  // ALPN: its second context has none, for Python's client too.)
  SSLSocket s = client.wrap_socket(connect_to(Address("127.0.0.1", port)), false, "other.example");
  EXPECT_EQ(s.getpeercert()->subject_field("commonName"), "other.example");
  s.close();
  std::string out = server.read_all();
  EXPECT_NE(out.find("Switching server context"), std::string::npos) << out;
}

TEST_P(TLSInterop, OpensslClientToSoketServer) {
  const TLSVersion v = GetParam();
  SSLContext server = pki_->server();
  server.set_alpn_protocols({"h2"});
  server.maximum_version(v);
  std::optional<std::string> sni;
  server.sni_callback([&](SNIHello& hello) -> std::optional<AlertDescription> {
    if (hello.server_name()) sni = std::string(*hello.server_name());
    return std::nullopt;
  });
  OneShotServer srv([&](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    std::string line;
    while (line.find('\n') == std::string::npos) {
      std::string part = s.recv(100);
      if (part.empty()) break;
      line += part;
    }
    s.sendall("soket says " + line);
    s.unwrap();
  });
  Child client({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(srv.port()),
                "-servername", "localhost", "-verify_hostname", "localhost", "-CAfile", pki_->ca(),
                "-verify_return_error", "-alpn", "h2", openssl_flag(v), "-brief", "-quiet"});
  client.write_stdin("from s_client\n");
  auto reply = client.read_line();
  client.close_stdin();
  EXPECT_EQ(reply.value_or("(nothing)"), "soket says from s_client");
  std::string err = client.read_stderr();
  client.wait();
  EXPECT_NE(err.find("Protocol version: " + std::string(to_string(v))), std::string::npos) << err;
  EXPECT_NE(err.find("Verification: OK"), std::string::npos) << err;
  EXPECT_EQ(srv.error(), "");
  EXPECT_EQ(sni, "localhost");
}

constexpr const char* python_server = R"(
import socket, ssl, sys
cert, key, version = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.maximum_version = getattr(ssl.TLSVersion, version)
ctx.set_alpn_protocols(['h2', 'http/1.1'])
seen = []
ctx.sni_callback = lambda obj, name, c: seen.append(name)
with socket.create_server(('127.0.0.1', 0)) as ls:
    print(ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    with ctx.wrap_socket(conn, server_side=True) as s:
        data = s.recv(100)
        s.sendall(b'python got ' + data)
        print(s.version(), s.selected_alpn_protocol(), seen[0], flush=True)
)";

TEST_P(TLSInterop, SoketClientToPythonServer) {
  const TLSVersion v = GetParam();
  Child server(test::python_argv(
      python_server, {pki_->cert("localhost"), pki_->key("localhost"), python_version(v)}));
  auto port = server.read_line();
  ASSERT_TRUE(port) << server.read_stderr();
  SSLContext client = pki_->client();
  client.set_alpn_protocols({"http/1.1", "h2"});
  SSLSocket s = client.wrap_socket(
      connect_to(Address("127.0.0.1", static_cast<std::uint16_t>(std::stoi(*port)))), false,
      "localhost");
  EXPECT_EQ(s.version(), to_string(v));
  EXPECT_EQ(s.selected_alpn_protocol(), "h2");  // the server's preference
  s.sendall("hi");
  EXPECT_EQ(s.recv(100), "python got hi");
  EXPECT_EQ(server.read_line().value_or(server.read_stderr()),
            std::string(to_string(v)) + " h2 localhost");
}

constexpr const char* python_client = R"(
import socket, ssl, sys
port, ca, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.maximum_version = getattr(ssl.TLSVersion, version)
ctx.set_alpn_protocols(['http/1.1'])
with ctx.wrap_socket(socket.create_connection(('127.0.0.1', port)), server_hostname='localhost') as s:
    s.sendall(b'from python')
    print(s.recv(100).decode(), s.version(), s.selected_alpn_protocol(),
          dict(x[0] for x in s.getpeercert()['subject'])['commonName'], flush=True)
    try:
        print(repr(s.recv(100)), flush=True)
    except ssl.SSLError as e:
        print(type(e).__name__, flush=True)
)";

TEST_P(TLSInterop, PythonClientToSoketServer) {
  const TLSVersion v = GetParam();
  SSLContext server = pki_->server();
  server.set_alpn_protocols({"h2", "http/1.1"});
  std::optional<std::string> sni;
  server.sni_callback([&](SNIHello& hello) -> std::optional<AlertDescription> {
    if (hello.server_name()) sni = std::string(*hello.server_name());
    return std::nullopt;
  });
  OneShotServer srv([&](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    s.sendall("soket got " + s.recv(100));
    try {
      s.unwrap();  // close_notify: Python's next recv is b''
    } catch (const SSLEOFError&) {
      // Python closes without answering close_notify (its close() sends none).
    }
  });
  Child client(test::python_argv(python_client,
                                 {std::to_string(srv.port()), pki_->ca(), python_version(v)}));
  EXPECT_EQ(client.read_line().value_or(client.read_stderr()),
            "soket got from python " + std::string(to_string(v)) + " http/1.1 localhost");
  EXPECT_EQ(client.read_line().value_or(""), "b''");
  EXPECT_EQ(client.wait(), 0);
  EXPECT_EQ(srv.error(), "");
  EXPECT_EQ(sni, "localhost");
}

INSTANTIATE_TEST_SUITE_P(Versions, TLSInterop,
                         ::testing::Values(TLSVersion::tlsv1_2, TLSVersion::tlsv1_3),
                         [](const auto& param_info) {
                           return param_info.param == TLSVersion::tlsv1_2 ? std::string("TLS12")
                                                                          : std::string("TLS13");
                         });

TEST(TLSInteropErrors, PythonSeesSoketVerificationFailureAsItsOwn) {
  // A soket server with an expired certificate: Python's client fails with the same code.
  test::TestPKI pki;
  SSLContext server = pki.server("expired");
  OneShotServer srv([&](Socket conn) { server.wrap_socket(std::move(conn), true); });
  Child client(test::python_argv(
      "import socket, ssl, sys\nctx = ssl.create_default_context(cafile=sys.argv[2])\n"
      "try:\n  ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))),"
      " server_hostname='localhost')\nexcept ssl.SSLCertVerificationError as e:\n"
      "  print(e.verify_code, e.verify_message)\n",
      {std::to_string(srv.port()), pki.ca()}));
  EXPECT_EQ(client.read_line().value_or(""), "10 certificate has expired");
}

TEST(TLSInteropErrors, TlsClientToPlainServerIsWrongVersionNumber) {
  OneShotServer srv([](Socket conn) {
    conn.recv(4096);
    conn.sendall("HTTP/1.0 400 Bad Request\r\n\r\n");
  });
  SSLContext client = create_unverified_context();
  try {
    client.wrap_socket(connect_to(srv.address()));
    FAIL() << "no error";
  } catch (const SSLError& e) {
    EXPECT_EQ(e.reason(), "WRONG_VERSION_NUMBER");
    EXPECT_EQ(e.strerror(), "[SSL: WRONG_VERSION_NUMBER] wrong version number");
  }
}

TEST(TLSInteropErrors, VersionMismatchAlerts) {
  test::TestPKI pki;
  SSLContext server = pki.server();
  server.minimum_version(TLSVersion::tlsv1_3);
  OneShotServer srv([&](Socket conn) { server.wrap_socket(std::move(conn), true); });
  SSLContext client = pki.client();
  client.maximum_version(TLSVersion::tlsv1_2);
  try {
    client.wrap_socket(connect_to(srv.address()), false, "localhost");
    FAIL() << "no error";
  } catch (const SSLError& e) {
    EXPECT_EQ(e.reason(), "TLSV1_ALERT_PROTOCOL_VERSION");
  }
  EXPECT_NE(srv.error().find("UNSUPPORTED_PROTOCOL"), std::string::npos) << srv.error();
}

}  // namespace
}  // namespace soket::tls
