// SPDX-License-Identifier: MIT
// `soket news URL`: an NNTP reader — the server's groups, a group's latest articles (from
// OVER), one article; --post sends one. Passwords come from a file or the environment, never
// from the command line.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <soket/proto/nntp/nntp.hpp>
#include <soket/proto/nntp/url.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

namespace nntp = proto::nntp;

struct NewsArgs {
  std::string url;
  double limit = 20;
  double timeout = 30;
  std::string user, password_file, cafile, post;
  bool starttls = false, json = false;
};

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + what + " " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string password(const NewsArgs& args) {
  if (!args.password_file.empty()) {
    std::string p = read_file(args.password_file, "password file");
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    return p;
  }
  if (const char* env = std::getenv("SOKET_NEWS_PASSWORD")) return env;
  usage_error("--user needs a password: --password-file FILE or SOKET_NEWS_PASSWORD");
}

void list_groups(nntp::NNTP& s, bool json) {
  auto [resp, groups] = s.list();
  if (json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& g : groups)
      a.push_back({{"group", g.group}, {"first", g.first}, {"last", g.last}, {"flag", g.flag}});
    std::cout << a.dump(2) << '\n';
    return;
  }
  for (const auto& g : groups)
    std::cout << g.group << ' ' << g.first << '-' << g.last << ' ' << g.flag << '\n';
}

void list_articles(nntp::NNTP& s, const std::string& group, std::int64_t limit, bool json) {
  const auto g = s.group(group);
  std::vector<nntp::Overview> entries;
  if (g.count > 0) entries = s.over(std::max(g.first, g.last - limit + 1), g.last).second;
  if (json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : entries) {
      nlohmann::json j{{"number", e.number}};
      for (const auto& [k, v] : e.fields) j[k] = v;
      a.push_back(std::move(j));
    }
    std::cout << a.dump(2) << '\n';
    return;
  }
  std::cout << g.name << ": " << g.count << " articles, " << g.first << '-' << g.last << '\n';
  for (const auto& e : entries)
    std::cout << e.number << '\t' << e.fields.at("subject") << '\t' << e.fields.at("from") << '\n';
}

void run(const NewsArgs& args) {
  nntp::Url url;
  try {
    url = nntp::parse_url(args.url);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  if (args.json && (url.number || !url.message_id.empty() || !args.post.empty()))
    usage_error("--json lists groups or articles; an article is printed as it is");
  // The password first: a missing one is a usage error, found before any connection.
  const std::string pass = args.user.empty() ? std::string() : password(args);
  nntp::NNTPOptions options;
  options.timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(args.timeout));
  nntp::NNTP s(url.host, url.port, options);
  if (args.starttls) {
    tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
    if (args.cafile.empty())
      ctx.set_default_verify_paths();
    else
      ctx.load_verify_locations(args.cafile);
    s.starttls(ctx);
  }
  if (!args.user.empty()) s.login(args.user, pass);
  if (!args.post.empty()) {
    std::cout << s.post(read_file(args.post, "article")) << '\n';
  } else if (!url.message_id.empty() || url.number) {
    if (url.number) s.group(url.group);
    const auto spec = url.number ? std::to_string(*url.number) : url.message_id;
    s.article(spec, [](std::string_view line) { std::cout << line << '\n'; });
  } else if (!url.group.empty()) {
    list_articles(s, url.group, static_cast<std::int64_t>(args.limit), args.json);
  } else {
    list_groups(s, args.json);
  }
  std::cout.flush();
  s.quit();
}

}  // namespace

void add_news_command(CLI::App& app) {
  auto args = std::make_shared<NewsArgs>();
  auto* cmd = app.add_subcommand(
      "news", "Read Usenet news (NNTP, RFC 3977): list groups, a group's articles, one article");
  cmd->add_option("url", args->url, "nntp://host[:port][/group[/number]] or news://host/message-id")
      ->required();
  cmd->add_option("-n,--limit", args->limit, "articles listed for a group (default 20)")
      ->transform(count_in(1, 1e9));
  cmd->add_option("-t,--timeout", args->timeout, "seconds for connect and each reply (default 30)")
      ->transform(seconds_in(0.001));
  cmd->add_option("-u,--user", args->user, "log in (AUTHINFO USER/PASS) as USER");
  cmd->add_option("--password-file", args->password_file,
                  "file holding the password (else $SOKET_NEWS_PASSWORD)");
  cmd->add_flag("--starttls", args->starttls, "upgrade to TLS (STARTTLS) before anything else");
  cmd->add_option("--cafile", args->cafile, "CA certificates for --starttls (default: system)");
  cmd->add_option("--post", args->post, "post the article in FILE (headers, blank line, body)");
  cmd->add_flag("--json", args->json, "print groups or articles as JSON");
  cmd->footer(
      "Example: soket news nntp://127.0.0.1:1119                       (groups)\n"
      "         soket news nntp://127.0.0.1:1119/local.general          (latest articles)\n"
      "         soket news nntp://127.0.0.1:1119/local.general/1        (one article)\n"
      "         SOKET_NEWS_PASSWORD=... soket news -u me --post a.txt nntp://host");
  cmd->callback([args] { run_command("news", [&] { run(*args); }); });
}

}  // namespace soket::tools
