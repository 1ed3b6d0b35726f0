// SPDX-License-Identifier: MIT
// Certificate: Python's getpeercert() dictionary as a struct, and the module's certificate
// helpers (DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, cert_time_to_seconds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace soket::tls {

/// Python: the dict getpeercert() returns. subject/issuer are lists of RDNs, each a list of
/// (long name, value) pairs: {{{"countryName","XY"}}, {{"commonName","localhost"}}}.
/// subject_alt_name holds ("DNS", name), ("IP Address", "127.0.0.1" or the uncompressed
/// upper-case IPv6 form), ("email", ...), ("URI", ...), ("Registered ID", ...),
/// ("othername", "<unsupported>"), ("DirName", "<one-line name>"). Empty lists mean the key
/// is absent (Python omits it).
struct Certificate {
  using RDN = std::vector<std::pair<std::string, std::string>>;
  std::vector<RDN> subject;
  std::vector<RDN> issuer;
  int version = 0;
  std::string serial_number;  // upper-case hex, no colons
  std::string not_before;     // "Aug 29 14:23:16 2018 GMT"
  std::string not_after;
  std::vector<std::pair<std::string, std::string>> subject_alt_name;
  std::vector<std::string> ocsp;
  std::vector<std::string> ca_issuers;
  std::vector<std::string> crl_distribution_points;

  /// The value of the first `name` attribute (e.g. "commonName") in subject, or "".
  std::string subject_field(std::string_view name) const;
  /// "CN=localhost, O=Python Software Foundation, ..." (OpenSSL's one-line RFC 2253 form).
  std::string subject_text, issuer_text;
};

/// Parses one DER certificate (Python: ssl._ssl._test_decode_cert for DER). Malformed input is
/// SSLError ("[X509: ...] ..." or "could not parse certificate").
Certificate decode_certificate(std::string_view der);

/// Python: ssl.DER_cert_to_PEM_cert / PEM_cert_to_DER_cert. A PEM without the BEGIN/END
/// lines or with bad base64 is std::invalid_argument (Python's ValueError).
std::string DER_cert_to_PEM_cert(std::string_view der);
std::string PEM_cert_to_DER_cert(std::string_view pem);

/// Python: ssl.cert_time_to_seconds("Jan  5 09:34:43 2018 GMT") -> seconds since the epoch
/// (std::invalid_argument for another shape).
std::int64_t cert_time_to_seconds(std::string_view cert_time);

}  // namespace soket::tls
