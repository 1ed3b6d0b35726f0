// SPDX-License-Identifier: MIT
// A mail message as RFC 5322 text: its header fields (email.message's get_all and del) and
// email.utils' address and date helpers — what SMTP::send_message and `soket mail send` need,
// without an email package.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::smtp {

/// Python: the (realname, address) pair of email.utils.parseaddr / getaddresses.
struct AddressPair {
  std::string name;
  std::string addr;
  friend bool operator==(const AddressPair&, const AddressPair&) = default;
};

/// Python: str.isascii(): no byte above 0x7F (else the message needs 8BITMIME or SMTPUTF8).
bool is_ascii(std::string_view text) noexcept;

/// Python: email.utils.getaddresses(fieldvalues): every address of the address lists
/// (display names, quoted strings, comments, <angle> forms with routes, groups). Lenient as
/// Python's: junk gives pairs with an empty address; nothing throws.
std::vector<AddressPair> getaddresses(const std::vector<std::string>& fieldvalues);

/// Python: email.utils.parseaddr(addr): the first address, or {"", ""}.
AddressPair parseaddr(std::string_view addr);

/// Python: email.utils.formataddr((name, addr)): "name <addr>", the name quoted when it holds
/// specials, RFC 2047 encoded (utf-8, base64) when it is not ASCII.
std::string formataddr(const AddressPair& pair);

/// Python: email.utils.formatdate(timeval, localtime=False, usegmt=False):
/// "Mon, 01 Jan 2024 00:00:00 -0000".
std::string formatdate(
    std::chrono::system_clock::time_point when = std::chrono::system_clock::now());

/// Python: email.utils.make_msgid(idstring=None, domain): "<time.pid.random@domain>".
std::string make_msgid(const std::string& domain = "localhost");

/// Python: email.header.Header(value, "utf-8").encode() for one unstructured value: the
/// value itself when it is ASCII, else "=?utf-8?b?...?=" words.
std::string encode_header_value(std::string_view value);

/// Python: Message.get_all(name): the values of every `name` field of the header section
/// (case-insensitive), unfolded (CR and LF removed), leading blanks trimmed, in order. The
/// header section ends at the first empty line, or at a line that is not a field.
std::vector<std::string> header_values(std::string_view message, std::string_view name);

/// Python: `del msg[name]`: the message with every `name` field (its folded lines too)
/// removed from the header section; the body is untouched.
std::string remove_header(std::string_view message, std::string_view name);

/// The envelope Python's send_message takes from a message: the sender is the first address
/// of Sender, else From; the recipients are every address of To, Bcc and Cc (in that order).
/// With one Resent-Date field the Resent-* fields are used instead; with more,
/// std::invalid_argument. Empty addresses (junk, empty groups) are left out; no sender found
/// leaves `from` empty.
struct Envelope {
  std::string from;
  std::vector<std::string> to;
};
Envelope message_envelope(std::string_view message);

/// Python's generator with linesep="\r\n": every lone LF or CR becomes CRLF.
std::string crlf_lines(std::string_view message);

}  // namespace soket::proto::smtp
