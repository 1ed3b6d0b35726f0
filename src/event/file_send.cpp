// SPDX-License-Identifier: MIT
// A connection's queued file region on the poller's ring (the completion model, io_uring):
// the poller splices it file -> pipe -> socket in steps (linux/uring_splice.hpp), so reading a
// cold file never blocks the loop thread. Connection::flush falls back to sendfile(2) when the
// poller cannot (no pipe free, a file that cannot be spliced).
#include <cerrno>

#include <soket/event/connection.hpp>
#include <soket/event/loop.hpp>

#include "event/connection_manager.hpp"
#include "event/poller.hpp"

namespace soket::event {

bool Connection::send_file_on_ring() {
  detail::Output& o = *out_;
  int r = manager_->loop().poller().queue_file(*this, o.file_fd, o.file_offset, o.file_left);
  if (r == 0) return false;
  if (r < 0) {
    close_with({-r, std::system_category()});
    return true;
  }
  ring_send_ = true;  // the step is the kernel's: flush waits for handle_sent
  return true;
}

void Connection::file_sent(int result) {
  detail::Output& o = *out_;
  if (result == -EAGAIN) return after_write();  // the socket is full: flush when writable
  if (result < 0) return close_with({-result, std::system_category()});
  auto sent = static_cast<std::size_t>(result);
  o.file_offset += sent;
  o.file_left -= std::min(sent, o.file_left);
  if (o.file_left == 0) o.file_fd = -1;
  if (o.buf.empty() && o.file_fd < 0) {
    manager_->give_output(out_);
    out_ = nullptr;
  }
  // The next step, the bytes queued after the file, or (all sent) after_write's end.
  flush();
}

}  // namespace soket::event
