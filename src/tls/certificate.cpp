// SPDX-License-Identifier: MIT
// Python's _decode_certificate (Modules/_ssl.c): the getpeercert() fields from an X509.
#include <soket/tls/certificate.hpp>
#include <soket/tls/ssl_error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "tls/openssl.hpp"

namespace soket::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using UniqueBio = std::unique_ptr<BIO, BioFree>;

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long len = BIO_get_mem_data(b, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::string object_name(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) return OBJ_nid2ln(nid);
  std::array<char, 128> buf{};
  OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  return buf.data();
}

std::string utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int len = ASN1_STRING_to_UTF8(&out, s);
  if (len < 0) return {};
  std::string r(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return r;
}

// RDNs in order; entries sharing a "set" index form one multi-valued RDN.
std::vector<Certificate::RDN> decode_name(const X509_NAME* name) {
  std::vector<Certificate::RDN> out;
  int last_set = -1;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    int set = X509_NAME_ENTRY_set(e);
    if (set != last_set || out.empty()) out.emplace_back();
    last_set = set;
    out.back().emplace_back(object_name(X509_NAME_ENTRY_get_object(e)),
                            utf8(X509_NAME_ENTRY_get_data(e)));
  }
  return out;
}

std::string one_line(const X509_NAME* name) {
  UniqueBio b(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(b.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bio_text(b.get());
}

std::string time_text(const ASN1_TIME* t) {
  UniqueBio b(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(b.get(), t);
  return bio_text(b.get());
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  char buf[64];
  if (len == 4) {
    std::snprintf(buf, sizeof buf, "%d.%d.%d.%d", p[0], p[1], p[2], p[3]);
    return buf;
  }
  if (len == 16) {  // Python's form: eight upper-case groups, uncompressed
    std::string s;
    for (int i = 0; i < 16; i += 2) {
      std::snprintf(buf, sizeof buf, "%X", (p[i] << 8) | p[i + 1]);
      if (i) s += ':';
      s += buf;
    }
    return s;
  }
  return "<invalid>";
}

void decode_sans(X509* cert, Certificate& c) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    switch (n->type) {
      case GEN_DNS: c.subject_alt_name.emplace_back("DNS", utf8(n->d.dNSName)); break;
      case GEN_EMAIL: c.subject_alt_name.emplace_back("email", utf8(n->d.rfc822Name)); break;
      case GEN_URI:
        c.subject_alt_name.emplace_back("URI", utf8(n->d.uniformResourceIdentifier));
        break;
      case GEN_IPADD: c.subject_alt_name.emplace_back("IP Address", ip_text(n->d.iPAddress)); break;
      case GEN_RID:
        c.subject_alt_name.emplace_back("Registered ID", object_name(n->d.registeredID));
        break;
      case GEN_DIRNAME:
        c.subject_alt_name.emplace_back("DirName", one_line(n->d.directoryName));
        break;
      case GEN_OTHERNAME: c.subject_alt_name.emplace_back("othername", "<unsupported>"); break;
      default: c.subject_alt_name.emplace_back("unknown", "<unsupported>"); break;
    }
  }
  GENERAL_NAMES_free(names);
}

void decode_aia(X509* cert, Certificate& c) {
  auto* info = static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  if (!info) return;
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(info); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(info, i);
    if (ad->location->type != GEN_URI) continue;
    std::string uri = utf8(ad->location->d.uniformResourceIdentifier);
    int nid = OBJ_obj2nid(ad->method);
    if (nid == NID_ad_OCSP) c.ocsp.push_back(uri);
    if (nid == NID_ad_ca_issuers) c.ca_issuers.push_back(uri);
  }
  AUTHORITY_INFO_ACCESS_free(info);
}

void decode_crl_points(X509* cert, Certificate& c) {
  auto* points = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  if (!points) return;
  for (int i = 0; i < sk_DIST_POINT_num(points); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(points, i);
    if (!dp->distpoint || dp->distpoint->type != 0) continue;
    const GENERAL_NAMES* full = dp->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(full); ++j) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(full, j);
      if (n->type == GEN_URI)
        c.crl_distribution_points.push_back(utf8(n->d.uniformResourceIdentifier));
    }
  }
  CRL_DIST_POINTS_free(points);
}

std::string base64_body(std::string_view der) {
  std::string out;
  const std::size_t encoded = 4 * ((der.size() + 2) / 3);
  std::string b64(encoded + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(der.data()),
                          static_cast<int>(der.size()));
  b64.resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out;
}

}  // namespace

std::string Certificate::subject_field(std::string_view name) const {
  for (const auto& rdn : subject)
    for (const auto& [key, value] : rdn)
      if (key == name) return value;
  return {};
}

Certificate decode_certificate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!cert) detail::throw_last_error("decode_certificate", "could not parse certificate");
  std::unique_ptr<X509, decltype(&X509_free)> guard(cert, X509_free);
  Certificate c;
  c.subject = decode_name(X509_get_subject_name(cert));
  c.issuer = decode_name(X509_get_issuer_name(cert));
  c.subject_text = one_line(X509_get_subject_name(cert));
  c.issuer_text = one_line(X509_get_issuer_name(cert));
  // X.509 has versions 1..3 (0..2 on the wire); d2i accepts any INTEGER there, negative too.
  const long version = X509_get_version(cert);
  if (version < 0 || version > 2)
    throw SSLError(make_error_code(SSLErrorNumber::ssl),
                   "decode_certificate: certificate version " + std::to_string(version + 1) +
                       " is not 1, 2 or 3",
                   "certificate version " + std::to_string(version + 1) + " is not 1, 2 or 3");
  c.version = static_cast<int>(version) + 1;
  {
    UniqueBio b(BIO_new(BIO_s_mem()));
    i2a_ASN1_INTEGER(b.get(), X509_get0_serialNumber(cert));
    c.serial_number = bio_text(b.get());
  }
  c.not_before = time_text(X509_get0_notBefore(cert));
  c.not_after = time_text(X509_get0_notAfter(cert));
  decode_sans(cert, c);
  decode_aia(cert, c);
  decode_crl_points(cert, c);
  ERR_clear_error();
  return c;
}

std::string DER_cert_to_PEM_cert(std::string_view der) {
  return "-----BEGIN CERTIFICATE-----\n" + base64_body(der) + "-----END CERTIFICATE-----\n";
}

std::string PEM_cert_to_DER_cert(std::string_view pem) {
  constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view end = "-----END CERTIFICATE-----";
  auto b = pem.find(begin);
  if (b == std::string_view::npos)
    throw std::invalid_argument("Invalid PEM encoding; must start with " + std::string(begin));
  auto e = pem.find(end, b);
  if (e == std::string_view::npos)
    throw std::invalid_argument("Invalid PEM encoding; must end with " + std::string(end));
  std::string body;
  for (char ch : pem.substr(b + begin.size(), e - b - begin.size()))
    if (ch != '\n' && ch != '\r' && ch != ' ' && ch != '\t') body += ch;
  if (body.size() % 4 != 0) throw std::invalid_argument("Invalid PEM encoding; bad base64");
  std::string der(body.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                          reinterpret_cast<const unsigned char*>(body.data()),
                          static_cast<int>(body.size()));
  if (n < 0) throw std::invalid_argument("Invalid PEM encoding; bad base64");
  // EVP_DecodeBlock counts the '=' padding as zero bytes: drop them.
  std::size_t pad = 0;
  if (!body.empty() && body.back() == '=') ++pad;
  if (body.size() > 1 && body[body.size() - 2] == '=') ++pad;
  der.resize(static_cast<std::size_t>(n) - pad);
  return der;
}

std::int64_t cert_time_to_seconds(std::string_view t) {
  // "%b %d %H:%M:%S %Y GMT" in the C locale; the day may be space-padded ("Jan  5").
  static constexpr std::array<std::string_view, 12> months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto bad = [&] {
    return std::invalid_argument("time data '" + std::string(t) +
                                 "' does not match format '%b %d %H:%M:%S %Y GMT'");
  };
  if (t.size() < 20) throw bad();
  int month = -1;
  for (std::size_t i = 0; i < months.size(); ++i)
    if (t.substr(0, 3) == months[i]) month = static_cast<int>(i) + 1;
  unsigned day = 0, hh = 0, mm = 0, ss = 0, year = 0;
  char gmt[4] = {};
  std::string s(t.substr(3));
  int used = 0;
  if (month < 0 ||
      std::sscanf(s.c_str(), " %2u %2u:%2u:%2u %4u %3s%n", &day, &hh, &mm, &ss, &year, gmt,
                  &used) != 6 ||
      static_cast<std::size_t>(used) != s.size() || std::string_view(gmt) != "GMT" || day < 1 ||
      day > 31 || hh > 23 || mm > 59 || ss > 60)
    throw bad();
  // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
  const int y = static_cast<int>(year) - (month <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + static_cast<int>(day) - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

}  // namespace soket::tls
