// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cctype>
#include <charconv>
#include <soket/proto/nntp/errors.hpp>
#include <soket/proto/nntp/overview.hpp>

namespace soket::proto::nntp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string shown(std::string_view line) {
  return std::string(line.substr(0, 80)) + (line.size() > 80 ? "..." : "");
}

}  // namespace

std::vector<std::string> default_overview_fmt() {
  return {"subject", "from", "date", "message-id", "references", ":bytes", ":lines"};
}

std::vector<std::string> parse_overview_fmt(const std::vector<std::string>& lines) {
  std::vector<std::string> fmt;
  for (std::string_view line : lines) {
    std::string name;
    if (line.starts_with(":")) {
      // ":bytes" and ":lines" (RFC 3977 metadata), possibly followed by more.
      const auto colon = line.find(':', 1);
      name = lower(line.substr(0, colon));
    } else {
      const auto colon = line.find(':');
      name = lower(line.substr(0, colon));
    }
    // RFC 2980 spells the metadata as headers.
    if (name == "bytes") name = ":bytes";
    if (name == "lines") name = ":lines";
    fmt.push_back(std::move(name));
  }
  const auto defaults = default_overview_fmt();
  if (fmt.size() < defaults.size() || !std::equal(defaults.begin(), defaults.end(), fmt.begin()))
    throw NNTPDataError("nntp LIST OVERVIEW.FMT: the first seven fields are not RFC 3977's", "");
  return fmt;
}

std::vector<Overview> parse_overview(const std::vector<std::string>& lines,
                                     const std::vector<std::string>& fmt) {
  const std::size_t n_defaults = default_overview_fmt().size();
  std::vector<Overview> out;
  out.reserve(lines.size());
  for (std::string_view line : lines) {
    Overview entry;
    std::size_t tab = line.find('\t');
    std::string_view num = line.substr(0, tab);
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), entry.number);
    if (ec != std::errc() || end != num.data() + num.size() || num.empty() || entry.number < 0)
      throw NNTPDataError("nntp OVER: bad article number in \"" + shown(line) + "\"", "");
    std::size_t i = 0;
    while (tab != std::string_view::npos && i < fmt.size()) {
      const std::size_t start = tab + 1;
      tab = line.find('\t', start);
      std::string_view token =
          line.substr(start, tab == std::string_view::npos ? tab : tab - start);
      const std::string& name = fmt[i];
      if (i >= n_defaults && !name.starts_with(":") && !token.empty()) {
        // Extra fields carry their header name: "Xref: host group:1".
        const std::string prefix = name + ": ";
        if (token.size() < prefix.size() - 1 ||
            lower(token.substr(0, prefix.size() - 1)) != prefix.substr(0, prefix.size() - 1))
          throw NNTPDataError(
              "nntp OVER: field " + name + " lacks its name in \"" + shown(line) + "\"", "");
        token.remove_prefix(std::min(prefix.size(), token.size()));
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      }
      entry.fields[name] = std::string(token);
      ++i;
    }
    // Missing trailing fields are absent ("").
    for (; i < fmt.size(); ++i) entry.fields.emplace(fmt[i], std::string());
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace soket::proto::nntp
