// SPDX-License-Identifier: MIT
// `soket gopher URL`: fetch a gopher:// item — a menu printed as a list (or --json), a text
// item as its text, a binary item as its bytes (to stdout or -o FILE).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include <soket/proto/gopher/client.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace soket::tools {
namespace {

namespace gopher = proto::gopher;

struct GopherArgs {
  std::string url;
  std::string query;
  std::string output;
  double timeout = 30;
  double max_size = 64 << 20;
  bool json = false;
};

// The URL a menu item points at (what to pass back to `soket gopher`).
std::string item_url(const gopher::Item& item) {
  gopher::Url u;
  u.host = item.host;
  u.port = item.port;
  u.type = item.type;
  u.selector = item.selector;
  return u.str();
}

void print_menu(const std::vector<gopher::Item>& menu, bool json) {
  if (json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : menu) {
      nlohmann::json j{{"type", std::string(1, item.type)},
                       {"type_name", gopher::type_to_name(item.type)},
                       {"display", item.display}};
      if (item.selectable()) {
        j["selector"] = item.selector;
        j["host"] = item.host;
        j["port"] = item.port;
        j["url"] = item_url(item);
      }
      array.push_back(std::move(j));
    }
    std::cout << array.dump(2) << '\n';
    return;
  }
  for (const auto& item : menu) {
    if (!item.selectable()) {
      std::cout << "           " << item.display << '\n';
      continue;
    }
    std::string tag = "(" + gopher::type_to_name(item.type) + ")";
    tag.resize(std::max<std::size_t>(tag.size(), 10), ' ');
    std::cout << tag << ' ' << item.display << "  " << item_url(item) << '\n';
  }
}

void run(const GopherArgs& args) {
  gopher::Url url;
  try {
    url = gopher::parse_url(args.url);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  if (!args.query.empty()) url.query = args.query;
  gopher::Limits limits;
  limits.timeout = args.timeout;
  limits.max_size = static_cast<std::size_t>(args.max_size);
  if (url.type == gopher::A_MENU || url.type == gopher::A_INDEX) {
    print_menu(gopher::fetch(url, limits).menu, args.json);
    return;
  }
  if (args.json)
    usage_error("--json is for menus (types 1 and 7), not type " + std::string(1, url.type));
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary);
    if (!file) throw std::runtime_error("cannot write " + args.output);
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  if (gopher::is_binary_type(url.type)) {
    // Streamed: a large binary item never sits in memory.
    Socket sock = url.query
                      ? gopher::send_query(url.selector, *url.query, url.host, url.port, limits)
                      : gopher::send_selector(url.selector, url.host, url.port, limits);
    gopher::get_binary(sock, [&](std::string_view piece) {
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    });
  } else {
    out << gopher::fetch(url, limits).data;
  }
  out.flush();
  if (!out)
    throw std::runtime_error("write to " + (args.output.empty() ? "stdout" : args.output) +
                             " failed");
}

}  // namespace

void add_gopher_command(CLI::App& app) {
  auto args = std::make_shared<GopherArgs>();
  auto* cmd = app.add_subcommand(
      "gopher", "Fetch a gopher:// URL (RFC 1436): menus listed, text printed, binaries saved");
  cmd->add_option("url", args->url, "gopher://host[:port]/<type><selector>[%09<search>]")
      ->required();
  cmd->add_option("-q,--query", args->query, "search string for a type-7 item");
  cmd->add_option("-o,--output", args->output, "write the item to FILE instead of stdout");
  cmd->add_option("-t,--timeout", args->timeout, "seconds for connect and each read (default 30)")
      ->transform(seconds_in(0.001));
  cmd->add_option("--max-size", args->max_size,
                  "largest menu or text item in bytes (default 67108864)")
      ->transform(count_in(1, 1e12));
  cmd->add_flag("--json", args->json, "print a menu as a JSON array of items");
  cmd->footer(
      "Item types: 0 text, 1 menu, 7 search, 9/g/I/s binary (RFC 1436 §3.8).\n"
      "Example: soket gopher gopher://127.0.0.1:7070/1/docs\n"
      "         soket gopher 'gopher://host/7/search%09words'\n"
      "         soket gopher gopher://host/9/file.bin -o file.bin");
  cmd->callback([args] { run_command("gopher", [&] { run(*args); }); });
}

}  // namespace soket::tools
