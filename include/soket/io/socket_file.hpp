// SPDX-License-Identifier: MIT
// SocketFile: Python's sock.makefile('rwb') — buffered readline/read/write over a Socket —
// plus std::istream/std::ostream adapters (SocketStreamBuf, SocketStream).
#pragma once

#include <cstddef>
#include <istream>
#include <iterator>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <soket/io/byte_stream.hpp>
#include <soket/socket.hpp>

namespace soket::io {

/// readline() or readline_bounded() found no '\n' within its limit. The bytes stay buffered
/// (nothing is lost) and no more is read, so memory stays bounded; the usual reaction is to
/// report the error and close the connection.
class LineTooLongError : public std::runtime_error {
 public:
  explicit LineTooLongError(std::size_t limit);
  /// `message` is the whole what() text (readuntil and framing word it their way).
  LineTooLongError(std::size_t limit, const std::string& message);
  std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
};

/// read_exact() met end of file early (Python: asyncio.IncompleteReadError's idea).
class IncompleteReadError : public std::runtime_error {
 public:
  IncompleteReadError(std::size_t expected, std::string partial);
  /// `message` is the whole what() text; expected is 0 when unknown (a delimited message).
  IncompleteReadError(const std::string& message, std::size_t expected, std::string partial);
  std::size_t expected() const noexcept { return expected_; }
  /// The bytes that did arrive before EOF.
  const std::string& partial() const noexcept { return partial_; }

 private:
  std::size_t expected_;
  std::string partial_;
};

/// Python: socket.makefile('rwb', buffering). buffer_size 0 is Python's buffering=0: reads
/// take only what they return (readline receives a byte at a time) and writes are sent at
/// once, so dropping the file leaves every unread byte in the socket.
/// A read buffer and a write buffer over a Socket
/// that this object does not own (the Socket must outlive it). Every call honours the
/// socket's timeout (TimeoutError) and throws the socket's errors (soket::Error subclasses).
///
/// Writes are buffered up to the buffer size and sent by flush() (or when the buffer fills;
/// larger writes go straight through). With write_through, every write() is sent at once
/// (Python's wbufsize=0, as StreamRequestHandler's wfile). The destructor does not flush:
/// call flush() so errors are seen.
///
/// Thread safety: one thread reads and one thread writes at most (reads and writes use
/// separate buffers); otherwise not thread-safe.
class SocketFile {
 public:
  static constexpr std::size_t default_buffer_size = 8192;
  /// Longest line readline() accepts by default (Python's http.client uses the same 64 KiB).
  static constexpr std::size_t default_line_limit = 65536;

  explicit SocketFile(Socket& sock, std::size_t buffer_size = default_buffer_size,
                      bool write_through = false);
  /// The same over another stream (an SSLSocket's makefile()), which must outlive it.
  explicit SocketFile(ByteStream& stream, std::size_t buffer_size = default_buffer_size,
                      bool write_through = false);
  SocketFile(const SocketFile&) = delete;
  SocketFile& operator=(const SocketFile&) = delete;
  SocketFile(SocketFile&&) noexcept = default;

  /// Python: readline(): one line including its '\n'; the last line may lack it; "" at EOF.
  /// Throws LineTooLongError if no '\n' appears within default_line_limit bytes (a bound
  /// Python does not have: a peer that never sends '\n' cannot exhaust memory).
  std::string readline() { return readline_bounded(default_line_limit); }
  /// Python: readline(limit): at most `limit` bytes; a longer line comes back in pieces (the
  /// first `limit` bytes now, the rest on the next calls), as Python's does.
  std::string readline(std::size_t limit);
  /// One line of at most `limit` bytes, or LineTooLongError (the bytes stay buffered).
  std::string readline_bounded(std::size_t limit);
  /// Python (asyncio.StreamReader): readuntil(separator): the bytes up to and including the
  /// first `separator` (not empty), at most `limit` bytes in all, else LineTooLongError (the
  /// bytes stay buffered). At end of file it returns what is left, without the separator
  /// ("" when nothing is), as readline does; asyncio raises IncompleteReadError instead.
  std::string readuntil(std::string_view separator, std::size_t limit = default_line_limit);

  /// Python: read(n): n bytes, fewer only at EOF ("" at EOF). If the socket times out (or
  /// fails) part way, the bytes already taken go back to the buffer: the next read returns
  /// them (Python refuses further reads after a timeout; soket loses nothing instead).
  std::string read(std::size_t n);
  /// Python: read1(n): at most n bytes with at most one recv; "" at EOF.
  std::string read1(std::size_t n);
  /// n bytes or IncompleteReadError (carrying what arrived).
  std::string read_exact(std::size_t n);
  /// Bytes already buffered (Python: len(peek()) without a read).
  std::size_t buffered() const noexcept { return rend_ - rpos_; }
  /// Puts `data` back in front of the buffered bytes: the next read returns it first. For a
  /// reader that takes a message in parts (framing's read_message) and must give the parts
  /// back when a later read times out, so nothing is lost.
  void unread(std::string_view data);

  /// Python: write(b). Returns data.size().
  std::size_t write(std::string_view data);
  /// Python: flush(): sends everything buffered.
  void flush();

  /// The Socket underneath (a SocketFile over a Socket only: std::logic_error otherwise).
  Socket& socket();

  /// Range-for over lines (each with its '\n'), until EOF: for (auto& line : file) ...
  /// Each line obeys `default_line_limit`.
  class LineIterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string*;
    using reference = const std::string&;
    LineIterator() = default;
    explicit LineIterator(SocketFile* f) : file_(f) { ++*this; }
    reference operator*() const { return line_; }
    pointer operator->() const { return &line_; }
    LineIterator& operator++() {
      line_ = file_->readline();
      if (line_.empty()) file_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const LineIterator& a, const LineIterator& b) noexcept {
      return a.file_ == b.file_;
    }

   private:
    SocketFile* file_ = nullptr;
    std::string line_;
  };
  LineIterator begin() { return LineIterator(this); }
  LineIterator end() { return LineIterator(); }

 private:
  // Reads once into the buffer (compacting it first); returns bytes read, 0 at EOF.
  std::size_t fill();
  // readline's loop: at `limit` without a '\n', throws (strict) or returns the piece.
  std::string read_line(std::size_t limit, bool strict);
  // The Socket's recv_into/sendall, or the ByteStream's.
  std::size_t recv_some(std::span<std::byte> buffer);
  void send_all(std::span<const std::byte> data);
  void send_all(std::string_view data) {
    send_all(std::as_bytes(std::span<const char>(data.data(), data.size())));
  }

  Socket* sock_ = nullptr;
  ByteStream* stream_ = nullptr;
  std::vector<char> rbuf_;
  std::size_t rpos_ = 0, rend_ = 0;
  std::string wbuf_;
  std::size_t wcap_;
  bool write_through_;
  bool unbuffered_;
};

/// Python: sock.makefile(buffering=...): a SocketFile over `sock` (0: unbuffered).
inline SocketFile makefile(Socket& sock,
                           std::size_t buffer_size = SocketFile::default_buffer_size) {
  return SocketFile(sock, buffer_size);
}

/// A std::streambuf over a Socket (not owned), for iostream code: reads fill a buffer with one
/// recv; writes are buffered and sent on sync()/overflow. A socket error or timeout ends the
/// stream (EOF on input, badbit on output); error() then says why.
class SocketStreamBuf : public std::streambuf {
 public:
  explicit SocketStreamBuf(Socket& sock, std::size_t buffer_size = SocketFile::default_buffer_size);
  ~SocketStreamBuf() override;
  /// The error that ended the stream, or empty; error_message() gives the full what() text.
  std::error_code error() const noexcept { return error_; }
  const std::string& error_message() const noexcept { return message_; }

 protected:
  int_type underflow() override;
  int_type overflow(int_type ch) override;
  int sync() override;

 private:
  bool flush_out();
  Socket* sock_;
  std::vector<char> in_, out_;
  std::error_code error_;
  std::string message_;
};

/// A std::iostream over a Socket: SocketStream s(sock); s << "hi\n" << std::flush; getline(s, x).
class SocketStream : public std::iostream {
 public:
  explicit SocketStream(Socket& sock, std::size_t buffer_size = SocketFile::default_buffer_size)
      : std::iostream(nullptr), buf_(sock, buffer_size) {
    rdbuf(&buf_);
  }
  SocketStreamBuf& buffer() noexcept { return buf_; }

 private:
  SocketStreamBuf buf_;
};

}  // namespace soket::io
