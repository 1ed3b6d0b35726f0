// SPDX-License-Identifier: MIT
#include <soket/proto/imap/response.hpp>

#include <charconv>
#include <limits>

namespace soket::proto::imap {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Lists nest at most this deep: a hostile "((((..." cannot exhaust the stack.
constexpr int max_depth = 64;

// A cursor over the wire bytes of one response.
class Reader {
 public:
  explicit Reader(std::string_view wire) : s_(wire) {}

  bool done() const noexcept { return i_ >= s_.size(); }
  char peek() const noexcept { return s_[i_]; }
  std::string_view rest() const noexcept { return s_.substr(i_); }
  void skip_spaces() noexcept {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ResponseError("imap: malformed response at byte " + std::to_string(i_) + ": " + what);
  }

  // An atom-ish word up to SP, '(' or ')' (brackets kept whole: BODY[HEADER.FIELDS (A B)]).
  std::string_view word() {
    const std::size_t start = i_;
    int bracket = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '[') {
        ++bracket;
      } else if (c == ']') {
        if (bracket > 0) --bracket;
      } else if (bracket == 0 && (c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n')) {
        break;
      }
      ++i_;
    }
    if (bracket != 0) fail("unclosed '['");
    return s_.substr(start, i_ - start);
  }

  Value value(int depth) {
    if (done()) fail("value expected");
    const char c = peek();
    Value v;
    if (c == '(') {
      if (depth >= max_depth) fail("lists nested too deep");
      ++i_;
      v.kind = Value::Kind::list;
      for (;;) {
        skip_spaces();
        if (done()) fail("unclosed '('");
        if (peek() == ')') {
          ++i_;
          return v;
        }
        v.items.push_back(value(depth + 1));
      }
    }
    if (c == '"') {
      ++i_;
      v.kind = Value::Kind::string;
      for (;;) {
        if (done()) fail("unterminated quoted string");
        const char q = s_[i_++];
        if (q == '"') return v;
        if (q == '\r' || q == '\n') fail("newline in a quoted string");
        if (q == '\\') {
          if (done()) fail("unterminated quoted string");
          v.text += s_[i_++];
        } else {
          v.text += q;
        }
      }
    }
    if (c == '{') {
      const std::size_t close = s_.find('}', i_);
      if (close == std::string_view::npos) fail("unclosed literal count");
      std::string_view digits = s_.substr(i_ + 1, close - i_ - 1);
      if (digits.ends_with('+')) digits.remove_suffix(1);
      std::size_t n = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (!all_digits(digits) || ec != std::errc() || ptr != digits.data() + digits.size())
        fail("bad literal count");
      i_ = close + 1;
      if (s_.substr(i_, 2) != "\r\n") fail("literal count not at the end of a line");
      i_ += 2;
      if (s_.size() - i_ < n) fail("literal cut short");
      v.kind = Value::Kind::string;
      v.text = std::string(s_.substr(i_, n));
      i_ += n;
      return v;
    }
    if (c == ')') fail("unexpected ')'");
    const std::string_view w = word();
    if (w.empty()) fail("unexpected character");
    if (upper(w) == "NIL") {
      v.kind = Value::Kind::nil;
      return v;
    }
    v.text = std::string(w);
    if (all_digits(w)) {
      auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v.number);
      if (ec == std::errc() && ptr == w.data() + w.size()) {
        v.kind = Value::Kind::number;
        return v;
      }
    }
    v.kind = Value::Kind::atom;
    return v;
  }

  std::vector<Value> values() {
    std::vector<Value> out;
    for (;;) {
      skip_spaces();
      if (done()) return out;
      out.push_back(value(0));
    }
  }

  // A status response's optional "[CODE args]" and its text.
  void status_text(Response& r) {
    skip_spaces();
    if (!done() && peek() == '[') {
      ++i_;
      const std::size_t start = i_;
      int bracket = 1;
      while (i_ < s_.size() && bracket > 0) {
        if (s_[i_] == '[') ++bracket;
        if (s_[i_] == ']') --bracket;
        ++i_;
      }
      if (bracket != 0) fail("unclosed response code");
      const std::string_view inside = s_.substr(start, i_ - start - 1);
      const auto sp = inside.find(' ');
      r.code = upper(inside.substr(0, sp));
      if (sp != std::string_view::npos) r.code_args = std::string(inside.substr(sp + 1));
      skip_spaces();
    }
    r.text = std::string(rest());
    i_ = s_.size();
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

bool Value::is_atom(std::string_view name) const noexcept {
  if (kind != Kind::atom || text.size() != name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char a = text[i], b = name[i];
    if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
    if (b >= 'a' && b <= 'z') b = static_cast<char>(b - 'a' + 'A');
    if (a != b) return false;
  }
  return true;
}

bool Response::is_status() const noexcept {
  return type == "OK" || type == "NO" || type == "BAD" || type == "BYE" || type == "PREAUTH";
}

std::map<std::string, Value> Response::fetch_items() const {
  std::map<std::string, Value> out;
  if (type != "FETCH" || data.empty() || data.front().kind != Value::Kind::list) return out;
  const auto& items = data.front().items;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) out[upper(items[i].text)] = items[i + 1];
  return out;
}

Response parse_response(std::string_view wire) {
  Reader in(wire);
  Response r;
  if (wire.starts_with('+')) {
    r.kind = Response::Kind::continuation;
    in.word();  // "+"
    in.skip_spaces();
    r.text = std::string(in.rest());
    return r;
  }
  const std::string_view first = in.word();
  if (first.empty()) in.fail("no tag");
  if (first == "*") {
    r.kind = Response::Kind::untagged;
  } else {
    r.kind = Response::Kind::tagged;
    r.tag = std::string(first);
  }
  in.skip_spaces();
  std::string_view type = in.word();
  if (r.kind == Response::Kind::untagged && all_digits(type)) {
    std::uint32_t n = 0;
    auto [ptr, ec] = std::from_chars(type.data(), type.data() + type.size(), n);
    if (ec != std::errc() || ptr != type.data() + type.size()) in.fail("message number too big");
    r.number = n;
    in.skip_spaces();
    type = in.word();
  }
  if (type.empty()) in.fail("no response type");
  r.type = upper(type);
  if (r.is_status()) {
    in.status_text(r);
  } else {
    if (r.kind == Response::Kind::tagged) in.fail("tagged response must be OK, NO or BAD");
    r.data = in.values();
  }
  return r;
}

std::optional<std::size_t> literal_size(std::string_view line) {
  if (!line.ends_with('}')) return std::nullopt;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (digits.ends_with('+')) digits.remove_suffix(1);
  if (!all_digits(digits)) return std::nullopt;
  std::size_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size())
    throw ResponseError("imap: literal count too large: " + std::string(digits));
  return n;
}

std::string Int2AP(std::uint32_t n) {
  std::string out;  // Python's: Int2AP(0) is ""
  for (; n > 0; n /= 16) out.insert(out.begin(), static_cast<char>('A' + n % 16));
  return out;
}

std::string quote(std::string_view text) {
  bool atom = !text.empty();
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n' || c == '\0')
      throw std::invalid_argument("imap: CR, LF or NUL cannot be sent in a quoted string");
    if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '"' || c == '\\' ||
        c == '%' || c == '*' || c == ']')
      atom = false;
  }
  if (atom) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace soket::proto::imap
