// SPDX-License-Identifier: MIT
#include <soket/proto/telnet/parser.hpp>
#include <soket/proto/telnet/protocol.hpp>

namespace soket::proto::telnet {

void Parser::feed(std::string_view in, std::string& data, std::vector<Command>& commands) {
  const std::size_t data_start = data.size();
  auto emit = [&](Command c) {
    c.data_offset = data.size() - data_start;
    commands.push_back(std::move(c));
  };
  // The byte after an IAC outside a subnegotiation.
  auto after_iac = [&](std::uint8_t b) {
    if (b == IAC) {  // an escaped data byte 0xFF
      after_cr_ = false;
      data += static_cast<char>(b);
      state_ = State::data;
    } else if (b == DO || b == DONT || b == WILL || b == WONT) {
      cmd_ = b;
      state_ = State::negotiate;
    } else if (b == SB) {
      state_ = State::sb_option;
    } else {  // a two-byte command (NOP, AYT, GA, DM, a stray SE...)
      emit(Command{b, NOOPT, {}, 0});
      state_ = State::data;
    }
  };
  for (char ch : in) {
    const auto b = static_cast<std::uint8_t>(ch);
    switch (state_) {
      case State::data:
        if (b == IAC) {
          state_ = State::iac;
          break;
        }
        // RFC 854: CR NUL stands for a bare CR; the NUL is not data.
        if (b == 0 && after_cr_ && !binary_) {
          after_cr_ = false;
          break;
        }
        after_cr_ = b == '\r';
        data += ch;
        break;
      case State::iac: after_iac(b); break;
      case State::negotiate:
        emit(Command{cmd_, b, {}, 0});
        state_ = State::data;
        break;
      case State::sb_option:
        sb_ = Command{SE, b, {}, 0};
        state_ = State::sb;
        break;
      case State::sb:
        if (b == IAC) {
          state_ = State::sb_iac;
          break;
        }
        if (sb_.payload.size() >= max_sb_)
          throw Error("telnet subnegotiation of option " + option_name(sb_.option) +
                      " longer than " + std::to_string(max_sb_) + " bytes");
        sb_.payload += ch;
        break;
      case State::sb_iac:
        if (b == IAC) {  // a doubled 0xFF inside the payload
          if (sb_.payload.size() >= max_sb_)
            throw Error("telnet subnegotiation of option " + option_name(sb_.option) +
                        " longer than " + std::to_string(max_sb_) + " bytes");
          sb_.payload += ch;
          state_ = State::sb;
        } else if (b == SE) {
          emit(std::move(sb_));
          sb_ = Command{};
          state_ = State::data;
        } else {
          // RFC 855 lets nothing else follow IAC inside SB; like most clients, end the
          // subnegotiation and treat the byte as the command it names.
          emit(std::move(sb_));
          sb_ = Command{};
          after_iac(b);
        }
        break;
    }
  }
}

}  // namespace soket::proto::telnet
