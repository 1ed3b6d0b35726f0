// SPDX-License-Identifier: MIT
// NNTP: Python's nntplib.NNTP / NNTP_SSL (RFC 3977, STARTTLS RFC 4642) over the shared
// LineChannel: every reply typed, every multi-line reply capped, dot-stuffing both ways.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <soket/create.hpp>
#include <soket/proto/line_channel.hpp>
#include <soket/proto/nntp/errors.hpp>
#include <soket/proto/nntp/overview.hpp>
#include <soket/tls/context.hpp>

namespace soket::proto::nntp {

/// Python: nntplib.NNTP_PORT, NNTP_SSL_PORT, _MAXLINE.
inline constexpr std::uint16_t NNTP_PORT = 119;
inline constexpr std::uint16_t NNTP_SSL_PORT = 563;
inline constexpr std::size_t MAXLINE = 2048;

/// Python: nntplib.GroupInfo(group, last, first, flag).
struct GroupInfo {
  std::string group;
  std::int64_t last = 0;
  std::int64_t first = 0;
  std::string flag;
};

/// Python: nntplib.ArticleInfo(number, message_id, lines); lines unstuffed, without CRLF.
struct ArticleInfo {
  std::int64_t number = 0;
  std::string message_id;
  std::vector<std::string> lines;
};

/// group()'s (response, count, first, last, name).
struct GroupReply {
  std::string response;
  std::int64_t count = 0, first = 0, last = 0;
  std::string name;
};

/// stat()/next()/last()'s (response, number, message_id).
struct StatReply {
  std::string response;
  std::int64_t number = 0;
  std::string message_id;
};

/// The constructor's keyword arguments.
struct NNTPOptions {
  std::optional<std::string> user, password;  // login() at once when user is set
  bool readermode = false;                    // MODE READER unless READER is advertised
  Timeout timeout = global_default_timeout;
  std::size_t max_line = MAXLINE;                 // longer reply lines are NNTPDataError
  std::size_t max_block = std::size_t{64} << 20;  // a larger multi-line reply is NNTPDataError
  /// NNTP_SSL: TLS from the first byte with this context (not owned; must outlive connect).
  const tls::SSLContext* ssl_context = nullptr;
};

/// Python: nntplib.NNTP(host, port=119, user, password, readermode, timeout). Each method
/// sends one command and returns its reply's data; a 4xx reply is NNTPTemporaryError, 5xx
/// NNTPPermanentError, an unexpected code NNTPReplyError, all naming the command. A server
/// that closes mid-reply is proto::EOFError; a silent one soket::TimeoutError.
/// Thread safety: one thread at a time.
class NNTP {
 public:
  explicit NNTP(const std::string& host, std::uint16_t port = NNTP_PORT, NNTPOptions options = {});
  /// Over an already connected socket (a test's peer); reads the welcome like the above.
  explicit NNTP(Socket sock, NNTPOptions options = {}, std::string host = {});
  ~NNTP();
  NNTP(NNTP&&) noexcept;
  NNTP& operator=(NNTP&&) noexcept;

  /// Python: getwelcome().
  const std::string& getwelcome() const noexcept { return welcome_; }
  /// Python: getcapabilities(): {name: [args]} from CAPABILITIES (empty if refused).
  const std::map<std::string, std::vector<std::string>>& getcapabilities() const noexcept {
    return caps_;
  }
  bool tls_on() const noexcept { return tls_on_; }
  bool authenticated() const noexcept { return authenticated_; }

  /// Python: login(user, password): AUTHINFO USER → 381 → AUTHINFO PASS → 281.
  void login(const std::string& user, const std::string& password);
  /// Python: starttls(context): STARTTLS → 382 → TLS (std::logic_error after login or twice).
  void starttls(const tls::SSLContext& context);

  /// Python: group(name) → (resp, count, first, last, name).
  GroupReply group(const std::string& name);
  /// Python: list(group_pattern=None) → (resp, [GroupInfo]).
  std::pair<std::string, std::vector<GroupInfo>> list(
      const std::optional<std::string>& group_pattern = std::nullopt);
  /// Python: descriptions(pattern) → (resp, {group: description}); description(group).
  std::pair<std::string, std::map<std::string, std::string>> descriptions(
      const std::string& group_pattern);
  std::string description(const std::string& group);
  /// Python: newgroups(date) → (resp, [GroupInfo]); newnews(group, date) → (resp, [msgid]).
  std::pair<std::string, std::vector<GroupInfo>> newgroups(
      std::chrono::system_clock::time_point date);
  std::pair<std::string, std::vector<std::string>> newnews(
      const std::string& group, std::chrono::system_clock::time_point date);

  /// Python: article/head/body(message_spec=None) → (resp, ArticleInfo). spec: a number or
  /// "<message-id>"; nullopt means the current article.
  std::pair<std::string, ArticleInfo> article(
      const std::optional<std::string>& spec = std::nullopt);
  std::pair<std::string, ArticleInfo> head(const std::optional<std::string>& spec = std::nullopt);
  std::pair<std::string, ArticleInfo> body(const std::optional<std::string>& spec = std::nullopt);
  /// Python's file= form: each line (unstuffed, no CRLF) to `on_line`; ArticleInfo.lines empty.
  std::pair<std::string, ArticleInfo> article(const std::optional<std::string>& spec,
                                              const std::function<void(std::string_view)>& on_line);
  /// Python: stat(spec), next(), last().
  StatReply stat(const std::optional<std::string>& spec = std::nullopt);
  StatReply next();
  StatReply last();

  /// Python: over((first, last)) (last nullopt: open-ended) → (resp, [Overview]); OVER when
  /// advertised, else XOVER. xover(first, last) always sends XOVER.
  std::pair<std::string, std::vector<Overview>> over(std::int64_t first,
                                                     std::optional<std::int64_t> last);
  std::pair<std::string, std::vector<Overview>> xover(std::int64_t first, std::int64_t last);
  /// Python: xhdr(hdr, str) → (resp, [(article, value)]).
  std::pair<std::string, std::vector<std::pair<std::string, std::string>>> xhdr(
      const std::string& hdr, const std::string& spec);

  /// Python: post(data): POST → 340 → the article dot-stuffed → 240; returns the 240 line.
  std::string post(std::string_view data);
  /// Python: ihave(message_id, data): IHAVE → 335 → article → 235.
  std::string ihave(const std::string& message_id, std::string_view data);

  /// Python: date() → (resp, datetime) in UTC.
  std::pair<std::string, std::chrono::system_clock::time_point> date();
  /// Python: help() → (resp, lines).
  std::pair<std::string, std::vector<std::string>> help();
  /// Python: quit(): QUIT → 205, then the connection is closed (also on error).
  std::string quit();

  /// Python: set_debuglevel(n) / debug(n).
  void set_debuglevel(int level) noexcept;

  /// The channel (socket, timeout, TLS state) underneath.
  LineChannel& channel() noexcept { return channel_; }

 private:
  void start(const std::string& host);
  // Sends `line`, reads the status line; throws for 4xx/5xx/non-digit and unexpected codes.
  std::string shortcmd(const std::string& line, std::initializer_list<int> expected);
  std::string getresp(const std::string& command, std::initializer_list<int> expected);
  // shortcmd + the dot-terminated block that follows.
  std::pair<std::string, std::vector<std::string>> longcmd(const std::string& line,
                                                           std::initializer_list<int> expected);
  std::vector<std::string> read_block(const std::string& command);
  void refresh_capabilities();
  std::pair<std::string, ArticleInfo> article_like(
      const char* verb, int code, const std::optional<std::string>& spec,
      const std::function<void(std::string_view)>* on_line);
  StatReply stat_like(const std::string& line);
  std::pair<std::string, std::vector<Overview>> overview(const std::string& line);
  std::string send_article(const std::string& line, int go_ahead, int done, std::string_view data);
  const std::vector<std::string>& overview_fmt();

  LineChannel channel_;
  NNTPOptions options_;
  std::string host_;
  std::string welcome_;
  std::map<std::string, std::vector<std::string>> caps_;
  std::optional<std::vector<std::string>> overview_fmt_;
  bool tls_on_ = false;
  bool authenticated_ = false;
};

}  // namespace soket::proto::nntp
