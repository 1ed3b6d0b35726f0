// SPDX-License-Identifier: MIT
#include <array>
#include <soket/proto/telnet/protocol.hpp>

namespace soket::proto::telnet {

std::string escape_iac(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    out += c;
    if (static_cast<std::uint8_t>(c) == IAC) out += c;
  }
  return out;
}

std::string negotiation(std::uint8_t cmd, std::uint8_t opt) {
  return {static_cast<char>(IAC), static_cast<char>(cmd), static_cast<char>(opt)};
}

std::string subnegotiation(std::uint8_t opt, std::string_view payload) {
  std::string out{static_cast<char>(IAC), static_cast<char>(SB), static_cast<char>(opt)};
  out += escape_iac(payload);
  out += static_cast<char>(IAC);
  out += static_cast<char>(SE);
  return out;
}

std::string command_name(std::uint8_t cmd) {
  static constexpr std::array<const char*, 16> names = {"SE",   "NOP", "DM",   "BRK", "IP", "AO",
                                                        "AYT",  "EC",  "EL",   "GA",  "SB", "WILL",
                                                        "WONT", "DO",  "DONT", "IAC"};
  if (cmd >= SE) return names[static_cast<std::size_t>(cmd - SE)];
  return std::to_string(cmd);
}

std::string option_name(std::uint8_t opt) {
  switch (opt) {
    case option::binary: return "binary";
    case option::echo: return "echo";
    case option::sga: return "sga";
    case option::status: return "status";
    case option::tm: return "tm";
    case option::ttype: return "ttype";
    case option::naws: return "naws";
    case option::tspeed: return "tspeed";
    case option::lflow: return "lflow";
    case option::linemode: return "linemode";
    case option::xdisploc: return "xdisploc";
    case option::new_environ: return "new-environ";
    case option::charset: return "charset";
    default: return std::to_string(opt);
  }
}

}  // namespace soket::proto::telnet
