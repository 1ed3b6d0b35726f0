// SPDX-License-Identifier: MIT
// The tools' --tls options on the event engine: the tls::EngineContext a server (serve --tls)
// or a client (perf --tls) puts in ConnectionOptions::transport.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <soket/tls/engine.hpp>

namespace soket::tools {

/// A server side from --cert/--key (errors name the file, as load_cert_chain's do).
std::unique_ptr<tls::EngineContext> server_tls(const std::string& cert, const std::string& key);

/// A client side: with `ca`, the server's certificate is verified against it (and the host
/// name against `sni`); without, nothing is verified (a load generator's --insecure).
std::unique_ptr<tls::EngineContext> client_tls(const std::string& ca,
                                               const std::optional<std::string>& sni);

}  // namespace soket::tools
