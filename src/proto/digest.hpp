// SPDX-License-Identifier: MIT
// The MD5 digests two mail logins still use: POP3's APOP (RFC 1939 §7) and SASL CRAM-MD5
// (RFC 2195), as lower-case hex (Python's hexdigest()). Internal.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::detail {

/// Python: hashlib.md5(data).hexdigest().
std::string md5_hex(std::string_view data);

/// Python: hmac.HMAC(key, msg, "md5").hexdigest().
std::string hmac_md5_hex(std::string_view key, std::string_view msg);

}  // namespace soket::proto::detail
