// SPDX-License-Identifier: MIT
#include <soket/tls/make_certificate.hpp>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <memory>
#include <stdexcept>

#include "tls/openssl.hpp"

namespace soket::tls {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using UniqueKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using UniqueX509 = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using UniqueBio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const char* what) {
  detail::throw_last_error(std::string("make_certificate: ") + what, "failed");
}

UniqueKey new_key(KeyType type) {
  EVP_PKEY* key = type == KeyType::rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (!key) fail("key generation");
  return UniqueKey(key);
}

std::string to_pem(BIO* b) {
  char* data = nullptr;
  long len = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) {
    ERR_clear_error();
    throw std::invalid_argument("make_certificate: bad extension value '" + value + "'");
  }
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

bool looks_like_ip(const std::string& s) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(s.c_str());
  ERR_clear_error();
  bool yes = ip != nullptr;
  ASN1_OCTET_STRING_free(ip);
  return yes;
}

}  // namespace

CertificateAndKey make_certificate(const CertificateSpec& spec, const CertificateAndKey* issuer) {
  if (spec.common_name.empty() || spec.common_name.size() > 64)
    throw std::invalid_argument("make_certificate: the common name must be 1-64 bytes");
  UniqueKey key = new_key(spec.key_type);
  UniqueX509 cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_offset.count());
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  (spec.not_before_offset + spec.valid_for).count());
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);

  // The issuer: another certificate made here, or this one (self-signed).
  UniqueX509 issuer_cert;
  UniqueKey issuer_key;
  if (issuer) {
    UniqueBio cb(
        BIO_new_mem_buf(issuer->cert_pem.data(), static_cast<int>(issuer->cert_pem.size())));
    issuer_cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    UniqueBio kb(BIO_new_mem_buf(issuer->key_pem.data(), static_cast<int>(issuer->key_pem.size())));
    issuer_key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!issuer_cert || !issuer_key) fail("reading the issuer");
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }
  X509* signer = issuer ? issuer_cert.get() : cert.get();

  if (spec.is_ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  std::string sans;
  for (const auto& s : spec.subject_alt_names) sans += (sans.empty() ? "" : ",") + s;
  if (spec.subject_alt_names.empty() && !spec.is_ca)
    sans = (looks_like_ip(spec.common_name) ? "IP:" : "DNS:") + spec.common_name;
  if (!sans.empty()) add_ext(cert.get(), signer, NID_subject_alt_name, sans);

  if (X509_sign(cert.get(), issuer ? issuer_key.get() : key.get(), EVP_sha256()) <= 0)
    fail("signing");

  CertificateAndKey out;
  UniqueBio cb(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cb.get(), cert.get());
  out.cert_pem = to_pem(cb.get());
  UniqueBio kb(BIO_new(BIO_s_mem()));
  int ok =
      spec.key_password
          ? PEM_write_bio_PrivateKey(
                kb.get(), key.get(), EVP_aes_256_cbc(),
                reinterpret_cast<const unsigned char*>(spec.key_password->data()),
                static_cast<int>(spec.key_password->size()), nullptr, nullptr)
          : PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) fail("writing the key");
  out.key_pem = to_pem(kb.get());
  return out;
}

}  // namespace soket::tls
