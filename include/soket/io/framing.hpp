// SPDX-License-Identifier: MIT
// Framing: whole messages over a byte stream — delimiter-separated ("a string with a separator
// character between fields", as the documents put it) or length-prefixed — each with a size
// cap. The rules (Framing) are pure; read_message/write_message apply them to a blocking
// SocketFile, event::Codec (event/codec.hpp) to the engine's on_data bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soket::io {

class SocketFile;

/// A message broke its framing (a payload holding the delimiter, a size past the cap).
class FramingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A message is longer than the framing's max_size: a length header announced more, or no
/// delimiter came within max_size bytes. Nothing past the cap is read or buffered, so a peer
/// cannot make the reader allocate what it announces.
class MessageTooLongError : public FramingError {
 public:
  /// `size` is the announced length, or 0 when unknown (no delimiter within the limit).
  MessageTooLongError(std::size_t limit, std::uint64_t size);
  std::size_t limit() const noexcept { return limit_; }
  std::uint64_t size() const noexcept { return size_; }

 private:
  std::size_t limit_;
  std::uint64_t size_;
};

/// How messages are cut out of a stream. A value type: copy it freely; share one between
/// threads (every member is const).
///
///   delimited:       payload DELIM payload DELIM ...      (the payload never holds DELIM)
///   length-prefixed: LEN payload LEN payload ...          (LEN: unsigned, big-endian,
///                                                          1, 2, 4 or 8 bytes)
class Framing {
 public:
  static constexpr std::size_t default_line_limit = 64 << 10;
  static constexpr std::size_t default_message_limit = 16 << 20;

  /// Messages ended by `delimiter` (not empty), each at most max_size bytes (the delimiter
  /// not counted). Throws std::invalid_argument for an empty delimiter or a zero max_size.
  static Framing delimited(std::string delimiter = "\n", std::size_t max_size = default_line_limit);
  /// Messages preceded by their length in `header_size` bytes (1, 2, 4 or 8), each at most
  /// max_size bytes. Throws std::invalid_argument for another header size, or a max_size the
  /// header cannot express (a 2-byte header carries at most 65535).
  static Framing length_prefixed(std::size_t max_size = default_message_limit,
                                 std::size_t header_size = 4);

  bool is_delimited() const noexcept { return header_size_ == 0; }
  std::string_view delimiter() const noexcept { return delimiter_; }
  /// 0 for delimited framing.
  std::size_t header_size() const noexcept { return header_size_; }
  std::size_t max_size() const noexcept { return max_size_; }

  /// What decode() found at the start of its input.
  struct Decoded {
    enum class Status : std::uint8_t {
      message,    // a whole message: payload and consumed are set
      need_more,  // a partial message: wait for more bytes
      too_long,   // past max_size: the stream cannot go on (announced is set when known)
    };
    Status status = Status::need_more;
    std::string_view payload;     // a view into the input
    std::size_t consumed = 0;     // bytes of input the message took, framing included
    std::uint64_t announced = 0;  // too_long with a length header: the length it announced
  };
  /// Finds the first message in `input` without copying. Never throws.
  Decoded decode(std::string_view input) const noexcept;

  /// The bytes that go before a payload of `size` bytes: the length header, or nothing for
  /// delimited framing. Sends gather prefix, payload and suffix() without a copy.
  struct Prefix {
    std::array<char, 8> bytes{};
    std::size_t size = 0;
    std::string_view view() const noexcept { return {bytes.data(), size}; }
  };
  Prefix prefix(std::size_t size) const noexcept;
  /// The bytes that go after a payload: the delimiter, or nothing for length-prefixed framing.
  std::string_view suffix() const noexcept { return delimiter_; }
  /// Throws MessageTooLongError if payload is longer than max_size, FramingError if a
  /// delimited payload holds the delimiter (it would arrive as two messages).
  void check(std::string_view payload) const;
  /// check(payload), then prefix + payload + suffix in one string.
  std::string encode(std::string_view payload) const;

 private:
  Framing(std::string delimiter, std::size_t header_size, std::size_t max_size)
      : delimiter_(std::move(delimiter)), header_size_(header_size), max_size_(max_size) {}

  std::string delimiter_;
  std::size_t header_size_;
  std::size_t max_size_;
};

/// Reads one message from `file`: its payload, without the framing; std::nullopt at end of
/// file between messages. Throws MessageTooLongError past the cap (the stream cannot be
/// resynchronised: close it), IncompleteReadError if the stream ends inside a message, and the
/// socket's errors. A timeout (TimeoutError) loses nothing: the bytes already taken go back to
/// the file's buffer and the next call starts the message again.
std::optional<std::string> read_message(SocketFile& file, const Framing& framing);

/// Writes one message to `file` (buffered: flush() sends it, or the file is write-through).
/// Checks it first (Framing::check), so nothing is written for a payload that breaks the
/// framing.
void write_message(SocketFile& file, const Framing& framing, std::string_view payload);

}  // namespace soket::io
