// SPDX-License-Identifier: MIT
// Certificate decoding compared field by field with Python's own decoder
// (ssl._ssl._test_decode_cert), on a certificate `openssl req` makes with every SAN type and
// the AIA / CRL extensions; PEM <-> DER and cert_time_to_seconds against Python's.
#include <soket/tls/certificate.hpp>

#include <gtest/gtest.h>
#include <fstream>

#include <soket/tls.hpp>

#include "support/support.hpp"
#include "tls/pki.hpp"

namespace soket::tls {
namespace {

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

// Python's repr of a tuple of strings / pairs, as the dict getpeercert() returns prints it.
template <class T, class F>
std::string tuple(const std::vector<T>& items, F&& each) {
  std::string out = "(";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + each(items[i]);
  return out + (items.size() == 1 ? ",)" : ")");
}

std::string pair(const std::pair<std::string, std::string>& p) {
  return "(" + quoted(p.first) + ", " + quoted(p.second) + ")";
}

std::string repr(const Certificate& c) {
  auto rdn = [](const Certificate::RDN& r) { return tuple(r, pair); };
  std::string out =
      "{'subject': " + tuple(c.subject, rdn) + ", 'issuer': " + tuple(c.issuer, rdn) +
      ", 'version': " + std::to_string(c.version) + ", 'serialNumber': " + quoted(c.serial_number) +
      ", 'notBefore': " + quoted(c.not_before) + ", 'notAfter': " + quoted(c.not_after);
  if (!c.subject_alt_name.empty()) out += ", 'subjectAltName': " + tuple(c.subject_alt_name, pair);
  if (!c.ocsp.empty()) out += ", 'OCSP': " + tuple(c.ocsp, quoted);
  if (!c.ca_issuers.empty()) out += ", 'caIssuers': " + tuple(c.ca_issuers, quoted);
  if (!c.crl_distribution_points.empty())
    out += ", 'crlDistributionPoints': " + tuple(c.crl_distribution_points, quoted);
  return out + "}";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string python_decode(const std::string& pem_path) {
  test::Child py(test::python_argv(
      "import ssl, sys\nprint(repr(ssl._ssl._test_decode_cert(sys.argv[1])))\n", {pem_path}));
  auto line = py.read_line();
  py.wait();
  return line.value_or("(python printed nothing: " + py.read_stderr() + ")");
}

TEST(Certificate, DecodesLikePythonForEverySanType) {
  test::TestPKI pki;
  const std::string cert = pki.dir() + "/rich.pem";
  test::Child openssl({"openssl",
                       "req",
                       "-x509",
                       "-newkey",
                       "ec",
                       "-pkeyopt",
                       "ec_paramgen_curve:P-256",
                       "-nodes",
                       "-keyout",
                       pki.dir() + "/rich.key",
                       "-out",
                       cert,
                       "-days",
                       "30",
                       "-subj",
                       "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=localhost",
                       "-addext",
                       "subjectAltName=DNS:localhost,DNS:*.example.org,IP:127.0.0.1,IP:2001:db8::1,"
                       "email:user@example.org,URI:https://example.org/x,RID:1.2.3.4.5",
                       "-addext",
                       "authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca."
                       "example/ca.cer",
                       "-addext",
                       "crlDistributionPoints=URI:http://ca.example/crl"});
  ASSERT_EQ(openssl.wait(), 0) << openssl.read_stderr();
  std::string der = PEM_cert_to_DER_cert(slurp(cert));
  Certificate c = decode_certificate(der);
  EXPECT_EQ(repr(c), python_decode(cert));
  EXPECT_EQ(c.subject_field("commonName"), "localhost");
  EXPECT_EQ(c.subject_field("organizationName"), "Python Software Foundation");
  EXPECT_EQ(c.subject_field("nothing"), "");
  EXPECT_NE(c.subject_text.find("CN=localhost"), std::string::npos) << c.subject_text;
}

TEST(Certificate, DecodesTheTestPkiLikePython) {
  test::TestPKI pki;
  for (const char* name : {"ca", "localhost", "expired", "selfsigned"}) {
    Certificate c = decode_certificate(PEM_cert_to_DER_cert(slurp(pki.cert(name))));
    EXPECT_EQ(repr(c), python_decode(pki.cert(name))) << name;
  }
}

TEST(Certificate, PemDerRoundTripMatchesPython) {
  test::TestPKI pki;
  const std::string pem = slurp(pki.cert("localhost"));
  const std::string der = PEM_cert_to_DER_cert(pem);
  EXPECT_EQ(DER_cert_to_PEM_cert(der), pem);  // OpenSSL writes 64-column PEM, as Python does
  test::Child py(test::python_argv(
      "import ssl, sys\nder = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())\n"
      "print(der.hex())\n",
      {pki.cert("localhost")}));
  std::string hex;
  for (unsigned char ch : der) {
    static const char* digits = "0123456789abcdef";
    hex += digits[ch >> 4];
    hex += digits[ch & 15];
  }
  EXPECT_EQ(py.read_line().value_or(""), hex);
}

TEST(Certificate, BadInputIsRejected) {
  EXPECT_THROW(decode_certificate("not der"), SSLError);
  EXPECT_THROW(decode_certificate(""), SSLError);
  EXPECT_THROW(PEM_cert_to_DER_cert("no pem here"), std::invalid_argument);
  EXPECT_THROW(PEM_cert_to_DER_cert("-----BEGIN CERTIFICATE-----\nabc"), std::invalid_argument);
  EXPECT_THROW(PEM_cert_to_DER_cert("-----BEGIN CERTIFICATE-----\nab!\n-----END CERTIFICATE-----"),
               std::invalid_argument);
  // Truncated DER of a real certificate.
  test::TestPKI pki;
  std::string der = PEM_cert_to_DER_cert(slurp(pki.cert("localhost")));
  EXPECT_THROW(decode_certificate(der.substr(0, der.size() / 2)), SSLError);
  // A version field X.509 does not have (v1..v3 are 0..2 on the wire): here -106, which the
  // fuzzer found OpenSSL's d2i accepts. Python would report "version": -105.
  const std::string v3("\xa0\x03\x02\x01\x02", 5);
  const auto at = der.find(v3);
  ASSERT_NE(at, std::string::npos);
  for (char bad : {'\x96', '\x03', '\x7f'}) {
    std::string odd = der;
    odd[at + 4] = bad;
    try {
      decode_certificate(odd);
      ADD_FAILURE() << "version byte " << int(static_cast<unsigned char>(bad)) << " accepted";
    } catch (const SSLError& e) {
      EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
    }
  }
}

TEST(Certificate, CertTimeToSecondsMatchesPython) {
  const std::vector<std::string> times = {"Jan  5 09:34:43 2018 GMT", "Oct 28 14:23:16 2037 GMT",
                                          "Feb 29 00:00:00 2024 GMT", "Dec 31 23:59:59 1999 GMT"};
  for (const auto& t : times) {
    test::Child py(
        test::python_argv("import ssl, sys\nprint(ssl.cert_time_to_seconds(sys.argv[1]))\n", {t}));
    EXPECT_EQ(std::to_string(cert_time_to_seconds(t)), py.read_line().value_or("")) << t;
  }
  for (const char* bad :
       {"", "Foo  5 09:34:43 2018 GMT", "Jan  5 09:34:43 2018 UTC", "Jan 32 09:34:43 2018 GMT",
        "Jan  5 25:34:43 2018 GMT", "Jan  5 09:34:43 2018 GMT trailing"})
    EXPECT_THROW(cert_time_to_seconds(bad), std::invalid_argument) << bad;
}

TEST(MakeCertificate, RejectsBadInput) {
  CertificateSpec spec;
  spec.common_name = "";
  EXPECT_THROW(make_certificate(spec), std::invalid_argument);
  spec.common_name = std::string(65, 'x');
  EXPECT_THROW(make_certificate(spec), std::invalid_argument);
  spec.common_name = "ok";
  spec.subject_alt_names = {"BOGUS:thing"};
  EXPECT_THROW(make_certificate(spec), std::invalid_argument);
  CertificateAndKey broken{"not a cert", "not a key"};
  spec.subject_alt_names.clear();
  EXPECT_THROW(make_certificate(spec, &broken), SSLError);
}

TEST(MakeCertificate, IpCommonNameGetsAnIpSan) {
  CertificateSpec spec;
  spec.common_name = "127.0.0.1";
  spec.key_type = KeyType::rsa2048;
  auto ck = make_certificate(spec);
  Certificate c = decode_certificate(PEM_cert_to_DER_cert(ck.cert_pem));
  ASSERT_EQ(c.subject_alt_name.size(), 1u);
  EXPECT_EQ(c.subject_alt_name[0].first, "IP Address");
  EXPECT_EQ(c.subject_alt_name[0].second, "127.0.0.1");
  EXPECT_NE(ck.key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace soket::tls
