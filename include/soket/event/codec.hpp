// SPDX-License-Identifier: MIT
// Codec: io::Framing on the engine — on_data bytes into whole messages, messages into framed
// sends.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/io/framing.hpp>

namespace soket::event {

/// Cuts a connection's input into whole messages and sends messages framed. Stateless: a
/// partial message waits in the connection's input Buffer (the engine keeps what on_data did
/// not consume), so one Codec serves every connection of a handler, on every loop thread.
///
///   void on_data(Connection& c, Buffer& in) override {
///     if (codec.decode(c, in, [&](std::string_view msg) { codec.send(c, msg); }))
///       c.close();  // a message past max_size: the stream cannot go on
///   }
class Codec {
 public:
  explicit Codec(io::Framing framing) : framing_(std::move(framing)) {}

  const io::Framing& framing() const noexcept { return framing_; }

  /// Calls on_message(std::string_view payload) for each whole message at the front of
  /// `input`, consuming it. If on_message throws, its message is consumed all the same and the
  /// exception goes on to the engine (Handler::handle_error); the messages after it stay in
  /// `input` and come with the next on_data.
  /// The payload is a view into `input`, valid during the call. Stops at a partial message
  /// (left in `input` for the next on_data) and when on_message closes `conn`. Returns
  /// std::errc::message_size when the next message is longer than max_size (it is left in
  /// `input`; close the connection), else an empty error_code.
  template <class OnMessage>
  std::error_code decode(Connection& conn, Buffer& input, OnMessage&& on_message) const;

  /// Sends one message on `conn`: prefix, payload and suffix gathered into one writev(2), no
  /// copy unless the output is queued. Throws as io::Framing::check.
  void send(Connection& conn, std::string_view payload) const;
  /// The framed bytes of one message, to send the same message to many connections.
  std::string encode(std::string_view payload) const { return framing_.encode(payload); }

 private:
  io::Framing framing_;
};

template <class OnMessage>
std::error_code Codec::decode(Connection& conn, Buffer& input, OnMessage&& on_message) const {
  using Status = io::Framing::Decoded::Status;
  const ConnectionId id = conn.id();
  while (conn.is_open() && conn.id() == id) {
    const io::Framing::Decoded d = framing_.decode(input.view());
    if (d.status == Status::need_more) break;
    if (d.status == Status::too_long) return std::make_error_code(std::errc::message_size);
    // Consumed after the call (the payload points into input), even if it throws; not if it
    // closed the connection, whose input buffer is then no longer ours (nor if the slot
    // already serves another connection).
    struct Consume {
      Connection& conn;
      ConnectionId id;
      Buffer& input;
      std::size_t n;
      ~Consume() {
        if (conn.is_open() && conn.id() == id) input.retrieve(n);
      }
    } consume{conn, id, input, d.consumed};
    on_message(d.payload);
  }
  return {};
}

}  // namespace soket::event
