// SPDX-License-Identifier: MIT
// A throw-away self-signed certificate for localhost / 127.0.0.1 made by `openssl req` (so a
// peer no one here wrote made it), for tests where the certificate is its own CA. One per test
// program, removed at exit. (tests/tls/pki.hpp makes a whole PKI, for verification cases.)
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <system_error>

#include <soket/tls/context.hpp>

#include "support/support.hpp"

namespace soket::test {

struct SelfSignedCert {
  std::filesystem::path dir, cert, key;
  SelfSignedCert() {
    char tmpl[] = "/tmp/soket-selfsigned-XXXXXX";
    dir = ::mkdtemp(tmpl);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    Child c({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", key.string(), "-out", cert.string(), "-days", "2", "-subj",
             "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    EXPECT_EQ(c.wait(), 0) << c.read_stderr();
  }
  ~SelfSignedCert() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  SelfSignedCert(const SelfSignedCert&) = delete;
  SelfSignedCert& operator=(const SelfSignedCert&) = delete;
  tls::SSLContext server_context() const {
    tls::SSLContext ctx(tls::PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(cert, key);
    return ctx;
  }
};

/// The test program's certificate, made on first use.
inline const SelfSignedCert& cert() {
  static SelfSignedCert c;
  return c;
}

}  // namespace soket::test
