// SPDX-License-Identifier: MIT
#include <soket/proto/nntp/nntp.hpp>

#include <charconv>
#include <ctime>
#include <stdexcept>

namespace soket::proto::nntp {
namespace {

ChannelOptions channel_options(const NNTPOptions& o) {
  ChannelOptions c;
  c.name = "nntp";
  c.max_line = o.max_line;
  c.max_block = o.max_block;
  return c;
}

std::string first_word(const std::string& line) {
  return line.substr(0, line.find(' '));
}

// The channel's framing errors as nntplib's: a line or block past its cap is bad data.
template <class F>
auto guarded(const std::string& command, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const LineTooLongError& e) {
    throw NNTPDataError("nntp " + command + ": line too long (" + e.what() + ")", "");
  } catch (const ReplyTooLargeError& e) {
    throw NNTPDataError("nntp " + command + ": reply too large (" + e.what() + ")", "");
  }
}

std::int64_t number_of(std::string_view s, const std::string& command, const std::string& resp) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    throw NNTPDataError(
        "nntp " + command + ": bad number \"" + std::string(s) + "\" in \"" + resp + "\"", resp);
  return v;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// "yyyymmdd hhmmss" in UTC, as RFC 3977 §7.3 reads it with "GMT".
std::string nntp_datetime(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d %H%M%S", &tm);
  return std::string(buf) + " GMT";
}

std::vector<GroupInfo> group_infos(const std::vector<std::string>& lines, const std::string& cmd) {
  std::vector<GroupInfo> out;
  for (const auto& line : lines) {
    auto w = words(line);
    if (w.size() < 4)
      throw NNTPDataError("nntp " + cmd + ": bad group line \"" + line.substr(0, 80) + "\"", "");
    out.push_back(GroupInfo{w[0], number_of(w[1], cmd, line), number_of(w[2], cmd, line), w[3]});
  }
  return out;
}

}  // namespace

NNTP::NNTP(const std::string& host, std::uint16_t port, NNTPOptions options)
    : channel_(
          LineChannel::connect(Address(host, port), options.timeout, channel_options(options))),
      options_(std::move(options)) {
  start(host);
}

NNTP::NNTP(Socket sock, NNTPOptions options, std::string host)
    : channel_(std::move(sock), channel_options(options)), options_(std::move(options)) {
  start(host);
}

NNTP::~NNTP() = default;
NNTP::NNTP(NNTP&&) noexcept = default;
NNTP& NNTP::operator=(NNTP&&) noexcept = default;

void NNTP::start(const std::string& host) {
  host_ = host;
  if (options_.ssl_context) {
    channel_.starttls(*options_.ssl_context,
                      host_.empty() ? std::nullopt : std::optional<std::string>(host_));
    tls_on_ = true;
  }
  welcome_ = getresp("welcome", {200, 201});
  refresh_capabilities();
  if (options_.readermode && !caps_.contains("READER")) {
    try {
      shortcmd("MODE READER", {200, 201});
    } catch (const NNTPPermanentError&) {
      // A server that has no reader mode is already one (nntplib ignores this too).
    }
    refresh_capabilities();
  }
  if (options_.user) login(*options_.user, options_.password.value_or(""));
}

void NNTP::set_debuglevel(int level) noexcept {
  channel_.set_debuglevel(level);
}

std::string NNTP::getresp(const std::string& command, std::initializer_list<int> expected) {
  std::string resp = guarded(command, [&] { return channel_.getline(); });
  const char c = resp.empty() ? '\0' : resp[0];
  if (c == '4') throw NNTPTemporaryError("nntp " + command + ": " + resp, resp);
  if (c == '5') throw NNTPPermanentError("nntp " + command + ": " + resp, resp);
  if (c < '1' || c > '5')
    throw NNTPProtocolError("nntp " + command + ": not a reply: \"" + resp.substr(0, 80) + "\"",
                            resp);
  int code = 0;
  const auto [end, ec] =
      std::from_chars(resp.data(), resp.data() + std::min<std::size_t>(3, resp.size()), code);
  if (ec != std::errc() || end != resp.data() + 3 || (resp.size() > 3 && resp[3] != ' '))
    throw NNTPProtocolError("nntp " + command + ": not a reply: \"" + resp.substr(0, 80) + "\"",
                            resp);
  for (int e : expected)
    if (e == code) return resp;
  throw NNTPReplyError("nntp " + command + ": unexpected reply " + resp, resp);
}

std::string NNTP::shortcmd(const std::string& line, std::initializer_list<int> expected) {
  channel_.write_line(line);
  return getresp(first_word(line), expected);
}

std::vector<std::string> NNTP::read_block(const std::string& command) {
  return guarded(command, [&] { return channel_.read_dot_block(); });
}

std::pair<std::string, std::vector<std::string>> NNTP::longcmd(
    const std::string& line, std::initializer_list<int> expected) {
  std::string resp = shortcmd(line, expected);
  return {std::move(resp), read_block(first_word(line))};
}

void NNTP::refresh_capabilities() {
  caps_.clear();
  try {
    auto [resp, lines] = longcmd("CAPABILITIES", {101});
    for (const auto& line : lines) {
      auto w = words(line);
      if (w.empty()) continue;
      std::string name = w[0];
      w.erase(w.begin());
      caps_[name] = std::move(w);
    }
  } catch (const NNTPTemporaryError&) {
  } catch (const NNTPPermanentError&) {
    // An RFC 977 server has no CAPABILITIES: nntplib goes on without.
  }
}

void NNTP::login(const std::string& user, const std::string& password) {
  if (authenticated_) throw std::logic_error("nntp login: already logged in");
  std::string resp = shortcmd("AUTHINFO USER " + user, {281, 381});
  if (resp.starts_with("381")) {
    channel_.write_secret_line("AUTHINFO PASS " + password, "AUTHINFO PASS ********");
    getresp("AUTHINFO", {281});
  }
  authenticated_ = true;
  overview_fmt_.reset();
  refresh_capabilities();
}

void NNTP::starttls(const tls::SSLContext& context) {
  if (tls_on_) throw std::logic_error("nntp starttls: TLS is already enabled");
  if (authenticated_)
    throw std::logic_error("nntp starttls: TLS cannot be started after authentication");
  shortcmd("STARTTLS", {382});
  channel_.starttls(context, host_.empty() ? std::nullopt : std::optional<std::string>(host_));
  tls_on_ = true;
  refresh_capabilities();
}

GroupReply NNTP::group(const std::string& name) {
  GroupReply r;
  r.response = shortcmd("GROUP " + name, {211});
  auto w = words(r.response);
  if (w.size() < 5)
    throw NNTPDataError("nntp GROUP: short reply \"" + r.response + "\"", r.response);
  r.count = number_of(w[1], "GROUP", r.response);
  r.first = number_of(w[2], "GROUP", r.response);
  r.last = number_of(w[3], "GROUP", r.response);
  r.name = w[4];
  return r;
}

std::pair<std::string, std::vector<GroupInfo>> NNTP::list(
    const std::optional<std::string>& group_pattern) {
  auto [resp, lines] = longcmd(group_pattern ? "LIST ACTIVE " + *group_pattern : "LIST", {215});
  return {std::move(resp), group_infos(lines, "LIST")};
}

std::pair<std::string, std::map<std::string, std::string>> NNTP::descriptions(
    const std::string& group_pattern) {
  auto [resp, lines] = longcmd("LIST NEWSGROUPS " + group_pattern, {215});
  std::map<std::string, std::string> out;
  for (const auto& line : lines) {
    const auto sep = line.find_first_of(" \t");
    std::string name = line.substr(0, sep);
    std::string desc;
    if (sep != std::string::npos) {
      const auto start = line.find_first_not_of(" \t", sep);
      if (start != std::string::npos) desc = line.substr(start);
    }
    out[name] = desc;
  }
  return {std::move(resp), std::move(out)};
}

std::string NNTP::description(const std::string& group) {
  auto [resp, all] = descriptions(group);
  auto it = all.find(group);
  return it == all.end() ? std::string() : it->second;
}

std::pair<std::string, std::vector<GroupInfo>> NNTP::newgroups(
    std::chrono::system_clock::time_point date) {
  auto [resp, lines] = longcmd("NEWGROUPS " + nntp_datetime(date), {231});
  return {std::move(resp), group_infos(lines, "NEWGROUPS")};
}

std::pair<std::string, std::vector<std::string>> NNTP::newnews(
    const std::string& group, std::chrono::system_clock::time_point date) {
  return longcmd("NEWNEWS " + group + " " + nntp_datetime(date), {230});
}

std::pair<std::string, ArticleInfo> NNTP::article_like(
    const char* verb, int code, const std::optional<std::string>& spec,
    const std::function<void(std::string_view)>* on_line) {
  const std::string line = spec ? std::string(verb) + " " + *spec : std::string(verb);
  std::string resp = shortcmd(line, {code});
  ArticleInfo info;
  auto w = words(resp);
  if (w.size() >= 3) {
    info.number = number_of(w[1], verb, resp);
    info.message_id = w[2];
  }
  if (on_line)
    guarded(verb, [&] {
      channel_.read_dot_block(*on_line);
      return 0;
    });
  else
    info.lines = read_block(verb);
  return {std::move(resp), std::move(info)};
}

std::pair<std::string, ArticleInfo> NNTP::article(const std::optional<std::string>& spec) {
  return article_like("ARTICLE", 220, spec, nullptr);
}
std::pair<std::string, ArticleInfo> NNTP::head(const std::optional<std::string>& spec) {
  return article_like("HEAD", 221, spec, nullptr);
}
std::pair<std::string, ArticleInfo> NNTP::body(const std::optional<std::string>& spec) {
  return article_like("BODY", 222, spec, nullptr);
}
std::pair<std::string, ArticleInfo> NNTP::article(
    const std::optional<std::string>& spec, const std::function<void(std::string_view)>& on_line) {
  return article_like("ARTICLE", 220, spec, &on_line);
}

StatReply NNTP::stat_like(const std::string& line) {
  StatReply r;
  r.response = shortcmd(line, {223});
  auto w = words(r.response);
  if (w.size() < 3)
    throw NNTPDataError("nntp " + first_word(line) + ": short reply \"" + r.response + "\"",
                        r.response);
  r.number = number_of(w[1], first_word(line), r.response);
  r.message_id = w[2];
  return r;
}

StatReply NNTP::stat(const std::optional<std::string>& spec) {
  return stat_like(spec ? "STAT " + *spec : std::string("STAT"));
}
StatReply NNTP::next() {
  return stat_like("NEXT");
}
StatReply NNTP::last() {
  return stat_like("LAST");
}

const std::vector<std::string>& NNTP::overview_fmt() {
  if (!overview_fmt_) {
    try {
      auto [resp, lines] = longcmd("LIST OVERVIEW.FMT", {215});
      overview_fmt_ = parse_overview_fmt(lines);
    } catch (const NNTPTemporaryError&) {
      overview_fmt_ = default_overview_fmt();
    } catch (const NNTPPermanentError&) {
      overview_fmt_ = default_overview_fmt();
    }
  }
  return *overview_fmt_;
}

std::pair<std::string, std::vector<Overview>> NNTP::overview(const std::string& line) {
  const auto fmt = overview_fmt();
  auto [resp, lines] = longcmd(line, {224});
  return {std::move(resp), parse_overview(lines, fmt)};
}

std::pair<std::string, std::vector<Overview>> NNTP::over(std::int64_t first,
                                                         std::optional<std::int64_t> last) {
  const std::string range =
      std::to_string(first) + "-" + (last ? std::to_string(*last) : std::string());
  return overview((caps_.contains("OVER") ? "OVER " : "XOVER ") + range);
}

std::pair<std::string, std::vector<Overview>> NNTP::xover(std::int64_t first, std::int64_t last) {
  return overview("XOVER " + std::to_string(first) + "-" + std::to_string(last));
}

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> NNTP::xhdr(
    const std::string& hdr, const std::string& spec) {
  auto [resp, lines] = longcmd("XHDR " + hdr + " " + spec, {221});
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& line : lines) {
    const auto sp = line.find(' ');
    out.emplace_back(line.substr(0, sp), sp == std::string::npos ? "" : line.substr(sp + 1));
  }
  return {std::move(resp), std::move(out)};
}

std::string NNTP::send_article(const std::string& line, int go_ahead, int done,
                               std::string_view data) {
  shortcmd(line, {go_ahead});
  channel_.write_dot_block(data, true);
  return getresp(first_word(line), {done});
}

std::string NNTP::post(std::string_view data) {
  return send_article("POST", 340, 240, data);
}

std::string NNTP::ihave(const std::string& message_id, std::string_view data) {
  return send_article("IHAVE " + message_id, 335, 235, data);
}

std::pair<std::string, std::chrono::system_clock::time_point> NNTP::date() {
  std::string resp = shortcmd("DATE", {111});
  auto w = words(resp);
  if (w.size() < 2 || w[1].size() != 14 ||
      w[1].find_first_not_of("0123456789") != std::string::npos)
    throw NNTPDataError("nntp DATE: bad date in \"" + resp + "\"", resp);
  std::tm tm{};
  auto part = [&](std::size_t at, std::size_t n) {
    return static_cast<int>(number_of(std::string_view(w[1]).substr(at, n), "DATE", resp));
  };
  tm.tm_year = part(0, 4) - 1900;
  tm.tm_mon = part(4, 2) - 1;
  tm.tm_mday = part(6, 2);
  tm.tm_hour = part(8, 2);
  tm.tm_min = part(10, 2);
  tm.tm_sec = part(12, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    throw NNTPDataError("nntp DATE: bad date in \"" + resp + "\"", resp);
  return {resp, std::chrono::system_clock::from_time_t(::timegm(&tm))};
}

std::pair<std::string, std::vector<std::string>> NNTP::help() {
  return longcmd("HELP", {100});
}

std::string NNTP::quit() {
  std::string resp;
  try {
    resp = shortcmd("QUIT", {205});
  } catch (...) {
    channel_.close();
    throw;
  }
  channel_.close();
  return resp;
}

}  // namespace soket::proto::nntp
