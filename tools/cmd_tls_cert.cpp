// SPDX-License-Identifier: MIT
// `soket tls-cert --cn NAME`: a throw-away self-signed certificate and key for local testing
// (or one signed by a CA made the same way, --ca-cert/--ca-key; --ca makes such a CA), so a
// demo can use TLS without a secret kept in a repository. The key file is created mode 0600.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <soket/tls.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

struct TlsCertArgs {
  std::string cn;
  std::vector<std::string> san;
  std::string cert = "cert.pem";
  std::string key = "key.pem";
  std::string ca_cert, ca_key;
  double days = 30;
  bool rsa = false;
  bool ca = false;
  bool force = false;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `data` to a new file (refusing to replace one unless --force), with `perms`. The
// file is restricted before anything secret is written into it.
void write_file(const std::string& path, const std::string& data, std::filesystem::perms perms,
                bool force) {
  namespace fs = std::filesystem;
  if (!force && fs::exists(path)) throw std::runtime_error(path + " exists (--force replaces it)");
  {
    std::ofstream create(path, std::ios::trunc);
    if (!create) throw std::runtime_error("cannot write " + path);
  }
  fs::permissions(path, perms);
  std::ofstream out(path, std::ios::trunc);
  out << data;
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path);
}

void run(const TlsCertArgs& args) {
  if (args.ca_cert.empty() != args.ca_key.empty())
    usage_error("--ca-cert and --ca-key go together");
  if (args.cert == args.key) usage_error("--cert and --key must be different files");
  tls::CertificateSpec spec;
  spec.common_name = args.cn;
  spec.subject_alt_names = args.san;
  spec.valid_for = std::chrono::seconds(static_cast<long long>(args.days * 86400));
  spec.key_type = args.rsa ? tls::KeyType::rsa2048 : tls::KeyType::ec_p256;
  spec.is_ca = args.ca;
  tls::CertificateAndKey issuer;
  if (!args.ca_cert.empty()) issuer = {slurp(args.ca_cert), slurp(args.ca_key)};
  tls::CertificateAndKey made;
  try {
    made = tls::make_certificate(spec, args.ca_cert.empty() ? nullptr : &issuer);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  namespace fs = std::filesystem;
  write_file(args.key, made.key_pem, fs::perms::owner_read | fs::perms::owner_write, args.force);
  write_file(args.cert, made.cert_pem,
             fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                 fs::perms::others_read,
             args.force);
  tls::Certificate c = tls::decode_certificate(tls::PEM_cert_to_DER_cert(made.cert_pem));
  std::string sans;
  for (const auto& [type, value] : c.subject_alt_name)
    sans += (sans.empty() ? "" : ", ") + type + ":" + value;
  std::printf("%s: %s, issuer %s, valid for %g days%s%s\n%s: %s private key (mode 600)\n",
              args.cert.c_str(), c.subject_text.c_str(), c.issuer_text.c_str(), args.days,
              sans.empty() ? "" : ", ", sans.c_str(), args.key.c_str(),
              args.rsa ? "RSA 2048" : "EC P-256");
}

}  // namespace

void add_tls_cert_command(CLI::App& app) {
  auto args = std::make_shared<TlsCertArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tls-cert",
      "Make a throw-away certificate and private key for local TLS testing (self-signed, or "
      "signed by a CA made the same way)\n"
      "Example: soket tls-cert --cn localhost && soket tls-info 127.0.0.1:8443 --ca cert.pem");
  cmd->add_option("--cn", args->cn, "the subject's common name, e.g. localhost")
      ->required()
      ->check(non_empty());
  cmd->add_option("--san", args->san,
                  "subjectAltName entries, comma-separated (default: DNS:CN, or IP:CN)")
      ->delimiter(',');
  cmd->add_option("--cert", args->cert, "certificate file to write")->default_str("cert.pem");
  cmd->add_option("--key", args->key, "private key file to write (mode 600)")
      ->default_str("key.pem");
  cmd->add_option("--days", args->days, "days of validity")
      ->transform(number_in(1, 36500, true))
      ->default_str("30");
  cmd->add_option("--ca-cert", args->ca_cert, "sign with this CA certificate (PEM)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ca-key", args->ca_key, "the CA's private key (PEM, unencrypted)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--ca", args->ca, "make a CA certificate (to sign others with --ca-cert)");
  cmd->add_flag("--rsa", args->rsa, "RSA 2048 instead of EC P-256");
  cmd->add_flag("-f,--force", args->force, "replace existing files");
  cmd->callback([args] { run_command("tls-cert", [&] { run(*args); }); });
}

}  // namespace soket::tools
