// SPDX-License-Identifier: MIT
// libFuzzer target for the news lane's parsers. The first byte picks one; the rest is its
// input. Telnet: the commands and data found must not depend on where the stream is split
// (the second byte is the split point), and every data byte must come from the input.
// Gopher menus, text, URLs and NNTP overview lines / URLs: only their documented exceptions
// may escape, and what they return must be consistent with the input.
#include <soket/proto/gopher/menu.hpp>
#include <soket/proto/gopher/url.hpp>
#include <soket/proto/nntp/errors.hpp>
#include <soket/proto/nntp/overview.hpp>
#include <soket/proto/nntp/url.hpp>
#include <soket/proto/telnet/parser.hpp>
#include <soket/proto/telnet/protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "news_parse_fuzz: %s\n", what);
  std::abort();
}

namespace telnet = soket::proto::telnet;

struct Parsed {
  std::string data;
  std::vector<telnet::Command> commands;
  bool error = false;
};

Parsed parse(std::string_view in, std::size_t cut) {
  Parsed p;
  telnet::Parser parser(64);
  try {
    parser.feed(in.substr(0, cut), p.data, p.commands);
    parser.feed(in.substr(cut), p.data, p.commands);
  } catch (const telnet::Error&) {
    p.error = true;
  }
  return p;
}

void fuzz_telnet(std::string_view in) {
  if (in.empty()) return;
  const std::size_t cut = static_cast<unsigned char>(in[0]) % (in.size());
  in.remove_prefix(1);
  const Parsed whole = parse(in, in.size());
  const Parsed split = parse(in, std::min(cut, in.size()));
  if (whole.error != split.error) fail("telnet: error depends on the split");
  if (whole.error) return;
  if (whole.data != split.data) fail("telnet: data depends on the split");
  if (whole.commands.size() != split.commands.size()) fail("telnet: commands depend on split");
  for (std::size_t i = 0; i < whole.commands.size(); ++i)
    if (whole.commands[i].cmd != split.commands[i].cmd ||
        whole.commands[i].option != split.commands[i].option ||
        whole.commands[i].payload != split.commands[i].payload)
      fail("telnet: a command depends on the split");
  if (whole.data.size() > in.size()) fail("telnet: more data than input");
  // Escaping then parsing gives the data back (outside binary mode CR NUL is special, so
  // only check inputs without NUL).
  if (in.find('\0') == std::string_view::npos) {
    const Parsed round = parse(telnet::escape_iac(in), 0);
    if (round.error || round.data != in || !round.commands.empty())
      fail("telnet: escape_iac then parse is not the identity");
  }
}

void fuzz_gopher(std::string_view in) {
  for (const auto& item : soket::proto::gopher::parse_menu(in)) {
    if (item.selectable() && (item.host.empty() || item.port == 0))
      fail("gopher: selectable item without host or port");
    if (item.selector.find_first_of("\t\n") != std::string::npos)
      fail("gopher: TAB or LF inside a selector");
  }
  if (soket::proto::gopher::unstuff_text(in).size() > in.size()) fail("gopher: text grew");
  try {
    const auto url = soket::proto::gopher::parse_url(in);
    if (url.host.empty() || url.port == 0) fail("gopher: URL without host or port");
    if (url.selector.find_first_of("\r\n") != std::string::npos) fail("gopher: CR/LF selector");
    // What str() writes parses back to the same URL.
    const auto again = soket::proto::gopher::parse_url(url.str());
    if (again.host != url.host || again.port != url.port || again.type != url.type ||
        again.selector != url.selector || again.query != url.query)
      fail("gopher: str() does not parse back");
  } catch (const std::invalid_argument&) {
  }
}

void fuzz_nntp(std::string_view in) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= in.size()) {
    const auto nl = in.find('\n', start);
    lines.emplace_back(in.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  try {
    auto fmt = soket::proto::nntp::default_overview_fmt();
    fmt.emplace_back("xref");
    for (const auto& e : soket::proto::nntp::parse_overview(lines, fmt))
      if (e.number < 0 || e.fields.size() > fmt.size()) fail("nntp: bad overview entry");
  } catch (const soket::proto::nntp::NNTPDataError&) {
  }
  try {
    soket::proto::nntp::parse_overview_fmt(lines);
  } catch (const soket::proto::nntp::NNTPDataError&) {
  }
  try {
    const auto url = soket::proto::nntp::parse_url(in);
    if (url.host.empty() || url.port == 0) fail("nntp: URL without host or port");
  } catch (const std::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: fuzz_telnet(in); break;
    case 1: fuzz_gopher(in); break;
    default: fuzz_nntp(in); break;
  }
  return 0;
}
