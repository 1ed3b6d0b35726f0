// SPDX-License-Identifier: MIT
// `soket ftp ls|get|put`: an FTP client over soket::proto::ftp (passive by default, --active,
// --tls for AUTH TLS + PROT P, resume with --continue, a progress bar on a terminal).
// Passwords never come from the command line: --password-file, SOKET_FTP_PASSWORD, or a prompt.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include <soket/proto/ftp/ftp.hpp>
#include <soket/proto/ftp/url.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace soket::tools {
namespace {

namespace ftp = proto::ftp;

struct FtpArgs {
  std::string url, file, output, password_file, ca;
  double timeout = 30;
  bool tls = false, insecure = false, active = false, resume = false, quiet = false, json = false;
};

// A malformed URL is a usage error (exit 2).
ftp::Url url_of(const std::string& text) {
  try {
    return ftp::parse_url(text);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
}

std::string password_for(const FtpArgs& args, const ftp::Url& url) {
  if (url.password)
    usage_error(
        "a password in the URL would show in ps and the shell's history: use "
        "--password-file or SOKET_FTP_PASSWORD");
  if (url.user.empty() || url.user == "anonymous") return "";
  if (!args.password_file.empty()) {
    std::ifstream in(args.password_file);
    std::string line;
    if (!in || !std::getline(in, line))
      throw std::runtime_error("cannot read a password from " + args.password_file);
    if (line.ends_with('\r')) line.pop_back();
    return line;
  }
  if (const char* env = std::getenv("SOKET_FTP_PASSWORD")) return env;
  if (::isatty(0) == 0)
    throw std::runtime_error("no password for " + url.user +
                             ": give --password-file or SOKET_FTP_PASSWORD");
  const char* typed = ::getpass(("Password for " + url.user + "@" + url.host + ": ").c_str());
  return typed ? typed : "";
}

// Connected and logged in, in the mode asked for.
std::unique_ptr<ftp::FTP> open(const FtpArgs& args, const ftp::Url& url) {
  auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(args.timeout));
  std::unique_ptr<ftp::FTP> f;
  ftp::FTP_TLS* secure = nullptr;
  if (args.tls) {
    tls::SSLContext ctx = args.insecure ? tls::create_unverified_context()
                          : args.ca.empty()
                              ? tls::create_default_context()
                              : tls::create_default_context(tls::Purpose::server_auth, args.ca);
    auto t = std::make_unique<ftp::FTP_TLS>(ctx, timeout);
    secure = t.get();
    f = std::move(t);
  } else {
    f = std::make_unique<ftp::FTP>(timeout);
  }
  std::string password = password_for(args, url);
  f->connect(url.host, url.port);
  if (secure) {
    secure->login(url.user, password);
    secure->prot_p();
  } else {
    f->login(url.user, password);
  }
  f->set_pasv(!args.active);
  return f;
}

void ls(const FtpArgs& args) {
  ftp::Url url = url_of(args.url);
  auto f = open(args, url);
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    try {
      for (auto& e : f->mlsd(url.path)) out.push_back({{"name", e.name}, {"facts", e.facts}});
    } catch (const ftp::error_perm&) {  // no MLSD (vsftpd): names only
      for (auto& name : f->nlst(url.path)) out.push_back({{"name", name}});
    }
    std::cout << out.dump(2) << '\n';
  } else {
    f->dir(url.path, [](std::string_view line) { std::cout << line << '\n'; });
  }
  f->quit();
}

void get(const FtpArgs& args) {
  ftp::Url url = url_of(args.url);
  if (url.path.empty() || url.path.ends_with('/')) usage_error("the URL names no file");
  std::string output =
      args.output.empty() ? std::filesystem::path(url.path).filename().string() : args.output;
  auto f = open(args, url);
  std::optional<std::uint64_t> size;
  try {
    f->voidcmd("TYPE I");  // SIZE counts bytes in binary mode
    size = f->size(url.path);
  } catch (const ftp::error_perm&) {  // no SIZE: no percentage
  }
  std::uint64_t start = 0;
  if (args.resume && output != "-" && std::filesystem::exists(output))
    start = std::filesystem::file_size(output);
  std::ofstream file;
  const bool created = output != "-" && !std::filesystem::exists(output);
  if (output != "-") {
    file.open(output, std::ios::binary | (start ? std::ios::app : std::ios::trunc));
    if (!file) throw std::runtime_error("cannot write " + output);
  }
  std::ostream& out = output == "-" ? std::cout : file;
  Progress progress(url.path, size.value_or(0), start, !args.quiet && output != "-");
  std::uint64_t done = start;
  if (size && start >= *size) {
    progress.finish();
    f->quit();
    return;  // already complete
  }
  try {
    f->retrbinary(
        "RETR " + url.path,
        [&](std::string_view block) {
          out.write(block.data(), static_cast<std::streamsize>(block.size()));
          done += block.size();
          progress.update(done);
        },
        65536, start ? std::optional<std::uint64_t>(start) : std::nullopt);
  } catch (...) {
    // A refused download leaves no empty file behind (a partial one stays for -c).
    if (created && done == 0) {
      file.close();
      std::error_code ignored;
      std::filesystem::remove(output, ignored);
    }
    throw;
  }
  out.flush();
  if (!out) throw std::runtime_error("writing " + output + " failed");
  progress.finish();
  f->quit();
}

void put(const FtpArgs& args) {
  ftp::Url url = url_of(args.url);
  std::string remote = url.path;
  if (remote.empty() || remote.ends_with('/'))
    remote += std::filesystem::path(args.file).filename().string();
  std::ifstream in(args.file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + args.file);
  std::uint64_t total = std::filesystem::file_size(args.file);
  auto f = open(args, url);
  std::uint64_t start = 0;
  if (args.resume) {
    try {
      f->voidcmd("TYPE I");
      start = f->size(remote).value_or(0);
    } catch (const ftp::error_perm&) {  // not there yet: from the start
    }
    in.seekg(static_cast<std::streamoff>(start));
  }
  Progress progress(remote, total, start, !args.quiet);
  std::uint64_t done = start;
  f->storbinary(
      "STOR " + remote, in, 65536,
      [&](std::string_view block) {
        done += block.size();
        progress.update(done);
      },
      start ? std::optional<std::uint64_t>(start) : std::nullopt);
  progress.finish();
  f->quit();
}

void common_options(CLI::App* cmd, FtpArgs& args) {
  cmd->add_flag("--tls", args.tls, "FTPS: AUTH TLS, then encrypted data (PROT P)");
  cmd->add_option("--ca", args.ca, "trust the CA certificates in FILE (with --tls)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("-k,--insecure", args.insecure, "with --tls: do not verify the certificate");
  cmd->add_flag("--active", args.active, "active mode (PORT/EPRT) instead of passive");
  cmd->add_option("--password-file", args.password_file,
                  "read the password from FILE's first line (else SOKET_FTP_PASSWORD, else a "
                  "prompt)")
      ->check(CLI::ExistingFile);
  cmd->add_option("-w,--timeout", args.timeout, "seconds any network wait may take")
      ->transform(seconds_in(0.001))
      ->default_str("30");
}

}  // namespace

void add_ftp_command(CLI::App& app) {
  auto args = std::make_shared<FtpArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ftp",
      "FTP client: list, download or upload (ftp://[user@]host[:port]/path; anonymous without "
      "a user)\n"
      "Example: soket ftp get ftp://127.0.0.1/pub/hello.txt -o hello.txt");
  cmd->require_subcommand(1);

  CLI::App* l = cmd->add_subcommand("ls",
                                    "List a directory (LIST; --json: MLSD facts)\n"
                                    "Example: soket ftp ls ftp://tester@127.0.0.1/");
  l->add_option("url", args->url, "ftp:// URL of the directory")->required();
  l->add_flag("--json", args->json, "print a JSON array of {name, facts}");
  common_options(l, *args);
  l->callback([args] { run_command("ftp", [&] { ls(*args); }); });

  CLI::App* g = cmd->add_subcommand(
      "get", "Download a file\nExample: soket ftp get ftp://127.0.0.1/pub/hello.txt -c");
  g->add_option("url", args->url, "ftp:// URL of the file")->required();
  g->add_option("-o,--output", args->output, "local file ('-': stdout; default: the name)");
  g->add_flag("-c,--continue", args->resume, "resume: fetch only what the local file lacks");
  g->add_flag("-q,--quiet", args->quiet, "no progress bar");
  common_options(g, *args);
  g->callback([args] { run_command("ftp", [&] { get(*args); }); });

  CLI::App* p = cmd->add_subcommand(
      "put", "Upload a file\nExample: soket ftp put big.iso ftp://tester@127.0.0.1/ -c");
  p->add_option("file", args->file, "local file")->required()->check(CLI::ExistingFile);
  p->add_option("url", args->url, "ftp:// URL of the directory (ending in /) or file")->required();
  p->add_flag("-c,--continue", args->resume, "resume: send only what the server lacks");
  p->add_flag("-q,--quiet", args->quiet, "no progress bar");
  common_options(p, *args);
  p->callback([args] { run_command("ftp", [&] { put(*args); }); });
}

}  // namespace soket::tools
