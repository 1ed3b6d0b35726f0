// SPDX-License-Identifier: MIT
// Telnet: Python's telnetlib.Telnet — a connection that negotiates options (RFC 1143, refusing
// what it does not implement), doubles IAC on write and offers the read_* family and expect().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <soket/proto/telnet/negotiation.hpp>
#include <soket/proto/telnet/parser.hpp>
#include <soket/proto/telnet/protocol.hpp>
#include <soket/socket.hpp>

namespace soket::proto::telnet {

/// Python: telnetlib.TELNET_PORT.
inline constexpr std::uint16_t TELNET_PORT = 23;

/// What expect() found: Python's (index, match, text). index -1 and no match on timeout or
/// EOF. `match` holds the match's groups (0 = the whole match), copied out of `text`.
struct ExpectResult {
  int index = -1;
  std::optional<std::vector<std::string>> match;
  std::string text;
};

/// The options this client takes part in; everything else is refused (once, per RFC 1143).
struct TelnetOptions {
  /// Sent when the server asks (DO TTYPE, then SB TTYPE SEND); empty: refuse TTYPE.
  std::string terminal_type;
  /// Sent as NAWS when the server asks (DO NAWS); nullopt: refuse NAWS.
  std::optional<std::pair<std::uint16_t, std::uint16_t>> window_size;  // columns, rows
  /// Let the server echo (WILL ECHO) and suppress go-ahead (WILL SGA), as telnet(1) does.
  bool accept_echo = true;
  bool accept_sga = true;
  /// Largest amount of data read_until/expect/read_all keep while looking (telnetlib has no
  /// cap); past it they throw telnet::Error and the data stays queued.
  std::size_t max_buffer = 1 << 20;
  std::size_t max_subnegotiation = Parser::default_max_subnegotiation;
};

/// Python: telnetlib.Telnet(host=None, port=0, timeout). Blocking; every wait honours the
/// timeout given to the call or, failing that, the connection's (TimeoutError from connect).
/// EOF: read_until/read_some/expect return what there is, and throw EOFError (telnet::EOFError)
/// once the connection has ended and nothing cooked is left, as telnetlib does.
/// Not thread-safe: one thread at a time (interact() reads and writes from its own loop).
class Telnet {
 public:
  /// (sock, cmd, opt): every DO/DONT/WILL/WONT, every two-byte command (opt = NOOPT) and every
  /// finished subnegotiation (cmd = SE; the payload in read_sb_data()). With a callback set
  /// the client sends no automatic replies, as telnetlib.
  using Callback = std::function<void(Socket&, std::uint8_t cmd, std::uint8_t opt)>;
  using Wait = std::optional<double>;  // seconds; nullopt: block

  Telnet() = default;
  /// Not connected yet: open() or adopt() next.
  explicit Telnet(TelnetOptions options) : options_(std::move(options)) {}
  explicit Telnet(const std::string& host, std::uint16_t port = 0, Wait timeout = std::nullopt,
                  TelnetOptions options = {});
  ~Telnet() = default;
  Telnet(Telnet&&) = default;
  Telnet& operator=(Telnet&&) = default;

  /// Python: open(host, port=0, timeout): port 0 means 23.
  void open(const std::string& host, std::uint16_t port = 0, Wait timeout = std::nullopt);
  /// Takes an already connected socket (a test's socketpair, a proxied connection).
  void adopt(Socket sock);
  void close();

  /// Python: write(buffer): 0xFF doubled, then sendall.
  void write(std::string_view buffer);

  /// Python: read_until(expected, timeout=None): up to and including `expected`, or whatever
  /// arrived by the timeout / EOF (possibly without it).
  std::string read_until(std::string_view expected, Wait timeout = std::nullopt);
  /// Python: read_all(): everything until EOF.
  std::string read_all();
  /// Python: read_some(): at least one byte unless EOF ("" then).
  std::string read_some();
  /// Python: read_very_eager(): everything available now, without blocking.
  std::string read_very_eager();
  /// Python: read_eager(): available data, returning as soon as some cooked data exists.
  std::string read_eager();
  /// Python: read_lazy(): processes already received raw bytes, returns cooked data.
  std::string read_lazy();
  /// Python: read_very_lazy(): the cooked queue only.
  std::string read_very_lazy();
  /// Python: read_sb_data(): the payload of the subnegotiations received so far (then cleared).
  std::string read_sb_data();
  /// Python: expect(list, timeout=None): the first regex matching the cooked data.
  ExpectResult expect(const std::vector<std::regex>& list, Wait timeout = std::nullopt);

  /// Python: set_option_negotiation_callback(callback); an empty function restores the
  /// built-in negotiation.
  void set_option_negotiation_callback(Callback callback) { callback_ = std::move(callback); }
  /// Ask the server to turn one of its options on/off (DO/DONT), or offer ours (WILL/WONT),
  /// through the Q method (nothing is sent when it would repeat an outstanding request).
  void request_option(bool local, std::uint8_t opt, bool enable);
  /// Whether an option is on (local: ours, else the server's).
  bool option_enabled(bool local, std::uint8_t opt) const noexcept {
    return negotiation_.enabled(local, opt);
  }
  /// The window size to report (NAWS): sent now if NAWS is on, else when the server asks.
  void set_window_size(std::uint16_t columns, std::uint16_t rows);

  /// Python: interact(): the terminal (stdin/stdout) bridged to the connection, in raw mode
  /// when stdin is a terminal (restored on every exit path), until EOF on either side.
  void interact();

  /// Python: fileno(), get_socket(), sock_avail(), fill_rawq().
  int fileno() const noexcept { return sock_.fileno(); }
  Socket& get_socket() noexcept { return sock_; }
  bool sock_avail();
  void fill_rawq();
  /// Whether the peer has closed (the last recv returned 0).
  bool eof() const noexcept { return eof_; }

  /// Python: set_debuglevel(n): > 0 prints every command sent and received on stderr.
  void set_debuglevel(int level) noexcept { debuglevel_ = level; }

 private:
  // Cooks the raw queue; acts on the commands found.
  void process_rawq();
  void on_command(const Command& c);
  // Whether to agree to the peer's DO (our side) or WILL (its side) for `opt`.
  bool agrees(std::uint8_t cmd, std::uint8_t opt) const noexcept;
  void send_raw(std::string_view bytes);
  using TimePoint = std::chrono::steady_clock::time_point;
  // The moment a call's timeout runs out (time_point::max() for nullopt: never).
  static TimePoint deadline_of(Wait timeout);
  // Waits until readable (true) or the deadline (false).
  bool wait_readable(TimePoint deadline);
  // The one wait step of read_until and expect: waits for more data until the deadline and
  // cooks it; false when none will come by then (EOF or timeout).
  bool pump(TimePoint deadline);
  // The cooked data, raw queue processed first; never EOFError.
  std::string read_lazy_noexcept();
  // Takes `n` bytes off the cooked queue.
  std::string take(std::size_t n);
  void check_cap(const char* call) const;
  void debug(const std::string& line) const;

  Socket sock_;
  TelnetOptions options_;
  Parser parser_;
  Negotiation negotiation_;
  Callback callback_;
  std::string rawq_, cookedq_, sbdataq_;
  bool eof_ = false;
  int debuglevel_ = 0;
};

/// Python: EOFError("telnet connection closed"): the connection ended with nothing left.
class EOFError : public Error {
 public:
  EOFError() : Error("telnet connection closed") {}
};

}  // namespace soket::proto::telnet
