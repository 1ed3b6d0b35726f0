// SPDX-License-Identifier: MIT
#include <soket/proto/line_channel.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <utility>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/io/socket_file.hpp>

namespace soket::proto {

std::string dot_stuff(std::string_view body, bool normalize_newlines) {
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 5);
  bool line_start = true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (line_start && c == '.') out += '.';
    line_start = false;
    if (normalize_newlines && (c == '\r' || c == '\n')) {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
    } else {
      out += c;
      // Python's (?m)^\. fires after every '\n', bare or not.
      if (c == '\n') line_start = true;
    }
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
  return out;
}

namespace {

// Python's repr of a line for debug output: printable ASCII kept, the rest escaped.
std::string printable(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string first_word(std::string_view line) {
  const auto end = line.find(' ');
  std::string word(line.substr(0, end));
  for (auto& c : word)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return word;
}

}  // namespace

struct LineChannel::State {
  ChannelOptions options;
  std::optional<Socket> plain;
  std::optional<tls::SSLSocket> secure;
  std::optional<io::SocketFile> file;
  std::string command;
  int debuglevel = 0;
  std::function<void(std::string_view)> sink;

  // "smtp: reply to MAIL: what" (or "smtp: what" before any command).
  std::string message(std::string_view what) const {
    std::string m = options.name + ": ";
    if (!command.empty()) m += "reply to " + command + ": ";
    m += what;
    return m;
  }
  io::SocketFile& reader() {
    if (!file) throw ProtocolError(options.name + ": connection closed");
    return *file;
  }
  void debug(std::string_view direction, std::string_view text) const {
    if (debuglevel <= 0) return;
    std::string line;
    if (debuglevel >= 2) {
      const auto now = std::chrono::system_clock::now();
      const auto t = std::chrono::system_clock::to_time_t(now);
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
          1000000;
      std::tm tm{};
      localtime_r(&t, &tm);
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%06lld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
                    static_cast<long long>(us));
      line += stamp;
    }
    line += options.name;
    line += ' ';
    line += direction;
    line += ": '";
    line += printable(text);
    line += "'\n";
    if (sink) {
      sink(line);
    } else {
      std::fputs(line.c_str(), stderr);
    }
  }
  void send(std::string_view data, std::string_view shown) {
    auto& f = reader();
    debug("send", shown);
    f.write(data);
    f.flush();
  }
};

LineChannel LineChannel::connect(const Address& address, Timeout timeout, ChannelOptions options,
                                 const std::optional<Address>& source_address) {
  if (timeout && timeout->count() == 0)
    throw std::invalid_argument("Non-blocking socket (timeout=0) is not supported");
  return LineChannel(create_connection(address, timeout, source_address), std::move(options));
}

LineChannel::LineChannel(Socket sock, ChannelOptions options) : s_(std::make_unique<State>()) {
  if (options.max_line < 2) throw std::invalid_argument("LineChannel: max_line must be >= 2");
  s_->options = std::move(options);
  s_->plain.emplace(std::move(sock));
  s_->file.emplace(*s_->plain);
}

LineChannel::~LineChannel() = default;
LineChannel::LineChannel(LineChannel&&) noexcept = default;
LineChannel& LineChannel::operator=(LineChannel&&) noexcept = default;

std::string LineChannel::readline() {
  auto& f = s_->reader();
  std::string line;
  try {
    line = f.readline_bounded(s_->options.max_line);
  } catch (const io::LineTooLongError&) {
    throw LineTooLongError(
        s_->message("line longer than " + std::to_string(s_->options.max_line) + " bytes"),
        s_->options.max_line);
  }
  if (line.empty()) throw EOFError(s_->message("connection closed by the server"));
  if (line.back() != '\n') {
    s_->debug("recv", line);
    throw EOFError(s_->message("connection closed mid-line"));
  }
  s_->debug("recv", line);
  return line;
}

std::string LineChannel::getline() {
  std::string line = readline();
  line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> LineChannel::getline_within(std::chrono::nanoseconds wait) {
  Socket& sock = socket();
  const Timeout before = sock.gettimeout();
  // A zero wait would make the socket non-blocking (BlockingIOError): wait a moment instead.
  sock.settimeout(wait.count() > 0 ? wait : std::chrono::nanoseconds(1));
  try {
    std::string line = getline();
    sock.settimeout(before);
    return line;
  } catch (const TimeoutError&) {
    sock.settimeout(before);
    return std::nullopt;
  } catch (...) {
    sock.settimeout(before);
    throw;
  }
}

std::string LineChannel::read_exact(std::size_t n) {
  if (n > s_->options.max_block)
    throw ReplyTooLargeError(s_->message("literal of " + std::to_string(n) +
                                         " bytes exceeds the limit of " +
                                         std::to_string(s_->options.max_block)));
  auto& f = s_->reader();
  std::string data = f.read(n);
  s_->debug("recv", data);
  if (data.size() < n)
    throw EOFError(s_->message("connection closed after " + std::to_string(data.size()) + " of " +
                               std::to_string(n) + " bytes"));
  return data;
}

void LineChannel::read_dot_block(const std::function<void(std::string_view)>& on_line) {
  std::size_t total = 0;
  for (;;) {
    std::string line = getline();
    if (line == ".") return;
    total += line.size() + 2;
    if (total > s_->options.max_block)
      throw ReplyTooLargeError(s_->message("multi-line reply exceeds " +
                                           std::to_string(s_->options.max_block) + " bytes"));
    on_line(dot_unstuff(line));
  }
}

std::vector<std::string> LineChannel::read_dot_block() {
  std::vector<std::string> lines;
  read_dot_block([&](std::string_view line) { lines.emplace_back(line); });
  return lines;
}

namespace {
void check_line(const std::string& name, std::string_view line) {
  if (line.find_first_of("\r\n") != std::string_view::npos)
    throw std::invalid_argument(name +
                                ": command and arguments contain prohibited newline characters");
}
}  // namespace

void LineChannel::write_line(std::string_view line) {
  check_line(s_->options.name, line);
  std::string data(line);
  data += "\r\n";
  s_->command = first_word(line);
  s_->send(data, data);
}

void LineChannel::write_secret_line(std::string_view line, std::string_view label) {
  check_line(s_->options.name, line);
  std::string data(line);
  data += "\r\n";
  s_->command = std::string(label);
  s_->send(data, std::string(label) + " ****\r\n");
}

void LineChannel::send(std::string_view data) {
  s_->send(data, data);
}

void LineChannel::write_dot_block(std::string_view body, bool normalize_newlines) {
  const std::string framed = dot_stuff(body, normalize_newlines);
  s_->send(framed, framed);
}

void LineChannel::starttls(const tls::SSLContext& context,
                           const std::optional<std::string>& server_hostname,
                           const tls::SSLSession* session) {
  auto& f = s_->reader();
  if (s_->secure) throw ProtocolError(s_->options.name + ": TLS session already established");
  if (const std::size_t n = f.buffered(); n > 0) {
    close();
    throw TLSInjectionError(s_->message(std::to_string(n) +
                                        " bytes arrived in plain text after the go-ahead "
                                        "for TLS (possible injection); connection closed"));
  }
  s_->file.reset();
  Socket sock = std::move(*s_->plain);
  s_->plain.reset();
  s_->secure.emplace(
      context.wrap_socket(std::move(sock), false, server_hostname, true, true, session));
  s_->file.emplace(*s_->secure);
  s_->debug("tls", s_->secure->version().value_or("?"));
}

bool LineChannel::is_tls() const noexcept {
  return s_->secure.has_value();
}

tls::SSLSocket& LineChannel::tls_socket() {
  if (!s_->secure) throw std::logic_error(s_->options.name + ": not a TLS connection");
  return *s_->secure;
}

void LineChannel::set_debuglevel(int level) noexcept {
  s_->debuglevel = level;
}
int LineChannel::debuglevel() const noexcept {
  return s_->debuglevel;
}
void LineChannel::set_debug_sink(std::function<void(std::string_view)> sink) {
  s_->sink = std::move(sink);
}

Socket& LineChannel::socket() {
  if (s_->secure) return s_->secure->socket();
  if (s_->plain) return *s_->plain;
  throw ProtocolError(s_->options.name + ": connection closed");
}

void LineChannel::settimeout(Timeout timeout) {
  socket().settimeout(timeout);
}
const ChannelOptions& LineChannel::options() const noexcept {
  return s_->options;
}
std::size_t LineChannel::buffered() const noexcept {
  return s_->file ? s_->file->buffered() : 0;
}
const std::string& LineChannel::last_command() const noexcept {
  return s_->command;
}

void LineChannel::close() noexcept {
  if (!s_) return;
  s_->file.reset();
  if (s_->secure) s_->secure->close();
  s_->secure.reset();
  s_->plain.reset();
}

bool LineChannel::closed() const noexcept {
  return !s_ || !s_->file;
}

}  // namespace soket::proto
