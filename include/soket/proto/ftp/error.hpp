// SPDX-License-Identifier: MIT
// ftplib's exceptions: Error and its four kinds of unwelcome reply, each carrying the reply.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace soket::proto::ftp {

/// Python: ftplib.Error, the base of everything below. what() names the command that failed
/// and quotes the reply ("RETR a.txt: 550 Failed to open file."); reply() is the reply alone,
/// as Python's str(e).
class Error : public std::runtime_error {
 public:
  Error(std::string_view command, std::string reply);
  /// The server's reply (every line of a multi-line one, joined with '\n'), or the fault.
  const std::string& reply() const noexcept { return reply_; }
  /// The reply's three-digit code as text ("550"), or "" when there was no proper reply.
  std::string code() const;

 private:
  std::string reply_;
};

/// Python: error_reply: a reply the command did not expect (a 3xx where a 2xx belongs).
class error_reply : public Error {
 public:
  using Error::Error;
};
/// Python: error_temp: a 4xx reply (try again later).
class error_temp : public Error {
 public:
  using Error::Error;
};
/// Python: error_perm: a 5xx reply (will not work as asked).
class error_perm : public Error {
 public:
  using Error::Error;
};
/// Python: error_proto: not an FTP reply (no 1-5 digit first), or a 227/229 that does not parse.
class error_proto : public Error {
 public:
  using Error::Error;
};
/// Python raises EOFError when the server closes mid-reply, and ftplib.Error("got more than
/// 8192 bytes") for an overlong line; here both are this class, naming the command.
class error_eof : public Error {
 public:
  using Error::Error;
};
class error_line_too_long : public Error {
 public:
  using Error::Error;
};

}  // namespace soket::proto::ftp
