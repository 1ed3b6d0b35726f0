// SPDX-License-Identifier: MIT
// `soket http get URL`: curl's everyday flags over soket::proto::http::Client (-o, -O, -i, -I,
// -H, -d, -X, -L, -f, -v, -k), a progress bar when a download goes to a file and stderr is a
// terminal, --json, and curl's exit codes so that failures can be told apart.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <soket/error.hpp>
#include <soket/proto/http/client.hpp>
#include <soket/proto/http/proxy.hpp>
#include <soket/tls.hpp>
#include <soket/version.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace soket::tools {
namespace {

namespace http = soket::proto::http;

struct HttpGetArgs {
  std::string url;
  std::string output;
  bool remote_name = false;
  bool include = false;
  bool head = false;
  std::vector<std::string> headers;
  std::vector<std::string> data;
  std::string method;
  bool location = false;
  int max_redirs = 50;  // curl's default
  bool fail = false;
  bool verbose = false;
  bool insecure = false;
  std::string cacert;
  double connect_timeout = 0, max_time = 0, read_timeout = 0;
  std::string proxy;
  std::string noproxy;
  bool silent = false;
  bool json = false;
};

// curl's exit codes (reference/http.md §5), so scripts can tell failures apart.
constexpr int exit_resolve = 6, exit_connect = 7, exit_weird_reply = 8, exit_http = 22,
              exit_write = 23, exit_timeout = 28, exit_tls = 35, exit_redirects = 47,
              exit_empty_reply = 52, exit_recv = 56, exit_cert = 60;

[[noreturn]] void fail_with(int status, const std::string& what) {
  std::fprintf(stderr, "soket http get: %s\n", what.c_str());
  throw CLI::RuntimeError(status);
}

// -d DATA / -d @FILE (CR, LF and NUL stripped from a file, as curl's -d does), joined by '&'.
std::string form_data(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    std::string piece = item;
    if (!item.empty() && item[0] == '@') {
      std::ifstream in(item.substr(1), std::ios::binary);
      if (!in) usage_error("-d: cannot read '" + item.substr(1) + "'");
      std::ostringstream s;
      s << in.rdbuf();
      piece.clear();
      for (char c : s.str())
        if (c != '\r' && c != '\n' && c != '\0') piece += c;
    }
    if (!out.empty()) out += '&';
    out += piece;
  }
  return out;
}

// -O: the last segment of the URL's path (no decoding, as curl).
std::string remote_name(const http::URL& url) {
  std::string name = url.path.substr(url.path.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..")
    usage_error("-O: the URL has no file name in its path (use -o FILE)");
  return name;
}

void print_head(const http::HTTPResponse& r) {
  std::string out = "HTTP/" + std::to_string(r.version.major) + "." +
                    std::to_string(r.version.minor) + " " + std::to_string(r.status) + " " +
                    r.reason + "\r\n";
  for (const auto& [n, v] : r.headers) out.append(n).append(": ").append(v).append("\r\n");
  out += "\r\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void run(const HttpGetArgs& args) {
  http::URL url;
  try {
    url = http::urlsplit(args.url);
  } catch (const http::InvalidURL& e) {
    usage_error(e.what());
  }
  if (url.scheme != "http" && url.scheme != "https")
    usage_error("unsupported scheme '" + url.scheme + "' (http and https only)");
  if (args.remote_name && !args.output.empty()) usage_error("-o and -O together");

  http::ClientOptions opt;
  opt.follow_redirects = args.location;
  opt.max_redirects = args.max_redirs;
  opt.max_idle_per_host = 0;
  opt.user_agent = "soket/" + std::string(soket::version);
  if (args.connect_timeout > 0) opt.timeouts.connect = http::Seconds(args.connect_timeout);
  if (args.max_time > 0) opt.timeouts.total = http::Seconds(args.max_time);
  if (args.read_timeout > 0) opt.timeouts.read = http::Seconds(args.read_timeout);
  if (args.insecure)
    opt.context = tls::create_unverified_context();
  else if (!args.cacert.empty())
    opt.context = tls::create_default_context(tls::Purpose::server_auth, args.cacert);
  auto proxies = http::getproxies_environment();
  if (!args.proxy.empty()) proxies["http"] = proxies["https"] = args.proxy;
  if (!args.noproxy.empty()) proxies["no"] = args.noproxy;
  opt.proxies = proxies;
  if (args.verbose)
    opt.trace = [](char mark, std::string_view line) {
      std::fprintf(stderr, "%c %.*s\n", mark, static_cast<int>(line.size()), line.data());
    };

  http::ClientRequest req;
  req.url = args.url;
  req.method = args.head ? "HEAD" : !args.data.empty() ? "POST" : "GET";
  if (!args.method.empty()) req.method = args.method;
  bool has_type = false;
  for (const auto& h : args.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) usage_error("-H: not 'Name: value': '" + h + "'");
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    req.headers.emplace_back(h.substr(0, colon), value);
    if (http::iequals(h.substr(0, colon), "Content-Type")) has_type = true;
  }
  if (!args.data.empty()) {
    req.body = form_data(args.data);
    if (!has_type) req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  const std::string output = args.remote_name     ? remote_name(url)
                             : args.output == "-" ? std::string()
                                                  : args.output;

  http::Client client(std::move(opt));
  try {
    http::HTTPResponse r = client.request(req);
    if (args.fail && r.status >= 400) {
      r.close();
      fail_with(exit_http, "the requested URL returned error: " + std::to_string(r.status));
    }
    if (args.json) {
      nlohmann::json headers = nlohmann::json::array();
      for (const auto& [n, v] : r.headers) headers.push_back({n, v});
      nlohmann::json j = {
          {"url", r.url},
          {"status", r.status},
          {"reason", r.reason},
          {"version", std::to_string(r.version.major) + "." + std::to_string(r.version.minor)},
          {"redirects", r.redirects},
          {"headers", headers}};
      if (!output.empty()) {
        j["file"] = output;
        j["bytes"] = r.save(output);
      } else {
        std::string body = r.read();
        j["bytes"] = body.size();
        j["body"] = body;
      }
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      return;
    }
    if (args.include || args.head) print_head(r);
    if (!output.empty()) {
      auto total = r.length();
      Progress bar(output, total.value_or(0), 0, !args.silent && total.has_value());
      r.save(output, [&](std::uint64_t done, std::optional<std::uint64_t>) { bar.update(done); });
      bar.finish();
    } else {
      for (std::string_view p = r.read_piece(); !p.empty(); p = r.read_piece())
        if (std::fwrite(p.data(), 1, p.size(), stdout) != p.size())
          fail_with(exit_write, "write to standard output failed");
      std::fflush(stdout);
    }
  } catch (const http::TooManyRedirects& e) {
    fail_with(exit_redirects, e.what());
  } catch (const http::RemoteDisconnected& e) {
    fail_with(exit_empty_reply, e.what());
  } catch (const http::IncompleteRead& e) {
    fail_with(exit_recv, e.what());
  } catch (const http::HTTPException& e) {
    fail_with(exit_weird_reply, e.what());
  } catch (const gaierror& e) {
    fail_with(exit_resolve, e.what());
  } catch (const tls::SSLCertVerificationError& e) {
    fail_with(exit_cert, std::string(e.what()) + " (-k connects anyway)");
  } catch (const tls::SSLError& e) {
    fail_with(exit_tls, e.what());
  } catch (const TimeoutError& e) {
    fail_with(exit_timeout, e.what());
  } catch (const ConnectionRefusedError& e) {
    fail_with(exit_connect, e.what());
  } catch (const ConnectionError& e) {
    fail_with(exit_recv, e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    fail_with(exit_write, e.what());
  }
}

}  // namespace

void add_http_get_command(CLI::App& http) {
  auto args = std::make_shared<HttpGetArgs>();
  CLI::App* cmd = http.add_subcommand(
      "get",
      "Fetch URL over HTTP or HTTPS and write its body to standard output or a file (curl's "
      "everyday flags)\n"
      "Exit status: 0 done (any HTTP status without -f), 2 usage or malformed URL, and curl's: "
      "6 host not resolved, 7 connect failed, 8 bad reply, 22 HTTP >= 400 with -f, 23 write "
      "failed, 28 timeout, 35 TLS failed, 47 too many redirects, 52 empty reply, 56 receive "
      "failed, 60 certificate not verified, 1 anything else.\n"
      "Example: soket http get -L -o page.html http://127.0.0.1:8000/");
  cmd->add_option("url", args->url, "http:// or https:// URL")->required()->check(non_empty());
  cmd->add_option("-o,--output", args->output, "write the body to FILE ('-': standard output)")
      ->check(non_empty());
  cmd->add_flag("-O,--remote-name", args->remote_name, "write to the URL's last path segment");
  cmd->add_flag("-i,--include", args->include, "print the response head before the body");
  cmd->add_flag("-I,--head", args->head, "send HEAD and print the response head");
  cmd->add_option("-H,--header", args->headers, "add 'Name: value' (repeatable)");
  cmd->add_option("-d,--data", args->data,
                  "POST DATA form-urlencoded; @FILE reads it (CR/LF stripped); joined by &");
  cmd->add_option("-X,--request", args->method, "the method (default GET, POST with -d)")
      ->check(non_empty());
  cmd->add_flag("-L,--location", args->location, "follow redirects");
  cmd->add_option("--max-redirs", args->max_redirs, "redirects -L follows at most")
      ->transform(count_in(0, 1000))
      ->default_str("50");
  cmd->add_flag("-f,--fail", args->fail, "exit 22 without output for an HTTP status >= 400");
  cmd->add_flag("-v,--verbose", args->verbose, "trace the request and response heads on stderr");
  cmd->add_flag("-k,--insecure", args->insecure, "do not verify the server's certificate");
  cmd->add_option("--cacert", args->cacert, "trust the CA certificates in FILE")
      ->check(CLI::ExistingFile);
  cmd->add_option("--connect-timeout", args->connect_timeout,
                  "seconds for connecting (TCP, proxy, TLS)")
      ->transform(seconds_in(0.001));
  cmd->add_option("-m,--max-time", args->max_time, "seconds for the whole transfer")
      ->transform(seconds_in(0.001));
  cmd->add_option("--read-timeout", args->read_timeout, "seconds to wait for each read")
      ->transform(seconds_in(0.001));
  cmd->add_option("-x,--proxy", args->proxy,
                  "http://HOST:PORT proxy (default: http_proxy/https_proxy)")
      ->check(non_empty());
  cmd->add_option("--noproxy", args->noproxy, "hosts not to proxy, comma-separated (no_proxy)")
      ->check(non_empty());
  cmd->add_flag("-s,--silent", args->silent, "no progress bar");
  cmd->add_flag("--json", args->json, "print the status, head and body (or file) as JSON");
  cmd->callback([args] { run_command("http get", [&] { run(*args); }); });
}

}  // namespace soket::tools
