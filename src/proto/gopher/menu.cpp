// SPDX-License-Identifier: MIT
#include <charconv>
#include <soket/proto/gopher/menu.hpp>

namespace soket::proto::gopher {

std::string type_to_name(char type) {
  switch (type) {
    case A_TEXT: return "TEXT";
    case A_MENU: return "MENU";
    case A_CSO: return "CSO";
    case A_ERROR: return "ERROR";
    case A_MACBINHEX: return "MACBINHEX";
    case A_PCBINHEX: return "PCBINHEX";
    case A_UUENCODED: return "UUENCODED";
    case A_INDEX: return "INDEX";
    case A_TELNET: return "TELNET";
    case A_BINARY: return "BINARY";
    case A_DUPLICATE: return "DUPLICATE";
    case A_TN3270: return "TN3270";
    case A_GIF: return "GIF";
    case A_IMAGE: return "IMAGE";
    case A_INFO: return "INFO";
    case A_HTML: return "HTML";
    case A_SOUND: return "SOUND";
    default: return std::string("TYPE='") + type + "'";
  }
}

bool is_binary_type(char type) {
  switch (type) {
    case A_PCBINHEX:
    case A_BINARY:
    case A_GIF:
    case A_IMAGE:
    case A_SOUND:
    case 'd':  // document (PDF...)
    case 'p':  // PNG
    case 'P':  // PDF
    case ';':  // video
      return true;
    default: return false;
  }
}

bool Item::selectable() const noexcept {
  return type != A_INFO && type != A_ERROR && type != A_DUPLICATE && port != 0 && !host.empty();
}

Item parse_item(std::string_view line) {
  Item item;
  std::string_view fields[4];
  std::size_t n = 0;
  std::string_view rest = line;
  while (n < 4) {
    const auto tab = rest.find('\t');
    fields[n++] = rest.substr(0, tab);
    if (tab == std::string_view::npos) break;
    rest.remove_prefix(tab + 1);
  }
  unsigned port = 0;
  bool port_ok = false;
  if (n == 4) {
    // Some servers pad the port ("70 "); accept digits only after trimming spaces.
    std::string_view p = fields[3];
    while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    port_ok = ec == std::errc() && end == p.data() + p.size() && !p.empty() && port <= 65535;
  }
  if (!port_ok || fields[0].empty()) {
    item.type = A_INFO;
    // With tabs the first field is still "type display"; without, the line is all text.
    item.display =
        n > 1 && !fields[0].empty() ? std::string(fields[0].substr(1)) : std::string(line);
    return item;
  }
  item.type = fields[0][0];
  item.display = std::string(fields[0].substr(1));
  item.selector = std::string(fields[1]);
  item.host = std::string(fields[2]);
  item.port = static_cast<std::uint16_t>(port);
  return item;
}

std::vector<Item> parse_menu(std::string_view text) {
  std::vector<Item> items;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == ".") break;
    if (line.empty()) continue;
    items.push_back(parse_item(line));
  }
  return items;
}

std::string unstuff_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
    text.remove_prefix(line.size());
    std::string_view bare = line;
    if (!bare.empty() && bare.back() == '\n') bare.remove_suffix(1);
    if (!bare.empty() && bare.back() == '\r') bare.remove_suffix(1);
    if (bare == ".") break;
    if (line.size() >= 2 && line[0] == '.' && line[1] == '.') line.remove_prefix(1);
    out += line;
  }
  return out;
}

}  // namespace soket::proto::gopher
