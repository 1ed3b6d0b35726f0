// SPDX-License-Identifier: MIT
#include <soket/proto/smtp/message.hpp>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <random>
#include <stdexcept>

#include <soket/proto/base64.hpp>

namespace soket::proto::smtp {

namespace {

bool blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool special(char c) noexcept {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == ',' || c == ';' || c == ':' ||
         c == '"';
}

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// One address being read: the words of its phrase, its comments, its <angle> part.
struct Pending {
  std::vector<std::string> words;  // atoms and quoted strings (quotes kept: local parts need them)
  std::vector<std::string> unquoted;
  std::string comment;
  std::string angle;
  bool has_angle = false;
  bool junk = false;  // words after the <angle> part: Python gives ('', '')
  bool empty() const { return words.empty() && comment.empty() && !has_angle; }
};

AddressPair finish(const Pending& p) {
  if (p.junk) return {};
  // The display name's words, one space apart ("J. Smith": a dot sticks to its word).
  auto phrase = [](const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& each : parts) out += (out.empty() || each == "." ? "" : " ") + each;
    return out;
  };
  if (p.has_angle) {
    std::string addr = p.angle;
    // An obsolete source route ("@relay1,@relay2:user@host") is dropped (RFC 5322 §4.4).
    if (addr.starts_with('@'))
      if (const auto colon = addr.find(':'); colon != std::string::npos) addr.erase(0, colon + 1);
    std::string name = phrase(p.unquoted);
    if (!p.comment.empty()) name += (name.empty() ? "" : " ") + ("(" + p.comment + ")");
    if (p.unquoted.empty()) name = p.comment;
    return {name, addr};
  }
  // An addr-spec: its words run together ("a . b @ c" is "a.b@c"); a word that does not
  // continue it ("foo bar") ends it, as Python's parser stops there.
  std::string addr;
  for (const auto& w : p.words) {
    if (!addr.empty() && w != "." && w != "@" && !addr.ends_with('.') && !addr.ends_with('@'))
      break;
    addr += w;
  }
  return {p.comment, addr};
}

class AddressListParser {
 public:
  explicit AddressListParser(std::string_view text) : s_(text) {}

  std::vector<AddressPair> parse() {
    std::vector<AddressPair> out;
    Pending p;
    bool in_group = false;
    bool group_ended = false;
    auto flush = [&](bool keep_empty) {
      if (!p.empty() || keep_empty) out.push_back(finish(p));
      p = Pending{};
    };
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (blank(c)) {
        ++i_;
        continue;
      }
      if (c == '(') {
        const std::string text = comment();
        p.comment += (p.comment.empty() ? "" : " ") + text;
      } else if (c == '"') {
        const std::string text = quoted();
        if (p.has_angle) p.junk = true;
        p.words.push_back("\"" + text + "\"");
        p.unquoted.push_back(text);
      } else if (c == '<') {
        p.angle = angle();
        p.has_angle = true;
      } else if (c == ':' && !in_group && !p.has_angle) {
        ++i_;  // a group: its display name is dropped, its members follow
        in_group = true;
        p = Pending{};
      } else if (c == ';') {
        ++i_;
        in_group = false;
        flush(false);
        group_ended = true;
        continue;
      } else if (c == ',') {
        ++i_;
        flush(!group_ended);  // "a@b,,c@d" has an empty address between; "g: a@b;, c@d" not
      } else if (c == '>' || c == ')' || c == ':') {
        ++i_;  // stray: Python's lenient parser skips them too
      } else {
        std::string w = atom();
        if (p.has_angle) p.junk = true;
        p.unquoted.push_back(w);
        p.words.push_back(std::move(w));
      }
      group_ended = false;
    }
    if (!p.empty() || out.empty()) flush(true);
    return out;
  }

 private:
  std::string atom() {
    std::string w;
    // '.' and '@' are words of their own, so "a . b @ c" and "a.b@c" read the same.
    if (s_[i_] == '.' || s_[i_] == '@') return std::string(1, s_[i_++]);
    while (i_ < s_.size() && !blank(s_[i_]) && !special(s_[i_]) && s_[i_] != '.' && s_[i_] != '@')
      w += s_[i_++];
    return w;
  }
  std::string quoted() {
    std::string text;
    for (++i_; i_ < s_.size() && s_[i_] != '"'; ++i_) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      if (s_[i_] != '\r' && s_[i_] != '\n') text += s_[i_];
    }
    if (i_ < s_.size()) ++i_;
    return text;
  }
  // Nested comments flatten: "(Comment (nested))" is "Comment nested", as Python.
  std::string comment() {
    std::string text;
    int depth = 0;
    for (; i_ < s_.size(); ++i_) {
      const char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size()) {
        if (s_[++i_] != '\r' && s_[i_] != '\n') text += s_[i_];
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) {
          ++i_;
          break;
        }
      } else if (c != '\r' && c != '\n') {
        text += c;
      }
    }
    return text;
  }
  std::string angle() {
    std::string addr;
    for (++i_; i_ < s_.size() && s_[i_] != '>'; ++i_) {
      if (s_[i_] == '"') {
        addr += "\"" + quoted() + "\"";
        --i_;
      } else if (s_[i_] == '(') {
        comment();
        --i_;
      } else if (!blank(s_[i_])) {
        addr += s_[i_];
      }
    }
    if (i_ < s_.size()) ++i_;
    return addr;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// The header section's fields, each as [start, end) of its lines in the message (folded
// continuation lines included, with their line ends).
struct Field {
  std::size_t start, end;
  std::string_view name;
};

std::vector<Field> fields(std::string_view m) {
  std::vector<Field> out;
  std::size_t pos = 0;
  while (pos < m.size()) {
    auto line_end = [&](std::size_t from) {
      const auto nl = m.find('\n', from);
      return nl == std::string_view::npos ? m.size() : nl + 1;
    };
    std::size_t end = line_end(pos);
    const std::string_view line = m.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (line == "\r\n" || line == "\n" || colon == std::string_view::npos || colon == 0 ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      break;
    }
    while (end < m.size() && (m[end] == ' ' || m[end] == '\t')) end = line_end(end);
    out.push_back({pos, end, line.substr(0, colon)});
    pos = end;
  }
  return out;
}

}  // namespace

bool is_ascii(std::string_view text) noexcept {
  for (const char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::vector<AddressPair> getaddresses(const std::vector<std::string>& fieldvalues) {
  std::vector<AddressPair> out;
  for (const auto& each : fieldvalues) {
    auto some = AddressListParser(each).parse();
    out.insert(out.end(), some.begin(), some.end());
  }
  return out;
}

AddressPair parseaddr(std::string_view addr) {
  auto all = AddressListParser(addr).parse();
  return all.empty() ? AddressPair{} : all.front();
}

std::string encode_header_value(std::string_view value) {
  if (is_ascii(value)) return std::string(value);
  // 45 bytes of text make 60 base64 characters: each encoded word stays under 76 characters.
  // A cut inside a UTF-8 sequence is moved back to the sequence's first byte.
  std::string out;
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t n = std::min<std::size_t>(45, value.size() - pos);
    while (n > 1 && pos + n < value.size() &&
           (static_cast<unsigned char>(value[pos + n]) & 0xC0) == 0x80)
      --n;
    out += (out.empty() ? "" : " ") + ("=?utf-8?b?" + b64encode(value.substr(pos, n)) + "?=");
    pos += n;
  }
  return out;
}

std::string formataddr(const AddressPair& pair) {
  if (pair.name.empty()) return pair.addr;
  if (!is_ascii(pair.name)) return encode_header_value(pair.name) + " <" + pair.addr + ">";
  bool needs_quotes = false;
  std::string quoted;
  for (const char c : pair.name) {
    if (special(c) || c == '.' || c == '@' || c == '[' || c == ']' || c == '\\')
      needs_quotes = true;
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return (needs_quotes ? "\"" + quoted + "\"" : pair.name) + " <" + pair.addr + ">";
}

std::string formatdate(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d -0000",
                days.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                months.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf.data();
}

std::string make_msgid(const std::string& domain) {
  std::random_device rd;
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::uint64_t random = (std::uint64_t{rd()} << 32) | rd();
  return "<" + std::to_string(now / 10000) + "." + std::to_string(::getpid()) + "." +
         std::to_string(random) + "@" + domain + ">";
}

std::vector<std::string> header_values(std::string_view message, std::string_view name) {
  std::vector<std::string> out;
  for (const Field& f : fields(message)) {
    if (!same_name(f.name, name)) continue;
    std::string value;
    for (const char c :
         message.substr(f.start + f.name.size() + 1, f.end - f.start - f.name.size() - 1))
      if (c != '\r' && c != '\n') value += c;
    const auto first = value.find_first_not_of(" \t");
    out.push_back(first == std::string::npos ? "" : value.substr(first));
  }
  return out;
}

std::string remove_header(std::string_view message, std::string_view name) {
  std::string out;
  std::size_t pos = 0;
  for (const Field& f : fields(message)) {
    if (!same_name(f.name, name)) continue;
    out.append(message.substr(pos, f.start - pos));
    pos = f.end;
  }
  out.append(message.substr(pos));
  return out;
}

namespace {

// The addresses of every `name` field (empty ones, from junk or empty groups, left out: Python
// would send RCPT TO:<> for them).
std::vector<std::string> addresses(std::string_view msg, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& pair : getaddresses(header_values(msg, name)))
    if (!pair.addr.empty()) out.push_back(pair.addr);
  return out;
}

}  // namespace

Envelope message_envelope(std::string_view message) {
  const auto resent = header_values(message, "Resent-Date");
  if (resent.size() > 1)
    throw std::invalid_argument("smtp: message has more than one 'Resent-' header block");
  const std::string prefix = resent.empty() ? "" : "Resent-";
  Envelope e;
  const bool has_sender = !header_values(message, prefix + "Sender").empty();
  if (const auto found = addresses(message, prefix + (has_sender ? "Sender" : "From"));
      !found.empty())
    e.from = found.front();
  for (const char* field : {"To", "Bcc", "Cc"}) {
    auto some = addresses(message, prefix + field);
    e.to.insert(e.to.end(), some.begin(), some.end());
  }
  return e;
}

std::string crlf_lines(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32);
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace soket::proto::smtp
