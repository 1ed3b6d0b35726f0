// SPDX-License-Identifier: MIT
// `soket tls-info HOST[:PORT]`: connects with TLS and prints what was negotiated (protocol,
// cipher, ALPN) and the certificate chain the server sent (subjects, issuers, validity, SANs),
// or --json. Verification is Python's create_default_context(): a failure is an error unless
// --insecure.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <soket/soket.hpp>
#include <soket/tls.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct TlsInfoArgs {
  std::string target;
  std::string ca;
  std::string sni;
  std::string version;
  std::vector<std::string> alpn;
  double timeout = 10;
  bool insecure = false;
  bool json = false;
};

// "host", "host:port", "[v6]:port", "v6": the port defaults to 443 (https).
Address target_address(const std::string& text) {
  std::error_code ec;
  Address a = Address::parse(text, ec);
  if (!ec && a.is_inet() && a.port() != 0) return a;
  Address with_port = Address::parse(text + ":443", ec);
  if (!ec) return with_port;
  Address v6 = Address::parse("[" + text + "]:443", ec);
  if (!ec) return v6;
  usage_error("not a HOST[:PORT]: '" + text + "'");
}

nlohmann::json cert_json(const tls::Certificate& c) {
  nlohmann::json sans = nlohmann::json::array();
  for (const auto& [type, value] : c.subject_alt_name) sans.push_back({type, value});
  return {{"subject", c.subject_text}, {"issuer", c.issuer_text},    {"serial", c.serial_number},
          {"version", c.version},      {"not_before", c.not_before}, {"not_after", c.not_after},
          {"subject_alt_name", sans}};
}

// "2026-12-30 00:31:06" (ISO 8601, UTC) from a certificate's "Dec 30 00:31:06 2026 GMT".
std::string iso_time(const std::string& cert_time) {
  try {
    const std::time_t t = static_cast<std::time_t>(tls::cert_time_to_seconds(cert_time));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
  } catch (const std::invalid_argument&) {
    return cert_time;
  }
}

// "expired 3 days ago", "expires in 29 days".
std::string validity_note(const tls::Certificate& c) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  try {
    if (tls::cert_time_to_seconds(c.not_before) > now) return "not yet valid";
    const auto left = tls::cert_time_to_seconds(c.not_after) - now;
    if (left < 0) return "expired " + std::to_string(-left / 86400) + " days ago";
    return "expires in " + std::to_string(left / 86400) + " days";
  } catch (const std::invalid_argument&) {
    return "unknown validity";
  }
}

void run(const TlsInfoArgs& args) {
  const Address address = target_address(args.target);
  const std::string host = address.host();
  tls::SSLContext ctx = args.insecure ? tls::create_unverified_context()
                        : args.ca.empty()
                            ? tls::create_default_context()
                            : tls::create_default_context(tls::Purpose::server_auth, args.ca);
  if (!args.alpn.empty()) ctx.set_alpn_protocols(args.alpn);
  if (args.version == "1.2" || args.version == "1.3") {
    auto v = args.version == "1.2" ? tls::TLSVersion::tlsv1_2 : tls::TLSVersion::tlsv1_3;
    ctx.minimum_version(v);
    ctx.maximum_version(v);
  }
  const std::string server_name = args.sni.empty() ? host : args.sni;
  Socket sock = create_connection(address, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::duration<double>(args.timeout)));
  tls::SSLSocket s = [&] {
    try {
      return ctx.wrap_socket(std::move(sock), false, server_name);
    } catch (const tls::SSLCertVerificationError& e) {
      throw std::runtime_error(std::string(e.what()) + " (--insecure connects anyway)");
    }
  }();
  const auto cipher = s.cipher();
  std::vector<tls::Certificate> chain;
  for (const auto& der : s.get_unverified_chain()) chain.push_back(tls::decode_certificate(der));
  const std::string verified = args.insecure ? "no (--insecure)" : "yes";
  if (args.json) {
    nlohmann::json j = {
        {"address", address.to_string()},
        {"server_name", server_name},
        {"protocol", s.version().value_or("")},
        {"cipher",
         {{"name", std::get<0>(*cipher)},
          {"protocol", std::get<1>(*cipher)},
          {"bits", std::get<2>(*cipher)}}},
        {"alpn", s.selected_alpn_protocol() ? nlohmann::json(*s.selected_alpn_protocol())
                                            : nlohmann::json(nullptr)},
        {"verified", !args.insecure},
        {"chain", nlohmann::json::array()}};
    for (const auto& c : chain) j["chain"].push_back(cert_json(c));
    std::cout << j.dump(2) << '\n';
  } else {
    if (args.insecure)
      std::fprintf(stderr, "soket tls-info: warning: certificate not verified (--insecure)\n");
    std::cout << "Connected to " << address.to_string() << " (server name " << server_name << ")\n"
              << "Protocol:    " << s.version().value_or("?") << '\n'
              << "Cipher:      " << std::get<0>(*cipher) << " (" << std::get<2>(*cipher)
              << " bits)\n"
              << "ALPN:        " << s.selected_alpn_protocol().value_or("(none)") << '\n'
              << "Verified:    " << verified << '\n'
              << "Certificate chain (" << chain.size() << "):\n";
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const auto& c = chain[i];
      std::cout << "  " << i << " subject:  " << c.subject_text << '\n'
                << "    issuer:   " << c.issuer_text << '\n'
                << "    valid:    " << iso_time(c.not_before) << " to " << iso_time(c.not_after)
                << " UTC (" << validity_note(c) << ")\n";
      if (!c.subject_alt_name.empty()) {
        std::cout << "    SANs:     ";
        for (std::size_t k = 0; k < c.subject_alt_name.size(); ++k)
          std::cout << (k ? ", " : "") << c.subject_alt_name[k].first << ':'
                    << c.subject_alt_name[k].second;
        std::cout << '\n';
      }
    }
  }
  std::cout.flush();
  s.close();
}

}  // namespace

void add_tls_info_command(CLI::App& app) {
  auto args = std::make_shared<TlsInfoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tls-info",
      "Connect to HOST[:PORT] (default port 443) with TLS and print the protocol, cipher, ALPN "
      "and the server's certificate chain\n"
      "Example: soket tls-info 127.0.0.1:8443 --ca ca.pem --sni localhost");
  cmd->add_option("target", args->target, "HOST[:PORT]")->required()->check(non_empty());
  cmd->add_option("--ca", args->ca, "trust the CA certificates in FILE (default: the system's)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--sni", args->sni,
                  "server name to send and verify (default: HOST; none is sent for an address)")
      ->check(non_empty());
  cmd->add_option("--alpn", args->alpn, "protocols to offer, comma-separated (e.g. h2,http/1.1)")
      ->delimiter(',');
  cmd->add_option("--tls-version", args->version, "only this version: 1.2 or 1.3")
      ->check(CLI::IsMember({"1.2", "1.3"}));
  cmd->add_option("-w,--timeout", args->timeout, "seconds for the connect and the handshake")
      ->transform(seconds_in(0.001))
      ->default_str("10");
  cmd->add_flag("-k,--insecure", args->insecure,
                "do not verify the certificate or the name (says so on stderr)");
  cmd->add_flag("--json", args->json, "print a JSON object");
  cmd->callback([args] { run_command("tls-info", [&] { run(*args); }); });
}

}  // namespace soket::tools
