// SPDX-License-Identifier: MIT
// `soket http serve [DIR] [-a HOST:PORT]`: an HTTP/1.1 server on the event engine
// (http::Server); with DIR, the files under it (http::StaticFiles).
#include <CLI/CLI.hpp>
#include <csignal>
#include <memory>
#include <mutex>
#include <string>

#include <soket/proto/http/router.hpp>
#include <soket/proto/http/server.hpp>
#include <soket/proto/http/static_files.hpp>
#include <soket/server/stop_signals.hpp>

#include "cli.hpp"
#include "cmd_http.hpp"
#include "serve_log.hpp"
#include "tls_setup.hpp"

namespace soket::tools {
namespace {

namespace http = proto::http;

struct HttpServeArgs {
  std::string address = "127.0.0.1:8000";
  std::size_t threads = 1;
  std::string text = "Hello from soket\n";
  bool access_log = false;
  double header_timeout = 10, keep_alive_timeout = 5, body_timeout = 60;
  std::string cert, key;
  std::string dir;  // files to serve; empty: --text for every GET
  bool no_list = false, follow_symlinks = false;
};

event::Duration seconds(double s) {
  return std::chrono::duration_cast<event::Duration>(std::chrono::duration<double>(s));
}

int http_serve(const HttpServeArgs& args) {
  // Before any loop thread starts, so that only StopSignals receives them.
  server::StopSignals signals;
  std::signal(SIGPIPE, SIG_IGN);
  ServeLog log;
  std::mutex log_mutex;  // loops log concurrently
  std::unique_ptr<tls::EngineContext> tls;
  if (!args.cert.empty()) tls = server_tls(args.cert, args.key.empty() ? args.cert : args.key);

  http::ServerOptions options;
  options.engine.threads = args.threads;
  options.header_timeout = seconds(args.header_timeout);
  options.keep_alive_timeout = seconds(args.keep_alive_timeout);
  options.body_timeout = seconds(args.body_timeout);
  options.transport = tls.get();
  if (args.access_log)
    options.access_log = [&](std::string_view line) {
      std::lock_guard lock(log_mutex);
      log.err(std::string(line));
    };

  std::unique_ptr<http::StaticFiles> files;
  if (!args.dir.empty()) {
    http::StaticFiles::Options file_options;
    file_options.list_directories = !args.no_list;
    file_options.follow_symlinks_out = args.follow_symlinks;
    files = std::make_unique<http::StaticFiles>(args.dir, std::move(file_options));
  }
  http::Router router;
  router.route("", "/", [&](const http::Request& req, http::Response& res) {
    if (files) return (*files)(req, res);
    if (req.method != "GET" && req.method != "HEAD") {
      res.status(405).header("Allow", "GET, HEAD").send("405 Method Not Allowed\n");
      return;
    }
    res.header("Content-Type", "text/plain; charset=utf-8").send(args.text);
  });
  http::Server server(Address::parse(args.address), router, std::move(options));
  log.err("Listening on " + server.address().repr());
  server.start();
  signals.wait();
  server.stop(std::chrono::seconds(1));
  log.err("Server stopped");
  return 0;
}

}  // namespace

void add_http_serve_command(CLI::App& http) {
  auto args = std::make_shared<HttpServeArgs>();
  auto* cmd = http.add_subcommand("serve", "Serve HTTP/1.1 (default 127.0.0.1:8000)");
  cmd->footer(
      "Examples:\n  soket http serve ./public -a 127.0.0.1:8080\n"
      "  soket http serve -a 127.0.0.1:8080 --text 'hi' --access-log\n"
      "  curl http://127.0.0.1:8080/");
  cmd->add_option("dir", args->dir, "Directory to serve (default: answer --text to every GET)")
      ->transform(non_empty());
  cmd->add_flag("--no-list", args->no_list, "Answer 403 for directories without index.html");
  cmd->add_flag("--follow-symlinks", args->follow_symlinks,
                "Follow symlinks that lead out of DIR (refused by default)");
  cmd->add_option("-a,--address", args->address, "HOST:PORT to listen on (127.0.0.1:8000)")
      ->transform(non_empty());
  cmd->add_option("--threads,-t", args->threads, "Event loops (default 1; 0: one per core)")
      ->transform(count_in(0, 1024));
  cmd->add_option("--text", args->text, "The body every GET answers with");
  cmd->add_flag("--access-log", args->access_log, "Log each request (Common Log Format) on stderr");
  cmd->add_option("--header-timeout", args->header_timeout,
                  "Seconds a request head may take to arrive (10); then 408")
      ->transform(seconds_in(0.001));
  cmd->add_option("--keep-alive-timeout", args->keep_alive_timeout,
                  "Seconds an idle connection is kept (5)")
      ->transform(seconds_in(0.001));
  cmd->add_option("--body-timeout", args->body_timeout,
                  "Seconds a request body may take to arrive (60); then 408")
      ->transform(seconds_in(0.001));
  cmd->add_option("--cert", args->cert, "HTTPS: certificate chain (PEM)")->transform(non_empty());
  cmd->add_option("--key", args->key, "HTTPS: private key (PEM; default: in --cert)")
      ->transform(non_empty());
  cmd->callback([args] {
    int status = 0;
    run_command("http serve", [&] {
      if (!args->key.empty() && args->cert.empty()) usage_error("http serve: --key needs --cert");
      status = http_serve(*args);
    });
    if (status) throw CLI::RuntimeError(status);
  });
}

}  // namespace soket::tools
