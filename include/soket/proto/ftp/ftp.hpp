// SPDX-License-Identifier: MIT
// FTP and FTP_TLS: Python's ftplib client (RFC 959, 2428, 3659, 4217) over soket sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <soket/create.hpp>
#include <soket/proto/ftp/data_connection.hpp>
#include <soket/proto/ftp/error.hpp>
#include <soket/proto/ftp/reply.hpp>
#include <soket/socket.hpp>
#include <soket/tls/context.hpp>

namespace soket::proto::ftp {

/// Python: ftplib.FTP_PORT and MAXLINE.
inline constexpr std::uint16_t FTP_PORT = 21;
inline constexpr std::size_t MAXLINE = 8192;

/// Python: ftplib.FTP. Replies are strings (a multi-line reply's lines joined with '\n');
/// 4xx → error_temp, 5xx → error_perm, anything else unexpected → error_reply/error_proto, each
/// naming the command ("RETR a.txt: 550 Failed to open file."). A silent server is
/// soket::TimeoutError after the timeout (control and data sockets alike, Python's model); a
/// server that closes mid-reply is error_eof; a reply line over maxline() bytes is
/// error_line_too_long, and a multi-line reply over max_reply_size() bytes is error_proto.
///
/// Passive mode (PASV on IPv4, EPSV otherwise) is the default; the data connection goes to the
/// control connection's peer whatever address a 227 names (Python's
/// trust_server_pasv_ipv4_address=False: no FTP bounce). Active mode sends PORT/EPRT for a
/// listener on the control connection's local address.
///
/// Thread safety: one thread at a time. Move-only.
class FTP {
 public:
  using Callback = std::function<void(std::string_view)>;

  /// Python: FTP(timeout=...). Connect with connect().
  explicit FTP(Timeout timeout = global_default_timeout);
  virtual ~FTP();
  FTP(FTP&&) noexcept;
  FTP& operator=(FTP&&) noexcept;
  FTP(const FTP&) = delete;
  FTP& operator=(const FTP&) = delete;

  /// Python: connect(host, port, timeout, source_address): returns the welcome reply.
  /// timeout 0 is std::invalid_argument (Python: "Non-blocking socket (timeout=0) is not
  /// supported").
  std::string connect(std::string_view host, std::uint16_t port = FTP_PORT,
                      Timeout timeout = global_default_timeout,
                      const std::optional<Address>& source_address = std::nullopt);
  /// Python: getwelcome().
  const std::string& getwelcome() const noexcept;
  /// Python: login(user='', passwd='', acct=''): "" user is anonymous (password anonymous@).
  std::string login(std::string_view user = "", std::string_view passwd = "",
                    std::string_view acct = "");

  /// Python: set_pasv(val): passive (true, the default) or active data connections.
  void set_pasv(bool val) noexcept { passive_ = val; }
  /// Python: trust_server_pasv_ipv4_address (default false).
  void trust_server_pasv_ipv4_address(bool on) noexcept { trust_pasv_ = on; }
  /// Python: maxline: the longest reply or listing line accepted (default MAXLINE).
  std::size_t maxline() const noexcept { return maxline_; }
  void maxline(std::size_t n) noexcept { maxline_ = n; }
  /// The largest multi-line reply accepted (a bound Python does not have; default 1 MiB).
  std::size_t max_reply_size() const noexcept { return max_reply_; }
  void max_reply_size(std::size_t n) noexcept { max_reply_ = n; }
  /// Python: set_debuglevel(n) / debug(n): 1 prints commands and replies, 2 also each line put,
  /// to stderr, passwords masked.
  void set_debuglevel(int level) noexcept { debugging_ = level; }
  /// Python: lastresp: the last reply's code ("226").
  const std::string& lastresp() const noexcept;
  /// Python: sock (the control connection; closed before connect and after close()).
  Socket& sock();
  /// Python: host and port.
  const std::string& host() const noexcept;
  std::uint16_t port() const noexcept;

  /// Python: sendcmd(cmd): the reply (1xx-3xx). A cmd holding CR or LF is
  /// std::invalid_argument (command injection through a file name).
  std::string sendcmd(std::string_view cmd);
  /// Python: voidcmd(cmd): the 2xx reply, else error_reply.
  std::string voidcmd(std::string_view cmd);
  /// Python: getresp() and voidresp().
  std::string getresp();
  std::string voidresp();

  /// Python: ntransfercmd(cmd, rest): the data connection and the size a 150 announced.
  std::pair<DataConnection, std::optional<std::uint64_t>> ntransfercmd(
      std::string_view cmd, std::optional<std::uint64_t> rest = std::nullopt);
  /// Python: transfercmd(cmd, rest).
  DataConnection transfercmd(std::string_view cmd,
                             std::optional<std::uint64_t> rest = std::nullopt);
  /// Python: makepasv() -> (host, port) to connect the data socket to.
  std::pair<std::string, std::uint16_t> makepasv();
  /// Python: makeport(): a listener for an active-mode data connection, announced by PORT/EPRT.
  Socket makeport();
  /// Python: sendport(host, port) / sendeprt(host, port).
  std::string sendport(std::string_view host, std::uint16_t port);
  std::string sendeprt(std::string_view host, std::uint16_t port);

  /// Python: retrbinary(cmd, callback, blocksize=8192, rest=None): TYPE I, data to callback.
  std::string retrbinary(std::string_view cmd, const Callback& callback,
                         std::size_t blocksize = 8192,
                         std::optional<std::uint64_t> rest = std::nullopt);
  /// Python: retrlines(cmd, callback=print_line): TYPE A, each line without CRLF/LF.
  std::string retrlines(std::string_view cmd, const Callback& callback = {});
  /// Python: storbinary(cmd, fp, blocksize=8192, callback=None, rest=None): TYPE I, uploads fp;
  /// callback sees each block sent (a progress hook).
  std::string storbinary(std::string_view cmd, std::istream& fp, std::size_t blocksize = 8192,
                         const Callback& callback = {},
                         std::optional<std::uint64_t> rest = std::nullopt);
  /// Python: storlines(cmd, fp, callback=None): TYPE A, each line sent with CRLF.
  std::string storlines(std::string_view cmd, std::istream& fp, const Callback& callback = {});

  /// Python: nlst(*args) and dir(*args) (LIST lines to callback, stdout without one).
  std::vector<std::string> nlst(std::string_view arg = "");
  void dir(std::string_view arg = "", const Callback& callback = {});
  /// Python: mlsd(path='', facts=[]): parsed MLSD entries (facts' keys lower-cased).
  std::vector<MlsdEntry> mlsd(std::string_view path = "",
                              const std::vector<std::string>& facts = {});
  /// Python: rename, delete (delete_: a C++ keyword), cwd, size, mkd, rmd, pwd.
  std::string rename(std::string_view fromname, std::string_view toname);
  std::string delete_(std::string_view filename);
  std::string cwd(std::string_view dirname);
  std::optional<std::uint64_t> size(std::string_view filename);
  std::string mkd(std::string_view dirname);
  std::string rmd(std::string_view dirname);
  std::string pwd();
  /// Python: abort(): ABOR as urgent data; the reply must be 426, 225 or 226 (else error_proto).
  std::string abort();
  /// Python: quit(): QUIT, then close(). close() closes without QUIT (never throws).
  std::string quit();
  void close() noexcept;

 protected:
  /// FTP_TLS's hooks: the data socket as the transfer uses it, and the control upgrade.
  virtual DataConnection wrap_data(Socket conn);
  void start_tls(const tls::SSLContext& context);
  void stop_tls();
  bool control_secure() const noexcept;
  /// The control connection's TLS session (empty before start_tls).
  const tls::SSLSocket* control_tls() const noexcept;
  Timeout timeout() const noexcept;

 private:
  struct Impl;
  std::string getmultiline();
  std::string getline();
  void putline(std::string_view line);
  void putcmd(std::string_view cmd);
  std::string sanitize(std::string_view s) const;
  [[noreturn]] void fail_reply(const std::string& resp) const;
  DataConnection finish_data(DataConnection conn);

  std::unique_ptr<Impl> impl_;
  bool passive_ = true;
  bool trust_pasv_ = false;
  std::size_t maxline_ = MAXLINE;
  std::size_t max_reply_ = std::size_t{1} << 20;
  int debugging_ = 0;
};

/// Python: ftplib.FTP_TLS (RFC 4217): AUTH TLS on the control connection, PROT P for data.
/// Unlike Python, each TLS data connection resumes the control connection's session, as
/// vsftpd (require_ssl_reuse=YES, its default) and other strict servers demand.
class FTP_TLS : public FTP {
 public:
  /// Python: FTP_TLS(context=ssl.create_default_context(), timeout=...).
  explicit FTP_TLS(tls::SSLContext context = tls::create_default_context(),
                   Timeout timeout = global_default_timeout);
  /// Python: auth(): AUTH TLS (2xx), then TLS on the control connection (server_hostname is
  /// the host given to connect). Bytes the server sent after its 234 in clear text are refused
  /// (error_proto): they would be read as if they came through TLS.
  std::string auth();
  /// Python: login(user, passwd, acct, secure=True): auth() first unless already secure.
  std::string login(std::string_view user = "", std::string_view passwd = "",
                    std::string_view acct = "", bool secure = true);
  /// Python: prot_p() (PBSZ 0, PROT P) and prot_c() (PROT C).
  std::string prot_p();
  std::string prot_c();
  /// Python: ccc(): CCC, then the control connection goes back to clear text.
  std::string ccc();
  /// Whether data connections are encrypted (after prot_p()).
  bool data_protected() const noexcept { return prot_p_; }

 protected:
  DataConnection wrap_data(Socket conn) override;

 private:
  tls::SSLContext context_;
  bool prot_p_ = false;
};

}  // namespace soket::proto::ftp
