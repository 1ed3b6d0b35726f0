// SPDX-License-Identifier: MIT
// make_certificate: throw-away certificates for local testing (`soket tls-cert`), self-signed
// or signed by another one made here (a test CA), through OpenSSL's API. Not for production:
// there is no revocation, no key storage policy, no CSR.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace soket::tls {

/// The private key's algorithm.
enum class KeyType { ec_p256, rsa2048 };

/// What to put in the certificate. Validity is relative to now: not_before = now + offset,
/// not_after = not_before + valid_for (a negative offset and short validity make an expired
/// certificate; a positive offset a not-yet-valid one).
struct CertificateSpec {
  std::string common_name = "localhost";
  /// subjectAltName entries as OpenSSL writes them: "DNS:localhost", "IP:127.0.0.1". Empty:
  /// one entry for common_name (IP: when it is an address, DNS: otherwise).
  std::vector<std::string> subject_alt_names;
  std::chrono::seconds not_before_offset{-300};  // a little slack for clock skew
  std::chrono::seconds valid_for{std::chrono::hours(24 * 30)};
  bool is_ca = false;
  KeyType key_type = KeyType::ec_p256;
  /// Encrypt the private key PEM with AES-256-CBC under this password.
  std::optional<std::string> key_password;
};

/// A certificate and its private key, both PEM.
struct CertificateAndKey {
  std::string cert_pem;
  std::string key_pem;
};

/// Makes a key pair and a certificate for `spec`, self-signed, or signed by `issuer` (whose
/// key must not be encrypted). Errors are SSLError; a bad SAN entry std::invalid_argument.
CertificateAndKey make_certificate(const CertificateSpec& spec,
                                   const CertificateAndKey* issuer = nullptr);

}  // namespace soket::tls
