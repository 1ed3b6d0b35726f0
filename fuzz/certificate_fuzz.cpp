// SPDX-License-Identifier: MIT
// libFuzzer target for the tls layer's certificate parsing: decode_certificate (DER, walked
// field by field after OpenSSL's d2i), PEM_cert_to_DER_cert / DER_cert_to_PEM_cert, and
// cert_time_to_seconds. Input: [mode] [bytes...]. Anything may be rejected with the documented
// exceptions (SSLError, std::invalid_argument); nothing may crash, leak or throw anything else.
// A DER that decodes must survive PEM and back unchanged.
#include <soket/tls/certificate.hpp>
#include <soket/tls/ssl_error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "certificate_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace soket::tls;
  try {
    switch (data[0] % 3) {
      case 0: {
        Certificate c = decode_certificate(input);
        if (c.version < 1) fail("a decoded certificate has no version");
        if (PEM_cert_to_DER_cert(DER_cert_to_PEM_cert(input)) != input)
          fail("DER -> PEM -> DER changed the bytes");
        break;
      }
      case 1: {
        std::string der = PEM_cert_to_DER_cert(input);
        decode_certificate(der);
        break;
      }
      default: {
        std::int64_t t = cert_time_to_seconds(input);
        // Years are 4 digits: the result stays within 0..9999-12-31.
        if (t < -62167219200 || t > 253402300799) fail("time out of the 4-digit-year range");
        break;
      }
    }
  } catch (const SSLError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
