// SPDX-License-Identifier: MIT
// Kernel TLS (the "tls" TCP upper-layer protocol, CONFIG_TLS): is it there? Internal.
#pragma once

namespace soket::sys {

/// True when /proc/sys/net/ipv4/tcp_available_ulp lists "tls" (the module is loaded or built
/// in), the condition for OpenSSL's SSL_OP_ENABLE_KTLS to hand records to the kernel.
bool ktls_available() noexcept;

}  // namespace soket::sys
