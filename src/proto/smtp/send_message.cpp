// SPDX-License-Identifier: MIT
// SMTP::send_message: Python's smtplib.SMTP.send_message on a message's text — the envelope
// from its header fields, Bcc kept from the wire, SMTPUTF8 when an address needs it.
#include <soket/proto/smtp/message.hpp>
#include <soket/proto/smtp/smtp.hpp>

#include <algorithm>
#include <stdexcept>

namespace soket::proto::smtp {

std::map<std::string, Reply> SMTP::send_message(
    std::string_view msg, const std::optional<std::string>& from_addr,
    const std::optional<std::vector<std::string>>& to_addrs,
    const std::vector<std::string>& mail_options, const std::vector<std::string>& rcpt_options) {
  ehlo_or_helo_if_needed();
  Envelope envelope = message_envelope(msg);  // also checks the Resent- blocks, as Python
  if (from_addr) envelope.from = *from_addr;
  if (to_addrs) envelope.to = *to_addrs;
  if (envelope.from.empty())
    throw std::invalid_argument("smtp: send_message: the message has no From or Sender address");
  const std::string flat = crlf_lines(remove_header(remove_header(msg, "Bcc"), "Resent-Bcc"));
  bool international = !is_ascii(envelope.from);
  for (const auto& each : envelope.to) international = international || !is_ascii(each);
  std::vector<std::string> options = mail_options;
  if (international) {
    if (!has_extn("smtputf8"))
      throw SMTPNotSupportedError(
          "smtp: One or more source or delivery addresses require internationalized email "
          "support, but the server does not advertise the required SMTPUTF8 capability");
    for (const char* option : {"SMTPUTF8", "BODY=8BITMIME"})
      if (std::find(options.begin(), options.end(), option) == options.end())
        options.emplace_back(option);
  }
  return sendmail(envelope.from, envelope.to, flat, options, rcpt_options, false);
}

}  // namespace soket::proto::smtp
