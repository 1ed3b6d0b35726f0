// SPDX-License-Identifier: MIT
// The file-transfer protocol of `soket send` / `soket receive`: small binary messages, each in
// a length-prefixed frame, around the raw bytes of each file.
//
//   sender                                  receiver
//   file {name, size, mode, flags}  ----->
//                                   <-----  accept {offset, SHA-256 of the part already there}
//                                           (or refuse {reason}: the next item follows)
//   start {offset: 0 or as offered} ----->
//   size - offset raw bytes         ----->
//   digest {SHA-256 of the file}    ----->
//                                   <-----  ok, or error {reason} (nothing is kept)
//   ... dir {name, mode} / file ... / end
//
// The digest travels after the data so that the sender hashes while the bytes stream (one
// pass over the file). A receiver that must stop (disk full) sends error {reason} at once and
// closes; the sender watches for it while sending.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soket::io {
class Framing;
class SocketFile;
}  // namespace soket::io

namespace soket::transfer {

enum class Kind : std::uint8_t {
  file = 1,     // sender: a file follows (name, size, mode, flags)
  dir = 2,      // sender: make a directory (name, mode)
  end = 3,      // sender: nothing more
  start = 4,    // sender: bytes from `offset` follow
  digest = 5,   // sender: SHA-256 of the whole file (empty with --no-verify)
  accept = 16,  // receiver: send from `offset`; `digest` covers the bytes before it
  ok = 17,      // receiver: the item is in place
  refuse = 18,  // receiver: this item is refused (text); the session goes on
  error = 19,   // receiver: the session ends (text), e.g. the disk is full
};

/// Flags of a file message.
inline constexpr std::uint8_t flag_resume = 1;  // continue a part left by an earlier attempt
inline constexpr std::uint8_t flag_verify = 2;  // a SHA-256 digest follows the data

inline constexpr std::size_t digest_size = 32;       // SHA-256
inline constexpr std::size_t max_name = 4096;        // PATH_MAX, the longest name accepted
inline constexpr std::size_t max_text = 1024;        // a refusal or error reason
inline constexpr std::size_t max_frame = 64 * 1024;  // any message, framed

using Digest = std::array<std::byte, digest_size>;

/// One message. Only the fields of its kind are meaningful (the others stay at their defaults).
struct Message {
  Kind kind = Kind::end;
  std::uint8_t flags = 0;     // file
  std::uint32_t mode = 0;     // file, dir: permission bits (07777 at most)
  std::uint64_t size = 0;     // file
  std::uint64_t offset = 0;   // start, accept
  std::string name;           // file, dir
  std::string text;           // refuse, error
  std::optional<Digest> sha;  // digest (none: --no-verify), accept (none when offset is 0)

  bool operator==(const Message&) const = default;
};

/// One constructor per kind, so a message carries exactly its kind's fields. Reasons longer
/// than max_text are cut there.
inline Message file_message(std::string name, std::uint64_t size, std::uint32_t mode,
                            std::uint8_t flags) {
  Message m;
  m.kind = Kind::file, m.name = std::move(name), m.size = size, m.mode = mode, m.flags = flags;
  return m;
}
inline Message dir_message(std::string name, std::uint32_t mode) {
  Message m;
  m.kind = Kind::dir, m.name = std::move(name), m.mode = mode;
  return m;
}
inline Message end_message() {
  return Message{};
}
inline Message start_message(std::uint64_t offset) {
  Message m;
  m.kind = Kind::start, m.offset = offset;
  return m;
}
inline Message digest_message(std::optional<Digest> sha) {
  Message m;
  m.kind = Kind::digest, m.sha = sha;
  return m;
}
inline Message accept_message(std::uint64_t offset, std::optional<Digest> sha) {
  Message m;
  m.kind = Kind::accept, m.offset = offset, m.sha = sha;
  return m;
}
inline Message ok_message() {
  Message m;
  m.kind = Kind::ok;
  return m;
}
inline Message refuse_message(std::string_view why) {
  Message m;
  m.kind = Kind::refuse, m.text = why.substr(0, max_text);
  return m;
}
inline Message error_message(std::string_view why) {
  Message m;
  m.kind = Kind::error, m.text = why.substr(0, max_text);
  return m;
}

/// A malformed message or frame: what was wrong, for "soket receive: bad message: ...".
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The message's payload (without the frame's length prefix). Throws ProtocolError when a field
/// is out of its range (a name longer than max_name, text longer than max_text, mode > 07777).
std::string encode(const Message& m);
/// Parses one payload; throws ProtocolError naming the fault (unknown kind, truncated, trailing
/// bytes, a field out of range). Names are returned as sent: check them with safe_path.hpp.
Message decode(std::string_view payload);

/// How messages are framed on the wire: io::Framing's length prefix (4 bytes, big-endian),
/// at most max_frame bytes each.
const io::Framing& framing();
/// Writes `m` as one frame and flushes it.
void send_message(io::SocketFile& out, const Message& m);
/// Reads one framed message; std::nullopt on a clean end of stream between messages. Throws
/// ProtocolError for a frame over max_frame or cut short, soket::Error on socket errors. The
/// file may read ahead into the bytes of a file that follow: take those from its buffer first.
std::optional<Message> recv_message(io::SocketFile& in);

/// Lower-case hex of a digest, for messages ("sha256 ab12...").
std::string to_hex(const Digest& d);

}  // namespace soket::transfer
