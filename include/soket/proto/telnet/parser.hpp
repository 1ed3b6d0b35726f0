// SPDX-License-Identifier: MIT
// Parser: separates a Telnet byte stream into data and commands, keeping its state between
// reads (a command may be split across any two recv() calls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::telnet {

/// One command found in the stream, in order with the data around it.
struct Command {
  /// The command byte: DO/DONT/WILL/WONT (with `option`), SB...SE (reported as SE with
  /// `option` and `payload`, the IAC doubling undone), or a two-byte one (NOP, AYT, GA...).
  std::uint8_t cmd = 0;
  std::uint8_t option = 0;
  std::string payload;
  /// How many data bytes came before it in this feed() call's `data` output.
  std::size_t data_offset = 0;
};

/// The receive side of RFC 854: `IAC IAC` is one data byte 0xFF; `CR NUL` is a CR (unless
/// binary); everything else after IAC is a command. Not thread-safe (one per connection).
class Parser {
 public:
  /// Longest subnegotiation payload accepted: a server that never sends IAC SE cannot grow
  /// memory without bound (telnetlib has no cap).
  static constexpr std::size_t default_max_subnegotiation = 4096;

  explicit Parser(std::size_t max_subnegotiation = default_max_subnegotiation)
      : max_sb_(max_subnegotiation) {}

  /// Processes `in`: appends the data bytes to `data` and the commands to `commands`.
  /// Throws telnet::Error when a subnegotiation passes the cap.
  void feed(std::string_view in, std::string& data, std::vector<Command>& commands);

  /// Binary mode (option BINARY agreed for the peer's direction): CR NUL is left as it is.
  void set_binary(bool on) noexcept { binary_ = on; }

  /// Whether a command is in progress (bytes of it were fed, the rest not yet).
  bool mid_command() const noexcept { return state_ != State::data; }

 private:
  enum class State { data, iac, negotiate, sb_option, sb, sb_iac };
  State state_ = State::data;
  std::uint8_t cmd_ = 0;
  Command sb_;
  bool after_cr_ = false;
  bool binary_ = false;
  std::size_t max_sb_;
};

}  // namespace soket::proto::telnet
