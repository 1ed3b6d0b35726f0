// SPDX-License-Identifier: MIT
// nntplib's exceptions: NNTPError and its five subclasses, each carrying the server's reply.
#pragma once

#include <stdexcept>
#include <string>

namespace soket::proto::nntp {

/// Python: nntplib.NNTPError. what() is "nntp CMD: reply" (the command whose reply it was);
/// response() is the server's line as received (empty when the error is not a reply).
class NNTPError : public std::runtime_error {
 public:
  NNTPError(const std::string& what, std::string response)
      : std::runtime_error(what), response_(std::move(response)) {}
  const std::string& response() const noexcept { return response_; }

 private:
  std::string response_;
};

/// A reply with an unexpected code (GROUP answered by anything but 211).
class NNTPReplyError : public NNTPError {
 public:
  using NNTPError::NNTPError;
};
/// A 4xx reply.
class NNTPTemporaryError : public NNTPError {
 public:
  using NNTPError::NNTPError;
};
/// A 5xx reply.
class NNTPPermanentError : public NNTPError {
 public:
  using NNTPError::NNTPError;
};
/// A reply whose first character is not 1-5.
class NNTPProtocolError : public NNTPError {
 public:
  using NNTPError::NNTPError;
};
/// Data that cannot be right: a line too long, a block too large, a bad OVER line or DATE.
class NNTPDataError : public NNTPError {
 public:
  using NNTPError::NNTPError;
};

}  // namespace soket::proto::nntp
