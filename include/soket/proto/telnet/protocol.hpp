// SPDX-License-Identifier: MIT
// Telnet's wire vocabulary (RFC 854, 855): the command bytes with telnetlib's names, the option
// codes, and the IAC doubling every data byte 0xFF needs on the way out.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soket::proto::telnet {

/// Python: telnetlib.IAC, DONT, DO, ... (RFC 854 p. 14). One byte each.
inline constexpr std::uint8_t IAC = 255;
inline constexpr std::uint8_t DONT = 254;
inline constexpr std::uint8_t DO = 253;
inline constexpr std::uint8_t WONT = 252;
inline constexpr std::uint8_t WILL = 251;
inline constexpr std::uint8_t SB = 250;
inline constexpr std::uint8_t GA = 249;
inline constexpr std::uint8_t EL = 248;
inline constexpr std::uint8_t EC = 247;
inline constexpr std::uint8_t AYT = 246;
inline constexpr std::uint8_t AO = 245;
inline constexpr std::uint8_t IP = 244;
inline constexpr std::uint8_t BRK = 243;
inline constexpr std::uint8_t DM = 242;
inline constexpr std::uint8_t NOP = 241;
inline constexpr std::uint8_t SE = 240;
/// Python: telnetlib.NOOPT: the option passed to the callback for commands without one.
inline constexpr std::uint8_t NOOPT = 0;

/// Option codes (telnetlib's BINARY, ECHO, SGA...). Lower case here because <termios.h>
/// defines ECHO as a macro, which would rewrite an upper-case name in any file including both.
namespace option {
inline constexpr std::uint8_t binary = 0;
inline constexpr std::uint8_t echo = 1;
inline constexpr std::uint8_t sga = 3;  // suppress go-ahead
inline constexpr std::uint8_t status = 5;
inline constexpr std::uint8_t tm = 6;      // timing mark
inline constexpr std::uint8_t ttype = 24;  // terminal type (RFC 1091)
inline constexpr std::uint8_t naws = 31;   // window size (RFC 1073)
inline constexpr std::uint8_t tspeed = 32;
inline constexpr std::uint8_t lflow = 33;
inline constexpr std::uint8_t linemode = 34;
inline constexpr std::uint8_t xdisploc = 35;
inline constexpr std::uint8_t new_environ = 39;
inline constexpr std::uint8_t charset = 42;
}  // namespace option

/// TTYPE subnegotiation verbs (RFC 1091): the server sends SEND, the client answers IS name.
inline constexpr std::uint8_t ttype_is = 0;
inline constexpr std::uint8_t ttype_send = 1;

/// What goes wrong in a Telnet session that is not a socket error: a subnegotiation or a
/// buffer past its cap. what() is one line naming the call.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Data as it goes on the wire: every 0xFF doubled (IAC IAC), as telnetlib's write() does.
std::string escape_iac(std::string_view data);

/// The three-byte negotiation `IAC cmd opt`.
std::string negotiation(std::uint8_t cmd, std::uint8_t opt);

/// `IAC SB opt payload IAC SE`, with 0xFF bytes of the payload doubled.
std::string subnegotiation(std::uint8_t opt, std::string_view payload);

/// A readable name for a command or option byte ("DO", "ttype", "250"), for debug output.
std::string command_name(std::uint8_t cmd);
std::string option_name(std::uint8_t opt);

}  // namespace soket::proto::telnet
