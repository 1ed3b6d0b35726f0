// SPDX-License-Identifier: MIT
// `soket tls-cert` and `soket tls-info` against OpenSSL: the certificate tls-cert writes is
// read and verified by `openssl x509`/`openssl verify` and served by `openssl s_server`, which
// tls-info then describes (text and --json, read back by Python's json); hostile options and
// failures give exit 2 / exit 1 with one line naming what failed.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

struct Ran {
  int status;
  std::string out, err;
};

Ran run(std::vector<std::string> argv, const std::string& cwd = {}) {
  if (!cwd.empty()) {
    std::string cmd = "cd '" + cwd + "' && exec";
    for (const auto& a : argv) cmd += " '" + a + "'";
    argv = {"bash", "-c", cmd};
  }
  Child c(argv);
  c.close_stdin();
  Ran r;
  r.out = c.read_all(60s);
  r.err = c.read_stderr(10s);
  r.status = c.wait(60s);
  return r;
}

Ran soket(std::vector<std::string> args, const std::string& cwd = {}) {
  args.insert(args.begin(), soket_tool());
  return run(std::move(args), cwd);
}

class TlsTools : public ::testing::Test {
 protected:
  TempUnixPath tmp;  // a private directory, removed afterwards
  std::string dir() const { return tmp.dir(); }
  std::string at(const std::string& name) const { return tmp.dir() + "/" + name; }
};

// `openssl s_server` on an ephemeral port serving cert/key for `accepts` connections.
struct OpensslServer {
  OpensslServer(const std::string& cert, const std::string& key, int accepts,
                std::vector<std::string> extra = {})
      : child(argv(cert, key, accepts, std::move(extra))) {
    for (int i = 0; i < 5 && port == 0; ++i) {
      auto line = child.read_line();
      if (!line) break;
      std::smatch m;
      if (std::regex_search(*line, m, std::regex(R"(ACCEPT 127\.0\.0\.1:(\d+))")))
        port = static_cast<std::uint16_t>(std::stoi(m[1]));
    }
  }
  static std::vector<std::string> argv(const std::string& cert, const std::string& key, int accepts,
                                       std::vector<std::string> extra) {
    std::vector<std::string> a = {
        "openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", std::to_string(accepts),
        "-cert",   cert,       "-key",    key,           "-www"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  Child child;
  std::uint16_t port = 0;
};

TEST_F(TlsTools, TlsCertWritesACertificateOpensslAccepts) {
  Ran r = soket({"tls-cert", "--cn", "localhost", "--san", "DNS:localhost,IP:127.0.0.1"}, dir());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("cert.pem: CN=localhost, issuer CN=localhost"), std::string::npos) << r.out;
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(at("key.pem")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  Ran x509 = run(
      {"openssl", "x509", "-in", at("cert.pem"), "-noout", "-subject", "-ext", "subjectAltName"});
  ASSERT_EQ(x509.status, 0) << x509.err;
  EXPECT_NE(x509.out.find("subject=CN = localhost"), std::string::npos) << x509.out;
  EXPECT_NE(x509.out.find("DNS:localhost, IP Address:127.0.0.1"), std::string::npos) << x509.out;
  Ran check = run({"openssl", "pkey", "-in", at("key.pem"), "-noout", "-check"});
  EXPECT_EQ(check.status, 0) << check.err;
  // Existing files are kept unless --force.
  Ran again = soket({"tls-cert", "--cn", "localhost"}, dir());
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.err, "soket tls-cert: key.pem exists (--force replaces it)\n");
  EXPECT_EQ(soket({"tls-cert", "--cn", "localhost", "--force", "--rsa"}, dir()).status, 0);
  Ran rsa = run({"openssl", "x509", "-in", at("cert.pem"), "-noout", "-text"});
  EXPECT_NE(rsa.out.find("rsaEncryption"), std::string::npos);
}

TEST_F(TlsTools, TlsCertCaSignsLeavesOpensslVerifies) {
  ASSERT_EQ(
      soket({"tls-cert", "--cn", "demo CA", "--ca", "--cert", "ca.pem", "--key", "ca.key"}, dir())
          .status,
      0);
  Ran leaf = soket(
      {"tls-cert", "--cn", "localhost", "--ca-cert", "ca.pem", "--ca-key", "ca.key", "--days", "2"},
      dir());
  ASSERT_EQ(leaf.status, 0) << leaf.err;
  EXPECT_NE(leaf.out.find("issuer CN=demo CA"), std::string::npos) << leaf.out;
  Ran verify = run({"openssl", "verify", "-CAfile", at("ca.pem"), at("cert.pem")});
  EXPECT_EQ(verify.status, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(": OK"), std::string::npos) << verify.out;
}

TEST_F(TlsTools, TlsCertHostileOptionsAreUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"tls-cert"},
      {"tls-cert", "--cn", ""},
      {"tls-cert", "--cn", std::string(65, 'x')},
      {"tls-cert", "--cn", "x", "--days", "-1"},
      {"tls-cert", "--cn", "x", "--days", "nan"},
      {"tls-cert", "--cn", "x", "--days", "1e400"},
      {"tls-cert", "--cn", "x", "--days", "0"},
      {"tls-cert", "--cn", "x", "--san", "BOGUS:1"},
      {"tls-cert", "--cn", "x", "--ca-cert", "/nonexistent"},
      {"tls-cert", "--cn", "x", "--cert", "same", "--key", "same"},
  };
  for (const auto& args : bad) {
    Ran r = soket(args, dir());
    EXPECT_EQ(r.status, 2) << args.back() << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  // --ca-cert without --ca-key.
  ASSERT_EQ(soket({"tls-cert", "--cn", "ca", "--ca", "--cert", "ca.pem", "--key", "ca.key"}, dir())
                .status,
            0);
  Ran half = soket({"tls-cert", "--cn", "x", "--ca-cert", "ca.pem"}, dir());
  EXPECT_EQ(half.status, 2);
  EXPECT_NE(half.err.find("--ca-cert and --ca-key go together"), std::string::npos) << half.err;
  EXPECT_FALSE(std::filesystem::exists(at("cert.pem")));
}

TEST_F(TlsTools, TlsInfoDescribesOpensslServer) {
  ASSERT_EQ(soket({"tls-cert", "--cn", "localhost"}, dir()).status, 0);
  OpensslServer server(at("cert.pem"), at("key.pem"), 3, {"-alpn", "h2"});
  ASSERT_NE(server.port, 0);
  Ran r = soket({"tls-info", server.address(), "--ca", at("cert.pem"), "--sni", "localhost",
                 "--alpn", "h2,http/1.1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Connected to " + server.address() + " (server name localhost)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Protocol:    TLSv1.3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ALPN:        h2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Verified:    yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  0 subject:  CN=localhost\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SANs:     DNS:localhost"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");

  Ran j = soket({"tls-info", server.address(), "--ca", at("cert.pem"), "--sni", "localhost",
                 "--tls-version", "1.2", "--json"});
  ASSERT_EQ(j.status, 0) << j.err;
  Child py(
      python_argv("import json, sys\nj = json.loads(sys.stdin.read())\n"
                  "print(j['protocol'], j['cipher']['protocol'], j['alpn'], j['verified'],"
                  " j['chain'][0]['subject'], j['chain'][0]['subject_alt_name'])\n"));
  py.write_stdin(j.out);
  py.close_stdin();
  EXPECT_EQ(py.read_line().value_or(py.read_stderr()),
            "TLSv1.2 TLSv1.2 None True CN=localhost [['DNS', 'localhost']]");

  // --insecure connects to what does not verify, and says so.
  Ran k = soket({"tls-info", server.address(), "-k"});
  EXPECT_EQ(k.status, 0) << k.err;
  EXPECT_EQ(k.err, "soket tls-info: warning: certificate not verified (--insecure)\n");
  EXPECT_NE(k.out.find("Verified:    no (--insecure)"), std::string::npos) << k.out;
}

TEST_F(TlsTools, TlsInfoFailuresAreOneLine) {
  ASSERT_EQ(soket({"tls-cert", "--cn", "localhost"}, dir()).status, 0);
  OpensslServer server(at("cert.pem"), at("key.pem"), 1);
  // Not trusted (the system store does not know this certificate).
  Ran r = soket({"tls-info", server.address(), "--sni", "localhost"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "soket tls-info: handshake with " + server.address() +
                       ": [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                       "self-signed certificate (--insecure connects anyway)\n");
  // Nothing listening.
  Ran refused = soket({"tls-info", "127.0.0.1:" + std::to_string(closed_port())});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("Connection refused"), std::string::npos) << refused.err;
  // A server that accepts TCP and never answers the handshake: the timeout ends it.
  Socket silent = listen_ephemeral();
  Ran hung = soket({"tls-info", silent.getsockname().to_string(), "-w", "0.3"});
  EXPECT_EQ(hung.status, 1);
  EXPECT_NE(hung.err.find("handshake with 127.0.0.1:"), std::string::npos) << hung.err;
  EXPECT_NE(hung.err.find("timed out"), std::string::npos) << hung.err;
  for (auto args :
       std::vector<std::vector<std::string>>{{"tls-info"},
                                             {"tls-info", ""},
                                             {"tls-info", "127.0.0.1:1", "-w", "nan"},
                                             {"tls-info", "127.0.0.1:1", "-w", "-1"},
                                             {"tls-info", "127.0.0.1:1", "--tls-version", "1.1"},
                                             {"tls-info", "127.0.0.1:1", "--ca", "/nonexistent"},
                                             {"tls-info", "not a host:port:x"}}) {
    Ran u = soket(args);
    EXPECT_EQ(u.status, 2) << args.back() << ": " << u.err;
  }
}

}  // namespace
}  // namespace soket::test
