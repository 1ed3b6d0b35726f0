// SPDX-License-Identifier: MIT
// libFuzzer target for the mail clients' parsers: imap::parse_response and literal_size (a
// result or ResponseError, nothing else), b64decode (a result whose encoding decodes to it
// again, or std::invalid_argument) and dot_stuff (no line of its output but the last is ".", and
// unstuffing gives the input's lines back), and smtp/message.hpp: address lists and header
// fields come back unfolded (no CR or LF), a removed field is gone, the envelope is found or
// std::invalid_argument, encoded header values are ASCII, crlf_lines leaves no lone CR or LF.
#include <soket/proto/base64.hpp>
#include <soket/proto/imap/response.hpp>
#include <soket/proto/line_channel.hpp>
#include <soket/proto/smtp/message.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace imap = soket::proto::imap;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "mail_parse_fuzz: %s\n", what);
  std::abort();
}

void check_dot_stuff(std::string_view in) {
  const std::string out = soket::proto::dot_stuff(in, true);
  if (!out.ends_with("\r\n.\r\n") && out != ".\r\n") fail("dot_stuff: no terminator");
  // Normalised input lines, as the receiver should see them after unstuffing.
  std::string expect;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' || in[i] == '\n') {
      if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
      expect += "\r\n";
    } else {
      expect += in[i];
    }
  }
  if (!expect.ends_with("\r\n")) expect += "\r\n";
  std::string got;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t end = out.find("\r\n", pos);
    if (end == std::string::npos) fail("dot_stuff: unterminated line");
    const std::string_view line(out.data() + pos, end - pos);
    pos = end + 2;
    if (line == ".") break;
    if (line.starts_with('.') && !line.starts_with("..")) fail("dot_stuff: unstuffed dot");
    got += soket::proto::dot_unstuff(line);
    got += "\r\n";
  }
  if (pos != out.size()) fail("dot_stuff: bytes after the final dot");
  if (got != expect) fail("dot_stuff: unstuffing does not give the input back");
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

void check_message(std::string_view in) {
  namespace smtp = soket::proto::smtp;
  for (const auto& pair : smtp::getaddresses({std::string(in)}))
    if (has_line_break(pair.name) || has_line_break(pair.addr)) fail("getaddresses: a line break");
  for (const char* name : {"To", "Bcc", "From"}) {
    for (const auto& value : smtp::header_values(in, name))
      if (has_line_break(value)) fail("header_values: a line break");
    const std::string without = smtp::remove_header(in, name);
    if (!smtp::header_values(without, name).empty())
      fail("remove_header: the field is still there");
    if (without.size() > in.size()) fail("remove_header: the message grew");
  }
  try {
    const smtp::Envelope e = smtp::message_envelope(in);
    for (const auto& to : e.to)
      if (to.empty() || has_line_break(to)) fail("message_envelope: a bad recipient");
  } catch (const std::invalid_argument&) {
  }
  for (const char c : smtp::encode_header_value(in))
    if (static_cast<unsigned char>(c) >= 0x80) fail("encode_header_value: not ASCII");
  const std::string crlf = smtp::crlf_lines(in);
  for (std::size_t i = 0; i < crlf.size(); ++i) {
    if (crlf[i] == '\r' && (i + 1 == crlf.size() || crlf[i + 1] != '\n'))
      fail("crlf_lines: lone CR");
    if (crlf[i] == '\n' && (i == 0 || crlf[i - 1] != '\r')) fail("crlf_lines: lone LF");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    const imap::Response r = imap::parse_response(in);
    (void)r.fetch_items();
  } catch (const imap::ResponseError&) {
  }
  try {
    (void)imap::literal_size(in);
  } catch (const imap::ResponseError&) {
  }
  try {
    const std::string decoded = soket::proto::b64decode(in);
    // Python accepts non-zero bits left over in the last character; the round trip of the
    // decoded bytes must still hold.
    const std::string again = soket::proto::b64encode(decoded);
    if (again.size() != in.size() || soket::proto::b64decode(again) != decoded)
      fail("b64decode/b64encode round trip");
  } catch (const std::invalid_argument&) {
  }
  check_dot_stuff(in);
  check_message(in);
  return 0;
}
