// SPDX-License-Identifier: MIT
// Python's base64.b64encode / b64decode(validate=True), for SASL exchanges (SMTP AUTH, IMAP
// AUTHENTICATE, POP3 AUTH).
#pragma once

#include <string>
#include <string_view>

namespace soket::proto {

/// Python: base64.b64encode(data): standard alphabet, '=' padding, no line breaks.
std::string b64encode(std::string_view data);

/// Python: base64.b64decode(data, validate=True): std::invalid_argument ("Incorrect
/// padding", "Non-base64 character") for anything that is not canonical base64.
std::string b64decode(std::string_view text);

}  // namespace soket::proto
