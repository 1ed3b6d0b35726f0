// SPDX-License-Identifier: MIT
// SSLContext: Python's defaults per protocol, its ValueErrors, loading certificates and keys
// (password callback), and the certificate helpers, checked against Python's own ssl module.
#include <soket/tls/context.hpp>

#include <gtest/gtest.h>
#include <fstream>
#include <type_traits>

#include <soket/tls.hpp>

#include "support/support.hpp"
#include "tls/pki.hpp"

namespace soket::tls {
namespace {

using test::error_of;

TEST(SSLContext, ClientDefaultsAreUpstreamPythons) {
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  EXPECT_EQ(ctx.verify_mode(), CERT_REQUIRED);
  EXPECT_TRUE(ctx.check_hostname());
  EXPECT_TRUE(ctx.hostname_checks_common_name());
  EXPECT_EQ(ctx.minimum_version(), TLSVersion::tlsv1_2);
  EXPECT_EQ(ctx.maximum_version(), TLSVersion::maximum_supported);
  // Upstream 3.11.7: 0x82520050 (OP_ALL, NO_SSLv3, CIPHER_SERVER_PREFERENCE, MIDDLEBOX_COMPAT,
  // NO_COMPRESSION) and never OP_IGNORE_UNEXPECTED_EOF: truncation must be visible.
  EXPECT_EQ(ctx.options() & 0xffffffff, 0x82520050u);
  EXPECT_EQ(ctx.options() & op::ignore_unexpected_eof, 0u);
  EXPECT_EQ(ctx.verify_flags(), 0x8000u);  // VERIFY_X509_TRUSTED_FIRST
  EXPECT_EQ(ctx.security_level(), 2);
  EXPECT_EQ(ctx.cert_store_stats().x509, 0u);  // nothing trusted until loaded
}

TEST(SSLContext, ServerDefaultsVerifyNothing) {
  SSLContext ctx(PROTOCOL_TLS_SERVER);
  EXPECT_EQ(ctx.verify_mode(), CERT_NONE);
  EXPECT_FALSE(ctx.check_hostname());
  EXPECT_EQ(ctx.num_tickets(), 2u);
  EXPECT_EQ(ctx.minimum_version(), TLSVersion::tlsv1_2);
}

TEST(SSLContext, CipherListMatchesPythons) {
  // Upstream Python's cipher string gives 17 suites with OpenSSL 3.0 (3 of them TLS 1.3).
  auto ciphers = SSLContext(PROTOCOL_TLS_CLIENT).get_ciphers();
  EXPECT_EQ(ciphers.size(), 17u);
  EXPECT_EQ(ciphers.front(), "TLS_AES_256_GCM_SHA384");
  for (const auto& c : ciphers) EXPECT_EQ(c.find("SHA1"), std::string::npos) << c;
}

TEST(SSLContext, CertNoneWithCheckHostnameIsValueError) {
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  EXPECT_EQ(error_of([&] { ctx.verify_mode(CERT_NONE); }),
            "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
  ctx.check_hostname(false);
  ctx.verify_mode(CERT_NONE);
  EXPECT_EQ(ctx.verify_mode(), CERT_NONE);
  // Turning check_hostname back on raises verify_mode to CERT_REQUIRED (as Python's).
  ctx.check_hostname(true);
  EXPECT_EQ(ctx.verify_mode(), CERT_REQUIRED);
  SSLContext server(PROTOCOL_TLS_SERVER);
  server.check_hostname(true);
  EXPECT_EQ(server.verify_mode(), CERT_REQUIRED);
}

TEST(SSLContext, OptionsSetterClearsBitsToo) {
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  std::uint64_t before = ctx.options();
  ctx.options(before | op::no_ticket);
  EXPECT_NE(ctx.options() & op::no_ticket, 0u);
  ctx.options(before & ~op::no_compression);
  EXPECT_EQ(ctx.options() & op::no_compression, 0u);
  EXPECT_EQ(ctx.options() & op::no_ticket, 0u);
}

TEST(SSLContext, VersionBounds) {
  SSLContext ctx(PROTOCOL_TLS_SERVER);
  ctx.minimum_version(TLSVersion::tlsv1_3);
  ctx.maximum_version(TLSVersion::tlsv1_3);
  EXPECT_EQ(ctx.minimum_version(), TLSVersion::tlsv1_3);
  EXPECT_EQ(ctx.maximum_version(), TLSVersion::tlsv1_3);
  ctx.maximum_version(TLSVersion::maximum_supported);
  EXPECT_EQ(ctx.maximum_version(), TLSVersion::maximum_supported);
  EXPECT_THROW(ctx.minimum_version(static_cast<TLSVersion>(0x7777)), std::invalid_argument);
  EXPECT_EQ(to_string(TLSVersion::tlsv1_3), "TLSv1.3");
}

TEST(SSLContext, SetCiphersWithNoMatchIsSSLError) {
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  try {
    ctx.set_ciphers("NOTACIPHER");
    FAIL() << "no error";
  } catch (const SSLError& e) {
    EXPECT_EQ(e.strerror(), "No cipher can be selected.");
    EXPECT_EQ(e.code(), SSLErrorNumber::ssl);
  }
  ctx.set_ciphers("ECDHE+AESGCM");
  EXPECT_LT(ctx.get_ciphers().size(), 17u);
}

TEST(SSLContext, AlpnNamesAreChecked) {
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  EXPECT_THROW(ctx.set_alpn_protocols({""}), std::invalid_argument);
  EXPECT_THROW(ctx.set_alpn_protocols({std::string(256, 'x')}), std::invalid_argument);
  ctx.set_alpn_protocols({"h2", "http/1.1", std::string(255, 'x')});
  EXPECT_THROW(ctx.set_ecdh_curve("nosuchcurve"), std::invalid_argument);
  ctx.set_ecdh_curve("X25519");
}

TEST(SSLContext, ServerOnlySettings) {
  SSLContext client(PROTOCOL_TLS_CLIENT);
  EXPECT_EQ(error_of([&] { client.num_tickets(1); }), "SSLContext is not a server context.");
  EXPECT_THROW(client.sni_callback([](SNIHello&) { return std::nullopt; }), std::invalid_argument);
}

TEST(SSLContext, LoadCertChainMissingFileNamesIt) {
  SSLContext ctx(PROTOCOL_TLS_SERVER);
  try {
    ctx.load_cert_chain("/nonexistent/cert.pem");
    FAIL() << "no error";
  } catch (const FileNotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cert.pem"), std::string::npos) << e.what();
  }
}

TEST(SSLContext, LoadCertChainGarbageIsSSLErrorWithReason) {
  test::TestPKI pki;
  std::string path = pki.dir() + "/garbage.pem";
  std::ofstream(path) << "this is not a certificate\n";
  SSLContext ctx(PROTOCOL_TLS_SERVER);
  try {
    ctx.load_cert_chain(path);
    FAIL() << "no error";
  } catch (const SSLError& e) {
    EXPECT_EQ(e.library(), "PEM");
    EXPECT_EQ(e.reason(), "NO_START_LINE");
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  // A key that does not match the certificate.
  EXPECT_THROW(ctx.load_cert_chain(pki.cert("localhost"), pki.key("other")), SSLError);
}

TEST(SSLContext, EncryptedKeyNeedsThePassword) {
  test::TestPKI pki;
  SSLContext ctx(PROTOCOL_TLS_SERVER);
  // No password: fails instead of prompting on a terminal.
  EXPECT_THROW(ctx.load_cert_chain(pki.cert("locked"), pki.key("locked")), SSLError);
  try {
    ctx.load_cert_chain(pki.cert("locked"), pki.key("locked"), std::string("wrong"));
    FAIL() << "no error";
  } catch (const SSLError& e) {
    EXPECT_EQ(e.reason(), "BAD_DECRYPT") << e.what();
  }
  int asked = 0;
  ctx.load_cert_chain(pki.cert("locked"), pki.key("locked"), [&] {
    ++asked;
    return std::string("s3cret");
  });
  EXPECT_EQ(asked, 1);
  // A callback that throws: its exception comes out of load_cert_chain.
  EXPECT_THROW(ctx.load_cert_chain(pki.cert("locked"), pki.key("locked"),
                                   []() -> std::string { throw std::runtime_error("no tty"); }),
               std::runtime_error);
  EXPECT_EQ(error_of([&] {
              ctx.load_cert_chain(pki.cert("locked"), pki.key("locked"),
                                  [] { return std::string(5000, 'x'); });
            }),
            "password cannot be longer than 1024 bytes");
}

TEST(SSLContext, LoadVerifyLocations) {
  test::TestPKI pki;
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  EXPECT_THROW(ctx.load_verify_locations(std::nullopt), std::invalid_argument);
  EXPECT_THROW(ctx.load_verify_locations(pki.dir() + "/missing.pem"), FileNotFoundError);
  ctx.load_verify_locations(pki.ca());
  EXPECT_EQ(ctx.cert_store_stats().x509, 1u);
  EXPECT_EQ(ctx.cert_store_stats().x509_ca, 1u);
  // cadata: PEM text, or DER bytes; loading the same CA again is no error.
  std::ifstream in(pki.cert("intermediate"));
  std::string pem((std::istreambuf_iterator<char>(in)), {});
  ctx.load_verify_locations(std::nullopt, std::nullopt, pem);
  ctx.load_verify_locations(std::nullopt, std::nullopt, PEM_cert_to_DER_cert(pem));
  EXPECT_EQ(ctx.cert_store_stats().x509, 2u);
  EXPECT_THROW(ctx.load_verify_locations(std::nullopt, std::nullopt, std::string("junk")),
               std::invalid_argument);
}

TEST(SSLContext, DefaultContextTrustsTheSystemStore) {
  SSLContext ctx = create_default_context();
  EXPECT_EQ(ctx.protocol(), PROTOCOL_TLS_CLIENT);
  EXPECT_TRUE(ctx.check_hostname());
  SSLContext server = create_default_context(Purpose::client_auth);
  EXPECT_EQ(server.protocol(), PROTOCOL_TLS_SERVER);
  EXPECT_EQ(server.verify_mode(), CERT_NONE);
  SSLContext unverified = create_unverified_context();
  EXPECT_EQ(unverified.verify_mode(), CERT_NONE);
  EXPECT_FALSE(unverified.check_hostname());
}

TEST(SSLContext, KeylogFileGetsLines) {
  test::TestPKI pki;
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  EXPECT_THROW(ctx.keylog_filename(std::filesystem::path("/nonexistent/dir/keys")), Error);
  ctx.keylog_filename(pki.dir() + "/keys.log");
  EXPECT_TRUE(std::filesystem::exists(pki.dir() + "/keys.log"));
  ctx.keylog_filename(std::nullopt);
}

TEST(SSLContext, SystemStoreAndVersion) {
  SSLContext ctx(PROTOCOL_TLS_CLIENT);
  ctx.set_default_verify_paths();
  ctx.load_default_certs(Purpose::server_auth);
  EXPECT_EQ(openssl_version().rfind("OpenSSL 3", 0), 0u) << openssl_version();
  SSLContext server(PROTOCOL_TLS_SERVER);
  server.verify_mode(CERT_OPTIONAL);
  EXPECT_EQ(server.verify_mode(), CERT_OPTIONAL);
}

// Python's tree: SSLError(OSError) and its subclasses; CertificateError is an alias.
static_assert(std::is_base_of_v<Error, SSLError>);
static_assert(std::is_base_of_v<SSLError, SSLZeroReturnError>);
static_assert(std::is_base_of_v<SSLError, SSLWantReadError>);
static_assert(std::is_base_of_v<SSLError, SSLWantWriteError>);
static_assert(std::is_base_of_v<SSLError, SSLSyscallError>);
static_assert(std::is_base_of_v<SSLError, SSLEOFError>);
static_assert(std::is_base_of_v<SSLError, SSLCertVerificationError>);
static_assert(std::is_same_v<CertificateError, SSLCertVerificationError>);

TEST(SSLError, CarriesPythonsFields) {
  SSLCertVerificationError e(make_error_code(SSLErrorNumber::ssl), "handshake with x: text", "text",
                             62, "Hostname mismatch, certificate is not valid for 'x'.");
  EXPECT_STREQ(e.what(), "handshake with x: text");
  EXPECT_EQ(e.verify_code(), 62);
  EXPECT_EQ(e.library(), "SSL");
  EXPECT_EQ(e.reason(), "CERTIFICATE_VERIFY_FAILED");
  const Error& as_oserror = e;
  EXPECT_EQ(as_oserror.code(), SSLErrorNumber::ssl);
  SSLZeroReturnError z(make_error_code(SSLErrorNumber::zero_return), "recv: closed", "closed");
  EXPECT_EQ(z.code().message(), "TLS/SSL connection has been closed (EOF)");
  SSLSyscallError sys(make_error_code(SSLErrorNumber::syscall), "send: io", "io");
  EXPECT_EQ(sys.code().message(), "Some I/O error occurred");
}

TEST(SSLError, CategoryTextsArePythons) {
  EXPECT_EQ(std::error_code(SSLErrorNumber::want_read).message(),
            "The operation did not complete (read)");
  EXPECT_EQ(std::error_code(SSLErrorNumber::eof).message(),
            "EOF occurred in violation of protocol");
  EXPECT_EQ(std::error_code(SSLErrorNumber::zero_return).message(),
            "TLS/SSL connection has been closed (EOF)");
  EXPECT_EQ(std::error_code(static_cast<SSLErrorNumber>(99)).message(), "Invalid error code");
}

}  // namespace
}  // namespace soket::tls
