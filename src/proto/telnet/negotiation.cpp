// SPDX-License-Identifier: MIT
#include <soket/proto/telnet/negotiation.hpp>
#include <soket/proto/telnet/protocol.hpp>

namespace soket::proto::telnet {
namespace {

// The command that turns `local`'s side of an option on or off: ours is WILL/WONT, the
// peer's is DO/DONT.
std::uint8_t verb(bool local, bool enable) {
  if (local) return enable ? WILL : WONT;
  return enable ? DO : DONT;
}

}  // namespace

std::string Negotiation::receive(std::uint8_t cmd, std::uint8_t opt, bool agree) {
  // DO/DONT speak about our side, WILL/WONT about the peer's.
  const bool local = cmd == DO || cmd == DONT;
  const bool enable = cmd == DO || cmd == WILL;
  return enable ? on_enable(local, opt, agree) : on_disable(local, opt);
}

// RFC 1143 §7, "Upon receipt of WILL" (and DO, mirrored).
std::string Negotiation::on_enable(bool local, std::uint8_t opt, bool agree) {
  Q& q = (local ? us_ : him_)[opt];
  switch (q.state) {
    case State::no:
      if (agree) {
        q.state = State::yes;
        return negotiation(verb(local, true), opt);
      }
      return negotiation(verb(local, false), opt);
    case State::yes: return {};  // a confirmation: no reply
    case State::want_no:
      // DONT answered by WILL: a peer error; take it as the answer.
      q.state = q.opposite ? State::yes : State::no;
      q.opposite = false;
      return {};
    case State::want_yes:
      if (!q.opposite) {
        q.state = State::yes;
        return {};
      }
      q.state = State::want_no;
      q.opposite = false;
      return negotiation(verb(local, false), opt);
  }
  return {};
}

// RFC 1143 §7, "Upon receipt of WONT" (and DONT, mirrored).
std::string Negotiation::on_disable(bool local, std::uint8_t opt) {
  Q& q = (local ? us_ : him_)[opt];
  switch (q.state) {
    case State::no: return {};
    case State::yes: q.state = State::no; return negotiation(verb(local, false), opt);
    case State::want_no:
      if (!q.opposite) {
        q.state = State::no;
        return {};
      }
      q.state = State::want_yes;
      q.opposite = false;
      return negotiation(verb(local, true), opt);
    case State::want_yes:
      q.state = State::no;
      q.opposite = false;
      return {};
  }
  return {};
}

std::string Negotiation::request(bool local, std::uint8_t opt, bool enable) {
  Q& q = (local ? us_ : him_)[opt];
  const State undone = enable ? State::no : State::yes;
  const State wanted = enable ? State::want_yes : State::want_no;
  const State reverse = enable ? State::want_no : State::want_yes;
  if (q.state == undone) {
    q.state = wanted;
    return negotiation(verb(local, enable), opt);
  }
  if (q.state == reverse) q.opposite = true;  // ask again once the outstanding one is answered
  if (q.state == wanted) q.opposite = false;  // a queued reversal is cancelled
  return {};
}

}  // namespace soket::proto::telnet
