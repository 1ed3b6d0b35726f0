// SPDX-License-Identifier: MIT
// The file-transfer messages: encode/decode (pure, fuzzed by fuzz/transfer_header_fuzz.cpp)
// and one length-prefixed frame per message over a blocking socket.
#include <soket/io/transfer/protocol.hpp>

#include <soket/io/framing.hpp>
#include <soket/io/socket_file.hpp>

namespace soket::transfer {
namespace {

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void bytes(std::string_view s) { out_.append(s); }
  void digest(const Digest& d) {
    for (std::byte b : d) u8(static_cast<std::uint8_t>(b));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint8_t u8(const char* field) {
    need(1, field);
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint32_t u32(const char* field) {
    need(4, field);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_++]);
    return v;
  }
  std::uint64_t u64(const char* field) {
    need(8, field);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_++]);
    return v;
  }
  Digest digest(const char* field) {
    need(digest_size, field);
    Digest d{};
    for (auto& b : d) b = static_cast<std::byte>(in_[pos_++]);
    return d;
  }
  // The rest of the payload, at most `limit` bytes.
  std::string rest(const char* field, std::size_t limit) {
    if (in_.size() - pos_ > limit)
      throw ProtocolError(std::string(field) + " longer than " + std::to_string(limit) + " bytes");
    std::string s(in_.substr(pos_));
    pos_ = in_.size();
    return s;
  }
  std::size_t left() const { return in_.size() - pos_; }
  void done(const char* kind) const {
    if (pos_ != in_.size())
      throw ProtocolError(std::to_string(in_.size() - pos_) + " trailing bytes after " + kind);
  }

 private:
  void need(std::size_t n, const char* field) const {
    if (in_.size() - pos_ < n) throw ProtocolError(std::string("truncated ") + field);
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

constexpr std::uint32_t max_mode = 07777;

void check_fields(const Message& m) {
  if (m.name.size() > max_name)
    throw ProtocolError("name longer than " + std::to_string(max_name) + " bytes");
  if (m.text.size() > max_text)
    throw ProtocolError("reason longer than " + std::to_string(max_text) + " bytes");
  if (m.mode > max_mode) throw ProtocolError("mode " + std::to_string(m.mode) + " out of range");
}

}  // namespace

std::string encode(const Message& m) {
  check_fields(m);
  Writer w;
  w.u8(static_cast<std::uint8_t>(m.kind));
  switch (m.kind) {
    case Kind::file:
      w.u8(m.flags);
      w.u32(m.mode);
      w.u64(m.size);
      w.bytes(m.name);
      break;
    case Kind::dir:
      w.u32(m.mode);
      w.bytes(m.name);
      break;
    case Kind::start: w.u64(m.offset); break;
    case Kind::digest:
      if (m.sha) w.digest(*m.sha);
      break;
    case Kind::accept:
      w.u64(m.offset);
      if (m.sha) w.digest(*m.sha);
      break;
    case Kind::refuse:
    case Kind::error: w.bytes(m.text); break;
    case Kind::end:
    case Kind::ok: break;
  }
  return w.take();
}

Message decode(std::string_view payload) {
  Reader r(payload);
  Message m;
  std::uint8_t kind = r.u8("message kind");
  switch (kind) {
    case static_cast<std::uint8_t>(Kind::file):
      m.kind = Kind::file;
      m.flags = r.u8("file flags");
      if (m.flags & ~(flag_resume | flag_verify))
        throw ProtocolError("unknown file flags " + std::to_string(m.flags));
      m.mode = r.u32("file mode");
      m.size = r.u64("file size");
      m.name = r.rest("file name", max_name);
      break;
    case static_cast<std::uint8_t>(Kind::dir):
      m.kind = Kind::dir;
      m.mode = r.u32("dir mode");
      m.name = r.rest("dir name", max_name);
      break;
    case static_cast<std::uint8_t>(Kind::end): m.kind = Kind::end; break;
    case static_cast<std::uint8_t>(Kind::start):
      m.kind = Kind::start;
      m.offset = r.u64("start offset");
      break;
    case static_cast<std::uint8_t>(Kind::digest):
      m.kind = Kind::digest;
      if (r.left() > 0) m.sha = r.digest("digest");
      break;
    case static_cast<std::uint8_t>(Kind::accept):
      m.kind = Kind::accept;
      m.offset = r.u64("accept offset");
      if (r.left() > 0) m.sha = r.digest("accept digest");
      break;
    case static_cast<std::uint8_t>(Kind::ok): m.kind = Kind::ok; break;
    case static_cast<std::uint8_t>(Kind::refuse):
      m.kind = Kind::refuse;
      m.text = r.rest("reason", max_text);
      break;
    case static_cast<std::uint8_t>(Kind::error):
      m.kind = Kind::error;
      m.text = r.rest("reason", max_text);
      break;
    default: throw ProtocolError("unknown message kind " + std::to_string(kind));
  }
  r.done("message");
  if (m.mode > max_mode) throw ProtocolError("mode " + std::to_string(m.mode) + " out of range");
  return m;
}

const io::Framing& framing() {
  static const io::Framing f = io::Framing::length_prefixed(max_frame, 4);
  return f;
}

void send_message(io::SocketFile& out, const Message& m) {
  io::write_message(out, framing(), encode(m));
  out.flush();
}

std::optional<Message> recv_message(io::SocketFile& in) {
  std::optional<std::string> payload;
  try {
    payload = io::read_message(in, framing());
  } catch (const io::FramingError& e) {  // a length past max_frame
    throw ProtocolError(e.what());
  } catch (const io::IncompleteReadError& e) {  // the stream ended inside a frame
    throw ProtocolError(e.what());
  }
  if (!payload) return std::nullopt;
  return decode(*payload);
}

std::string to_hex(const Digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * d.size());
  for (std::byte b : d) {
    auto v = static_cast<unsigned>(b);
    s += digits[v >> 4];
    s += digits[v & 15U];
  }
  return s;
}

}  // namespace soket::transfer
