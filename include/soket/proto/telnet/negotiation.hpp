// SPDX-License-Identifier: MIT
// Negotiation: RFC 1143's Q method, one state machine per option and side, so the client never
// answers a command that only confirms the current state and never loops with its peer.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace soket::proto::telnet {

/// The options each side has agreed on, and the replies the next received command needs.
/// Refusing everything is always safe.
class Negotiation {
 public:
  /// A received DO/DONT/WILL/WONT `opt`: returns the bytes to send back (maybe none) and
  /// updates the state. `agree`: whether to accept a request to enable it (DO: may *we*
  /// enable it; WILL: may the *peer*). Per RFC 1143 a confirmation of the current state gets
  /// no reply.
  std::string receive(std::uint8_t cmd, std::uint8_t opt, bool agree = false);

  /// Ask to enable or disable an option on our side (WILL/WONT) or the peer's (DO/DONT).
  /// Returns the bytes to send (none when a request is already outstanding or not needed).
  std::string request(bool local, std::uint8_t opt, bool enable);

  /// Whether the option is on: local = ours (we said WILL and got DO), else the peer's.
  bool enabled(bool local, std::uint8_t opt) const noexcept {
    return (local ? us_ : him_)[opt].state == State::yes;
  }

 private:
  enum class State : std::uint8_t { no, yes, want_no, want_yes };
  struct Q {
    State state = State::no;
    bool opposite = false;  // RFC 1143's queue bit
  };
  std::string on_enable(bool local, std::uint8_t opt, bool agree);
  std::string on_disable(bool local, std::uint8_t opt);

  std::array<Q, 256> us_{}, him_{};
};

}  // namespace soket::proto::telnet
