// SPDX-License-Identifier: MIT
// smtplib's exception tree: SMTPException and its subclasses, with the server's code and text.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace soket::proto::smtp {

/// Python: smtplib.SMTPException.
class SMTPException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Python: SMTPNotSupportedError: the server lacks the extension (STARTTLS, AUTH, SMTPUTF8).
class SMTPNotSupportedError : public SMTPException {
 public:
  using SMTPException::SMTPException;
};

/// Python: SMTPServerDisconnected: the connection ended (EOF, timeout is TimeoutError) or
/// there is none.
class SMTPServerDisconnected : public SMTPException {
 public:
  using SMTPException::SMTPException;
};

/// Python: SMTPResponseException(code, msg): .smtp_code, .smtp_error.
class SMTPResponseException : public SMTPException {
 public:
  SMTPResponseException(int code, std::string msg, const std::string& context = "");
  int smtp_code() const noexcept { return code_; }
  const std::string& smtp_error() const noexcept { return msg_; }

 private:
  int code_;
  std::string msg_;
};

/// Python: SMTPSenderRefused(code, msg, sender): MAIL FROM failed.
class SMTPSenderRefused : public SMTPResponseException {
 public:
  SMTPSenderRefused(int code, std::string msg, std::string sender);
  const std::string& sender() const noexcept { return sender_; }

 private:
  std::string sender_;
};

/// One reply: Python's (code, msg) tuple; lines of a multi-line reply are joined with '\n'.
struct Reply {
  int code = -1;
  std::string message;
  friend bool operator==(const Reply&, const Reply&) = default;
};

/// Python: SMTPRecipientsRefused(recipients): every recipient was refused (or 421 mid-way).
class SMTPRecipientsRefused : public SMTPException {
 public:
  explicit SMTPRecipientsRefused(std::map<std::string, Reply> recipients);
  const std::map<std::string, Reply>& recipients() const noexcept { return recipients_; }

 private:
  std::map<std::string, Reply> recipients_;
};

/// Python: SMTPDataError, SMTPConnectError, SMTPHeloError, SMTPAuthenticationError.
class SMTPDataError : public SMTPResponseException {
 public:
  using SMTPResponseException::SMTPResponseException;
};
class SMTPConnectError : public SMTPResponseException {
 public:
  using SMTPResponseException::SMTPResponseException;
};
class SMTPHeloError : public SMTPResponseException {
 public:
  using SMTPResponseException::SMTPResponseException;
};
class SMTPAuthenticationError : public SMTPResponseException {
 public:
  using SMTPResponseException::SMTPResponseException;
};

}  // namespace soket::proto::smtp
