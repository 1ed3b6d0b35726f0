// SPDX-License-Identifier: MIT
#include "tls_setup.hpp"

#include <soket/tls/context.hpp>

namespace soket::tools {

std::unique_ptr<tls::EngineContext> server_tls(const std::string& cert, const std::string& key) {
  tls::SSLContext ctx(tls::PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(cert, key);
  return std::make_unique<tls::EngineContext>(ctx, tls::EngineContext::server_side);
}

std::unique_ptr<tls::EngineContext> client_tls(const std::string& ca,
                                               const std::optional<std::string>& sni) {
  if (ca.empty())
    return std::make_unique<tls::EngineContext>(tls::create_unverified_context(),
                                                tls::EngineContext::client_side, sni);
  tls::SSLContext ctx = tls::create_default_context(tls::Purpose::server_auth, ca);
  return std::make_unique<tls::EngineContext>(ctx, tls::EngineContext::client_side, sni);
}

}  // namespace soket::tools
