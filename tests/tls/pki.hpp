// SPDX-License-Identifier: MIT
// The TLS tests' own PKI, made fresh by each test run in a private temporary directory (nothing
// secret is checked in): a root CA, an intermediate CA, and leaf certificates for every
// verification case (good, wrong name, expired, not yet valid, self-signed, unknown CA, signed
// by the intermediate).
#pragma once

#include <unistd.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <soket/tls.hpp>

namespace soket::test {

class TestPKI {
 public:
  TestPKI() {
    char tmpl[] = "/tmp/soket-pki-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    using namespace std::chrono;
    tls::CertificateSpec ca_spec;
    ca_spec.common_name = "soket test CA";
    ca_spec.is_ca = true;
    ca_ = tls::make_certificate(ca_spec);
    save("ca", ca_);
    tls::CertificateSpec inter_spec = ca_spec;
    inter_spec.common_name = "soket test intermediate";
    inter_ = tls::make_certificate(inter_spec, &ca_);
    save("intermediate", inter_);

    leaf("localhost", {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}, &ca_);
    leaf("other", {"DNS:other.example"}, &ca_, "other.example");
    tls::CertificateSpec expired = spec("localhost", {"DNS:localhost", "IP:127.0.0.1"});
    expired.not_before_offset = -hours(24 * 10);
    expired.valid_for = hours(24);
    save("expired", tls::make_certificate(expired, &ca_));
    tls::CertificateSpec future = spec("localhost", {"DNS:localhost", "IP:127.0.0.1"});
    future.not_before_offset = hours(24 * 10);
    save("future", tls::make_certificate(future, &ca_));
    save("selfsigned", tls::make_certificate(spec("localhost", {"DNS:localhost"})));
    tls::CertificateSpec rogue_ca = ca_spec;
    rogue_ca.common_name = "rogue CA";
    auto rogue = tls::make_certificate(rogue_ca);
    save("unknown", tls::make_certificate(spec("localhost", {"DNS:localhost"}), &rogue));
    auto via_inter = tls::make_certificate(spec("localhost", {"DNS:localhost"}), &inter_);
    save("leaf_only", via_inter);  // chain missing its intermediate
    save("chained", {via_inter.cert_pem + inter_.cert_pem, via_inter.key_pem});
    tls::CertificateSpec locked = spec("localhost", {"DNS:localhost"});
    locked.key_password = "s3cret";
    save("locked", tls::make_certificate(locked, &ca_));
  }
  ~TestPKI() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestPKI(const TestPKI&) = delete;
  TestPKI& operator=(const TestPKI&) = delete;

  /// <dir>/<name>.pem (certificate, or chain) and <dir>/<name>.key.
  std::string cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }
  std::string ca() const { return cert("ca"); }
  const std::string& dir() const { return dir_; }

  /// A server context serving `name`'s certificate.
  tls::SSLContext server(const std::string& name = "localhost") const {
    tls::SSLContext ctx(tls::PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(cert(name), key(name));
    return ctx;
  }
  /// A client context trusting the test CA.
  tls::SSLContext client() const {
    tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
    ctx.load_verify_locations(ca());
    return ctx;
  }

 private:
  static tls::CertificateSpec spec(const std::string& cn, std::vector<std::string> sans) {
    tls::CertificateSpec s;
    s.common_name = cn;
    s.subject_alt_names = std::move(sans);
    return s;
  }
  void leaf(const std::string& file, std::vector<std::string> sans,
            const tls::CertificateAndKey* issuer, const std::string& cn = "localhost") {
    save(file, tls::make_certificate(spec(cn, std::move(sans)), issuer));
  }
  void save(const std::string& name, const tls::CertificateAndKey& ck) const {
    std::ofstream(cert(name)) << ck.cert_pem;
    std::ofstream(key(name)) << ck.key_pem;
  }

  std::string dir_;
  tls::CertificateAndKey ca_, inter_;
};

}  // namespace soket::test
