// SPDX-License-Identifier: MIT
// Framing: the rules (decode/encode) and their blocking use over a SocketFile.
#include <soket/io/framing.hpp>

#include <limits>
#include <string>

#include <soket/io/socket_file.hpp>

namespace soket::io {

namespace {

std::string too_long_message(std::size_t limit, std::uint64_t size) {
  if (size == 0)
    return "framing: no delimiter within " + std::to_string(limit) + " bytes (message too long)";
  return "framing: message of " + std::to_string(size) + " bytes exceeds the limit of " +
         std::to_string(limit);
}

std::uint64_t read_length(std::string_view header) noexcept {
  std::uint64_t n = 0;
  for (char c : header) n = (n << 8) | static_cast<unsigned char>(c);
  return n;
}

}  // namespace

MessageTooLongError::MessageTooLongError(std::size_t limit, std::uint64_t size)
    : FramingError(too_long_message(limit, size)), limit_(limit), size_(size) {}

Framing Framing::delimited(std::string delimiter, std::size_t max_size) {
  if (delimiter.empty()) throw std::invalid_argument("framing: the delimiter is empty");
  if (max_size == 0) throw std::invalid_argument("framing: max_size must be positive");
  // decode() looks at max_size + delimiter bytes: keep that sum representable.
  if (max_size > std::numeric_limits<std::size_t>::max() / 2)
    throw std::invalid_argument("framing: max_size is too large");
  return Framing(std::move(delimiter), 0, max_size);
}

Framing Framing::length_prefixed(std::size_t max_size, std::size_t header_size) {
  if (header_size != 1 && header_size != 2 && header_size != 4 && header_size != 8)
    throw std::invalid_argument("framing: header_size must be 1, 2, 4 or 8 bytes, not " +
                                std::to_string(header_size));
  if (max_size == 0) throw std::invalid_argument("framing: max_size must be positive");
  if (header_size < 8 && max_size >= (std::uint64_t{1} << (8 * header_size)))
    throw std::invalid_argument("framing: a " + std::to_string(header_size) +
                                "-byte length header cannot announce max_size " +
                                std::to_string(max_size));
  return Framing({}, header_size, max_size);
}

Framing::Decoded Framing::decode(std::string_view input) const noexcept {
  Decoded d;
  if (is_delimited()) {
    // A message of max_size bytes and its delimiter is the most there is to look at.
    const std::string_view window = input.substr(0, max_size_ + delimiter_.size());
    if (std::size_t at = window.find(delimiter_); at != std::string_view::npos) {
      d.status = Decoded::Status::message;
      d.payload = input.substr(0, at);
      d.consumed = at + delimiter_.size();
    } else if (input.size() >= max_size_ + delimiter_.size()) {
      d.status = Decoded::Status::too_long;
    }
    return d;
  }
  if (input.size() < header_size_) return d;
  const std::uint64_t length = read_length(input.substr(0, header_size_));
  if (length > max_size_) {
    d.status = Decoded::Status::too_long;
    d.announced = length;
    return d;
  }
  const auto size = static_cast<std::size_t>(length);  // <= max_size_: fits
  if (input.size() - header_size_ < size) return d;
  d.status = Decoded::Status::message;
  d.payload = input.substr(header_size_, size);
  d.consumed = header_size_ + size;
  return d;
}

Framing::Prefix Framing::prefix(std::size_t size) const noexcept {
  Prefix p;
  p.size = header_size_;
  auto n = static_cast<std::uint64_t>(size);
  for (std::size_t i = header_size_; i-- > 0; n >>= 8)
    p.bytes[i] = static_cast<char>(static_cast<unsigned char>(n & 0xff));
  return p;
}

void Framing::check(std::string_view payload) const {
  if (payload.size() > max_size_) throw MessageTooLongError(max_size_, payload.size());
  if (is_delimited() && payload.find(delimiter_) != std::string_view::npos)
    throw FramingError("framing: the payload holds the delimiter (it would arrive split)");
}

std::string Framing::encode(std::string_view payload) const {
  check(payload);
  const Prefix p = prefix(payload.size());
  std::string out;
  out.reserve(p.size + payload.size() + delimiter_.size());
  out.append(p.view()).append(payload).append(delimiter_);
  return out;
}

std::optional<std::string> read_message(SocketFile& file, const Framing& framing) {
  if (framing.is_delimited()) {
    const std::string_view delim = framing.delimiter();
    std::string got;
    try {
      got = file.readuntil(delim, framing.max_size() + delim.size());
    } catch (const LineTooLongError&) {
      throw MessageTooLongError(framing.max_size(), 0);
    }
    if (got.empty()) return std::nullopt;
    if (!got.ends_with(delim)) {
      const std::size_t n = got.size();
      throw IncompleteReadError("read_message: end of file inside a message (" + std::to_string(n) +
                                    " bytes and no delimiter)",
                                0, std::move(got));
    }
    got.resize(got.size() - delim.size());
    return got;
  }
  // read() returns fewer bytes only at end of file, and gives back what it took on a timeout.
  std::string header = file.read(framing.header_size());
  if (header.empty()) return std::nullopt;
  if (header.size() < framing.header_size()) {
    const std::size_t got = header.size();
    throw IncompleteReadError("read_message: end of file inside a length header (" +
                                  std::to_string(got) + " of " +
                                  std::to_string(framing.header_size()) + " bytes)",
                              framing.header_size(), std::move(header));
  }
  const std::uint64_t length = read_length(header);
  if (length > framing.max_size()) throw MessageTooLongError(framing.max_size(), length);
  const auto size = static_cast<std::size_t>(length);
  std::string body;
  try {
    body = file.read(size);
  } catch (...) {
    file.unread(header);  // read() gave back the body's part: put the header before it
    throw;
  }
  if (body.size() < size) {
    const std::size_t got = body.size();
    throw IncompleteReadError("read_message: end of file after " + std::to_string(got) + " of " +
                                  std::to_string(size) + " bytes of a message",
                              size, std::move(body));
  }
  return body;
}

void write_message(SocketFile& file, const Framing& framing, std::string_view payload) {
  framing.check(payload);
  const Framing::Prefix p = framing.prefix(payload.size());
  if (p.size) file.write(p.view());
  file.write(payload);
  if (!framing.suffix().empty()) file.write(framing.suffix());
}

}  // namespace soket::io
