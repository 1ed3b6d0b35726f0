// SPDX-License-Identifier: MIT
// SocketFile and SocketStreamBuf: buffered reading and writing over a Socket.
#include <soket/io/socket_file.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <soket/error.hpp>

namespace soket::io {

LineTooLongError::LineTooLongError(std::size_t limit)
    : std::runtime_error("readline: line longer than " + std::to_string(limit) + " bytes"),
      limit_(limit) {}

IncompleteReadError::IncompleteReadError(std::size_t expected, std::string partial)
    : std::runtime_error("read_exact: end of file after " + std::to_string(partial.size()) +
                         " of " + std::to_string(expected) + " bytes"),
      expected_(expected),
      partial_(std::move(partial)) {}

SocketFile::SocketFile(Socket& sock, std::size_t buffer_size, bool write_through)
    : sock_(&sock),
      rbuf_(std::max<std::size_t>(buffer_size, 1)),
      wcap_(std::max<std::size_t>(buffer_size, 1)),
      write_through_(write_through || buffer_size == 0),
      unbuffered_(buffer_size == 0) {}

SocketFile::SocketFile(ByteStream& stream, std::size_t buffer_size, bool write_through)
    : stream_(&stream),
      rbuf_(std::max<std::size_t>(buffer_size, 1)),
      wcap_(std::max<std::size_t>(buffer_size, 1)),
      write_through_(write_through || buffer_size == 0),
      unbuffered_(buffer_size == 0) {}

Socket& SocketFile::socket() {
  if (!sock_) throw std::logic_error("SocketFile::socket: this file is not over a Socket");
  return *sock_;
}

std::size_t SocketFile::recv_some(std::span<std::byte> buffer) {
  return sock_ ? sock_->recv_into(buffer) : stream_->read_some(buffer);
}

void SocketFile::send_all(std::span<const std::byte> data) {
  if (sock_)
    sock_->sendall(data);
  else
    stream_->write_all(data);
}

std::size_t SocketFile::fill() {
  if (rpos_ == rend_) {
    rpos_ = rend_ = 0;
  } else if (rend_ == rbuf_.size() && rpos_ > 0) {
    std::memmove(rbuf_.data(), rbuf_.data() + rpos_, rend_ - rpos_);
    rend_ -= rpos_;
    rpos_ = 0;
  }
  // Full and compacted: only a readline under its limit gets here, so growth stops near the
  // limit (at most twice it): memory stays bounded.
  if (rend_ == rbuf_.size()) rbuf_.resize(rbuf_.size() * 2);
  // Unbuffered (Python's buffering=0): one byte at a time, so nothing past the line is taken.
  const std::size_t room = unbuffered_ ? 1 : rbuf_.size() - rend_;
  auto span = std::span<std::byte>(reinterpret_cast<std::byte*>(rbuf_.data()) + rend_, room);
  std::size_t n = recv_some(span);
  rend_ += n;
  return n;
}

void SocketFile::unread(std::string_view data) {
  if (data.empty()) return;
  if (rpos_ >= data.size()) {
    rpos_ -= data.size();
  } else {
    std::vector<char> merged(data.begin(), data.end());
    merged.insert(merged.end(), rbuf_.begin() + static_cast<std::ptrdiff_t>(rpos_),
                  rbuf_.begin() + static_cast<std::ptrdiff_t>(rend_));
    rend_ = merged.size();
    if (merged.size() < rbuf_.size()) merged.resize(rbuf_.size());
    rbuf_.swap(merged);
    rpos_ = 0;
  }
  std::memcpy(rbuf_.data() + rpos_, data.data(), data.size());
}

std::string SocketFile::readline(std::size_t limit) {
  if (limit == 0) return {};  // Python: readline(0) is b''
  return read_line(limit, false);
}

std::string SocketFile::readline_bounded(std::size_t limit) {
  if (limit == 0) throw std::invalid_argument("readline: limit must be positive");
  return read_line(limit, true);
}

std::string SocketFile::read_line(std::size_t limit, bool strict) {
  std::size_t scanned = 0;  // bytes from rpos_ known to hold no '\n'
  for (;;) {
    const char* start = rbuf_.data() + rpos_;
    std::size_t have = rend_ - rpos_;
    std::size_t look = std::min(have, limit);
    if (const void* nl = std::memchr(start + scanned, '\n', look - scanned)) {
      std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1;
      std::string line(start, len);
      rpos_ += len;
      return line;
    }
    scanned = look;
    if (have >= limit) {
      // The bytes stay buffered either way: nothing is lost.
      if (strict) throw LineTooLongError(limit);
      std::string part(start, limit);  // Python: the first `limit` bytes of the line
      rpos_ += limit;
      return part;
    }
    if (fill() == 0) {
      std::string rest(rbuf_.data() + rpos_, rend_ - rpos_);
      rpos_ = rend_ = 0;
      return rest;  // the last line without '\n', or "" at EOF
    }
  }
}

std::string SocketFile::read(std::size_t n) {
  std::string out;
  out.reserve(std::min<std::size_t>(n, 1 << 20));
  std::size_t kept = 0;  // bytes of `out` taken from the socket or the buffer
  try {
    while (out.size() < n) {
      if (rpos_ == rend_) {
        std::size_t want = n - out.size();
        if (want >= rbuf_.size() || unbuffered_) {
          // Large reads bypass the buffer (Python's BufferedReader does the same).
          out.resize(kept + want);
          auto got = recv_some(
              std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()) + kept, want));
          out.resize(kept + got);
          kept = out.size();
          if (got == 0) break;
          continue;
        }
        if (fill() == 0) break;
      }
      std::size_t take = std::min(n - out.size(), rend_ - rpos_);
      out.append(rbuf_.data() + rpos_, take);
      rpos_ += take;
      kept = out.size();
    }
  } catch (...) {
    // A timeout (or error) after some bytes arrived: give them back to the buffer so the next
    // read returns them first. Python refuses further reads instead; soket loses nothing.
    unread(std::string_view(out.data(), kept));
    throw;
  }
  return out;
}

std::string SocketFile::read1(std::size_t n) {
  if (n == 0) return {};
  if (rpos_ == rend_ && unbuffered_) {
    std::string out(n, '\0');
    out.resize(recv_some(std::as_writable_bytes(std::span<char>(out))));
    return out;
  }
  if (rpos_ == rend_ && fill() == 0) return {};
  std::size_t take = std::min(n, rend_ - rpos_);
  std::string out(rbuf_.data() + rpos_, take);
  rpos_ += take;
  return out;
}

std::string SocketFile::read_exact(std::size_t n) {
  std::string out = read(n);
  if (out.size() < n) throw IncompleteReadError(n, std::move(out));
  return out;
}

std::size_t SocketFile::write(std::string_view data) {
  if (write_through_) {
    flush();
    send_all(data);
    return data.size();
  }
  if (wbuf_.size() + data.size() > wcap_) {
    flush();
    if (data.size() >= wcap_) {
      send_all(data);
      return data.size();
    }
  }
  wbuf_.append(data);
  return data.size();
}

void SocketFile::flush() {
  if (wbuf_.empty()) return;
  std::string pending;
  pending.swap(wbuf_);  // on error the data is dropped, as Python loses it too (bpo-25586)
  send_all(pending);
}

// -- streambuf --------------------------------------------------------------------------------

SocketStreamBuf::SocketStreamBuf(Socket& sock, std::size_t buffer_size)
    : sock_(&sock),
      in_(std::max<std::size_t>(buffer_size, 1)),
      out_(std::max<std::size_t>(buffer_size, 1)) {
  setg(in_.data(), in_.data(), in_.data());
  setp(out_.data(), out_.data() + out_.size());
}

SocketStreamBuf::~SocketStreamBuf() {
  // Best effort, as std::filebuf's destructor: errors cannot be reported from here.
  if (!error_) flush_out();
}

SocketStreamBuf::int_type SocketStreamBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (error_) return traits_type::eof();
  std::size_t n = 0;
  try {
    // The throwing form, caught: its message is every soket error's (naming the peer).
    n = sock_->recv_into(
        std::span<std::byte>(reinterpret_cast<std::byte*>(in_.data()), in_.size()));
  } catch (const Error& e) {
    error_ = e.code();
    message_ = e.what();
    return traits_type::eof();
  }
  if (n == 0) return traits_type::eof();
  setg(in_.data(), in_.data(), in_.data() + n);
  return traits_type::to_int_type(*gptr());
}

bool SocketStreamBuf::flush_out() {
  auto len = static_cast<std::size_t>(pptr() - pbase());
  if (len == 0) return true;
  const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(pbase()), len);
  setp(out_.data(), out_.data() + out_.size());
  try {
    sock_->sendall(data);  // the buffer is not touched until the next write
  } catch (const Error& e) {
    error_ = e.code();
    message_ = e.what();
    return false;
  }
  return true;
}

SocketStreamBuf::int_type SocketStreamBuf::overflow(int_type ch) {
  if (error_ || !flush_out()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

int SocketStreamBuf::sync() {
  return (!error_ && flush_out()) ? 0 : -1;
}

}  // namespace soket::io
