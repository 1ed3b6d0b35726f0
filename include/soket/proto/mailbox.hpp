// SPDX-License-Identifier: MIT
// Python's mailbox.mbox and mailbox.Maildir, for adding fetched messages durably: add()
// returns only once the whole message is on disk (fsync'd), and a failure part-way leaves no
// half message behind — what a mail fetcher needs before it deletes the server's copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <soket/owned_fd.hpp>

namespace soket::proto::mailbox {

/// Python: mailbox.mbox(path).add(message): appends "From MAILER-DAEMON <asctime>", the
/// message with its lines starting "From " quoted as ">From " (as Python), and a blank line
/// between messages. Lines end in LF (CRLF from the wire becomes LF). The file is created
/// (0600) when missing; a symlink is refused. A failed write truncates the file back to its
/// size before add(). No dot-locking: one writer at a time (Python locks only when asked).
/// Errors are soket::Error naming the path.
class mbox {
 public:
  explicit mbox(std::string path);
  /// Appends one message and fsyncs; returns its offset in the file (Python's key is a number).
  std::uint64_t add(std::string_view message);
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  OwnedFd fd_;
};

/// Python: mailbox.Maildir(dirname, create=True).add(message): writes tmp/<unique>, fsyncs,
/// renames it into new/ and fsyncs new/: the message appears in new/ whole or not at all.
/// Lines end in LF. The unique name is Python's "<time>.M<usec>P<pid>Q<n>.<hostname>".
class Maildir {
 public:
  explicit Maildir(std::string dirname, bool create = true);
  /// Adds one message; returns its key (the file name in new/).
  std::string add(std::string_view message);
  const std::string& dirname() const noexcept { return dirname_; }

 private:
  std::string dirname_;
  OwnedFd dir_, tmp_, new_;
  unsigned count_ = 0;
};

/// The message with every CRLF made LF (mailbox files are Unix text).
std::string lf_lines(std::string_view message);

}  // namespace soket::proto::mailbox
