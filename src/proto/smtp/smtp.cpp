// SPDX-License-Identifier: MIT
#include <soket/proto/smtp/smtp.hpp>

#include <cctype>
#include <charconv>
#include <stdexcept>
#include <utility>

#include <soket/create.hpp>
#include <soket/proto/base64.hpp>
#include <soket/proto/smtp/message.hpp>

#include "proto/digest.hpp"

namespace soket::proto::smtp {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += " " + w;
  return out;
}

void check_ascii(std::string_view msg) {
  if (!is_ascii(msg))
    throw std::invalid_argument(
        "smtp: a text message must be ASCII (send 8-bit data with normalize_newlines=false "
        "and BODY=8BITMIME)");
}

std::string describe(int code, const std::string& msg, const std::string& context) {
  std::string m = "smtp: ";
  if (!context.empty()) m += context + ": ";
  return m + std::to_string(code) + " " + msg;
}

}  // namespace

SMTPResponseException::SMTPResponseException(int code, std::string msg, const std::string& context)
    : SMTPException(describe(code, msg, context)), code_(code), msg_(std::move(msg)) {}

SMTPSenderRefused::SMTPSenderRefused(int code, std::string msg, std::string sender)
    : SMTPResponseException(code, std::move(msg), "sender " + sender + " refused"),
      sender_(std::move(sender)) {}

SMTPRecipientsRefused::SMTPRecipientsRefused(std::map<std::string, Reply> recipients)
    : SMTPException([&] {
        std::string m = "smtp: recipients refused:";
        for (const auto& [who, r] : recipients)
          m += " " + who + " (" + std::to_string(r.code) + " " + r.message + ")";
        return m;
      }()),
      recipients_(std::move(recipients)) {}

std::string quoteaddr(std::string_view addr) {
  std::string a = trim(addr);
  if (a.starts_with('<') && a.ends_with('>')) return a;
  // Python parses "Name <addr>" with email.utils.parseaddr; the common case is the <...> part.
  if (const auto lt = a.find('<'), gt = a.rfind('>');
      lt != std::string::npos && gt != std::string::npos && lt < gt)
    return a.substr(lt, gt - lt + 1);
  return "<" + a + ">";
}

SMTP::SMTP(const std::string& host, std::uint16_t port, std::string local_hostname, Timeout timeout,
           const std::optional<Address>& source_address)
    : timeout_(timeout) {
  if (!local_hostname.empty()) local_hostname_ = std::move(local_hostname);
  if (!host.empty()) {
    const Reply r = connect(host, port, source_address);
    if (r.code != 220) {
      close();
      throw SMTPConnectError(r.code, r.message, "greeting");
    }
  }
}

SMTP::~SMTP() = default;

LineChannel& SMTP::channel() {
  if (!channel_) throw std::logic_error("smtp: not connected");
  return *channel_;
}

LineChannel& SMTP::live() {
  if (!connected()) throw SMTPServerDisconnected("smtp: please run connect() first");
  return *channel_;
}

Reply SMTP::connect(const std::string& host_in, std::uint16_t port,
                    const std::optional<Address>& source_address) {
  std::string host = host_in;
  // Python: "host:port" when no port is given (not for IPv6 literals).
  if (const auto colon = host.rfind(':');
      port == 0 && colon != std::string::npos && host.find(':') == colon) {
    unsigned value = 0;
    const char* first = host.data() + colon + 1;
    const char* last = host.data() + host.size();
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last || value > 65535)
      throw std::invalid_argument("smtp: nonnumeric port in '" + host_in + "'");
    port = static_cast<std::uint16_t>(value);
    host.resize(colon);
  }
  if (port == 0) port = SMTP_PORT;
  host_ = host;
  ChannelOptions options;
  options.name = "smtp";
  options.max_line = MAXLINE;
  channel_.emplace(LineChannel::connect(Address(host, port), timeout_, options, source_address));
  channel_->set_debuglevel(debuglevel_);
  on_connected();
  return getreply();
}

void SMTP::set_debuglevel(int level) {
  debuglevel_ = level;
  if (channel_) channel_->set_debuglevel(level);
}

void SMTP::putcmd(const std::string& cmd, const std::string& args) {
  live().write_line(args.empty() ? cmd : cmd + " " + args);
}

Reply SMTP::getreply() {
  auto& ch = live();
  Reply reply;
  std::string message;
  bool first = true;
  try {
    for (;;) {
      const std::string line = ch.getline();
      if (!first) message += '\n';
      first = false;
      message += trim(std::string_view(line).substr(std::min<std::size_t>(4, line.size())));
      int code = -1;
      if (line.size() >= 3) {
        auto [ptr, ec] = std::from_chars(line.data(), line.data() + 3, code);
        if (ec != std::errc() || ptr != line.data() + 3) code = -1;
      }
      reply.code = code;
      if (code == -1) break;  // Python: a non-numeric code ends the reply
      if (line.size() < 4 || line[3] != '-') break;
    }
  } catch (const proto::LineTooLongError&) {
    close();
    throw SMTPResponseException(500, "Line too long.", "reply to " + ch.last_command());
  } catch (const proto::EOFError& e) {
    close();
    throw SMTPServerDisconnected(std::string("smtp: Connection unexpectedly closed (") + e.what() +
                                 ")");
  }
  reply.message = std::move(message);
  return reply;
}

Reply SMTP::docmd(const std::string& cmd, const std::string& args) {
  putcmd(cmd, args);
  return getreply();
}

void SMTP::forget_ehlo() noexcept {
  features_.clear();
  does_esmtp_ = false;
  ehlo_resp_.reset();
  helo_resp_.reset();
}

Reply SMTP::helo(const std::string& name) {
  putcmd("helo", name.empty() ? local_hostname_ : name);
  Reply r = getreply();
  helo_resp_ = r.message;
  return r;
}

Reply SMTP::ehlo(const std::string& name) {
  features_.clear();
  putcmd("ehlo", name.empty() ? local_hostname_ : name);
  Reply r = getreply();
  // Python: -1 with an empty message means the server hung up (it closes and raises).
  if (r.code == -1 && r.message.empty()) {
    close();
    throw SMTPServerDisconnected("smtp: Server not connected");
  }
  ehlo_resp_ = r.message;
  if (r.code != 250) return r;
  does_esmtp_ = true;
  std::string_view rest = r.message;
  bool first = true;
  while (!rest.empty() || first) {
    const auto nl = rest.find('\n');
    const std::string_view each = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (first) {  // the server's name, not a feature
      first = false;
      continue;
    }
    // Old-style "AUTH=LOGIN PLAIN" adds to "auth" (Python keeps both spellings).
    if (each.size() > 5 && lower(each.substr(0, 5)) == "auth=") {
      features_["auth"] += " " + std::string(each.substr(5));
      continue;
    }
    std::size_t end = 0;
    while (end < each.size() &&
           (std::isalnum(static_cast<unsigned char>(each[end])) || each[end] == '-'))
      ++end;
    if (end == 0) continue;
    const std::string feature = lower(each.substr(0, end));
    const std::string params = trim(each.substr(end));
    if (feature == "auth")
      features_[feature] += " " + params;
    else
      features_[feature] = params;
  }
  return r;
}

void SMTP::ehlo_or_helo_if_needed() {
  if (helo_resp_ || ehlo_resp_) return;
  const Reply e = ehlo();
  if (e.code >= 200 && e.code <= 299) return;
  const Reply h = helo();
  if (h.code < 200 || h.code > 299) throw SMTPHeloError(h.code, h.message, "helo");
}

bool SMTP::has_extn(std::string_view name) const {
  return features_.contains(lower(name));
}

Reply SMTP::starttls(const tls::SSLContext& context) {
  ehlo_or_helo_if_needed();
  if (!has_extn("starttls"))
    throw SMTPNotSupportedError("smtp: STARTTLS extension not supported by server.");
  Reply r = docmd("STARTTLS");
  if (r.code != 220) throw SMTPResponseException(r.code, r.message, "STARTTLS");
  live().starttls(context, host_);
  forget_ehlo();  // RFC 3207 §4.2: what the server said before TLS is discarded
  return r;
}

Reply SMTP::auth(const std::string& mechanism, const AuthObject& authobject,
                 bool initial_response_ok) {
  const std::string mech = [&] {
    std::string m = mechanism;
    for (auto& c : m)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return m;
  }();
  Reply r;
  const std::optional<std::string> initial =
      initial_response_ok ? authobject(std::nullopt) : std::nullopt;
  if (initial) {
    live().write_secret_line("AUTH " + mech + " " + b64encode(*initial), "AUTH " + mech);
    r = getreply();
  } else {
    r = docmd("AUTH", mech);
  }
  for (int rounds = 0; r.code == 334; ++rounds) {
    if (rounds >= MAXCHALLENGE)
      throw SMTPException("smtp: Server AUTH mechanism infinite loop. Last response: " +
                          std::to_string(r.code) + " " + r.message);
    std::string challenge;
    try {
      challenge = b64decode(r.message);
    } catch (const std::invalid_argument&) {
      live().write_line("*");  // RFC 4954 §4: cancel the exchange
      getreply();
      throw SMTPAuthenticationError(r.code, r.message, "AUTH " + mech + ": undecodable challenge");
    }
    live().write_secret_line(b64encode(authobject(challenge).value_or("")), "AUTH " + mech);
    r = getreply();
  }
  if (r.code == 235 || r.code == 503) return r;
  throw SMTPAuthenticationError(r.code, r.message, "AUTH " + mech);
}

Reply SMTP::login(const std::string& user, const std::string& password, bool initial_response_ok) {
  ehlo_or_helo_if_needed();
  if (!has_extn("auth"))
    throw SMTPNotSupportedError("smtp: SMTP AUTH extension not supported by server.");
  const std::string advertised = " " + [&] {
    std::string a = features_.at("auth");
    for (auto& c : a)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return a;
  }() + " ";
  std::optional<SMTPAuthenticationError> last;
  for (const std::string mech : {"CRAM-MD5", "PLAIN", "LOGIN"}) {
    if (advertised.find(" " + mech + " ") == std::string::npos) continue;
    try {
      if (mech == "CRAM-MD5") {
        // RFC 2195: no initial response; the answer is "user hex(HMAC-MD5(password, challenge))".
        return auth(
            mech,
            [&](const std::optional<std::string>& challenge) -> std::optional<std::string> {
              if (!challenge) return std::nullopt;
              return user + " " + proto::detail::hmac_md5_hex(password, *challenge);
            },
            initial_response_ok);
      }
      if (mech == "PLAIN") {
        return auth(
            mech,
            [&](const auto&) -> std::optional<std::string> {
              std::string s(1, '\0');
              s.append(user).append(1, '\0').append(password);
              return s;
            },
            initial_response_ok);
      }
      // LOGIN: the user name first (initial response or first challenge), then the password.
      return auth(
          mech,
          [&](const std::optional<std::string>& challenge) -> std::optional<std::string> {
            if (!challenge) return user;
            return lower(*challenge).starts_with("pass") ? password : user;
          },
          initial_response_ok);
    } catch (const SMTPAuthenticationError& e) {
      last = e;
    }
  }
  if (last) throw *last;
  throw SMTPException("smtp: No suitable authentication method found.");
}

Reply SMTP::mail(const std::string& sender, const std::vector<std::string>& options) {
  std::string opts;
  if (does_esmtp_) opts = joined(options);
  for (const auto& o : options)
    if (lower(o) == "smtputf8" && !has_extn("smtputf8"))
      throw SMTPNotSupportedError("smtp: SMTPUTF8 not supported by server");
  putcmd("mail", "FROM:" + quoteaddr(sender) + opts);
  return getreply();
}

Reply SMTP::rcpt(const std::string& recip, const std::vector<std::string>& options) {
  putcmd("rcpt", "TO:" + quoteaddr(recip) + (does_esmtp_ ? joined(options) : ""));
  return getreply();
}

Reply SMTP::data(std::string_view msg, bool normalize_newlines) {
  if (normalize_newlines) check_ascii(msg);
  const Reply r = docmd("data");
  if (r.code != 354) throw SMTPDataError(r.code, r.message, "DATA");
  live().write_dot_block(msg, normalize_newlines);
  return getreply();
}

std::map<std::string, Reply> SMTP::sendmail(const std::string& from_addr,
                                            const std::vector<std::string>& to_addrs,
                                            std::string_view msg,
                                            const std::vector<std::string>& mail_options,
                                            const std::vector<std::string>& rcpt_options,
                                            bool normalize_newlines) {
  if (normalize_newlines) check_ascii(msg);  // before anything is sent, as Python encodes first
  ehlo_or_helo_if_needed();
  std::vector<std::string> esmtp_opts;
  if (does_esmtp_) {
    if (has_extn("size")) esmtp_opts.push_back("size=" + std::to_string(msg.size()));
    esmtp_opts.insert(esmtp_opts.end(), mail_options.begin(), mail_options.end());
  }
  Reply r = mail(from_addr, esmtp_opts);
  if (r.code != 250) {
    if (r.code == 421)
      close();
    else
      rset();
    throw SMTPSenderRefused(r.code, r.message, from_addr);
  }
  std::map<std::string, Reply> refused;
  for (const auto& each : to_addrs) {
    r = rcpt(each, rcpt_options);
    if (r.code != 250 && r.code != 251) refused[each] = r;
    if (r.code == 421) {
      close();
      throw SMTPRecipientsRefused(refused);
    }
  }
  if (refused.size() == to_addrs.size()) {
    rset();
    throw SMTPRecipientsRefused(refused);
  }
  r = data(msg, normalize_newlines);
  if (r.code != 250) {
    if (r.code == 421)
      close();
    else
      rset();
    throw SMTPDataError(r.code, r.message, "end of DATA");
  }
  return refused;
}

Reply SMTP::rset() {
  return docmd("rset");
}
Reply SMTP::noop() {
  return docmd("noop");
}
Reply SMTP::verify(const std::string& address) {
  return docmd("vrfy", quoteaddr(address));
}

Reply SMTP::quit() {
  Reply r = docmd("quit");
  close();
  return r;
}

void SMTP::close() noexcept {
  if (channel_) channel_->close();
  forget_ehlo();
}

SMTP_SSL::SMTP_SSL(tls::SSLContext context) : context_(std::move(context)) {}

SMTP_SSL::SMTP_SSL(const std::string& host, std::uint16_t port, tls::SSLContext context,
                   Timeout timeout)
    : context_(std::move(context)) {
  set_timeout(timeout);
  const Reply r = connect(host, port == 0 ? SMTP_SSL_PORT : port);
  if (r.code != 220) {
    close();
    throw SMTPConnectError(r.code, r.message, "greeting");
  }
}

void SMTP_SSL::on_connected() {
  channel().starttls(context_, host_);
}

}  // namespace soket::proto::smtp
