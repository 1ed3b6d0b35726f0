// SPDX-License-Identifier: MIT
// FileSplicer: a connection's file region goes to its socket on the uring poller's ring, as
// IORING_OP_SPLICE file -> pipe linked to IORING_OP_SPLICE pipe -> socket. The kernel runs the
// file's side in its io-wq workers, so a cold file's disk read never blocks the loop thread
// (sendfile(2) would, on that thread). Internal: never installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "linux/uring_poller.hpp"

namespace soket::event {
class Watcher;
}

namespace soket::sys {

/// One per uring poller, made on the first file. A transfer (one connection's file region)
/// holds a pipe from a small pool (at most max_pipes in use; past that the caller falls back to
/// sendfile(2)) and its own duplicates of the file and socket descriptors, so a request the
/// kernel runs late (io-wq resolves a splice's descriptors when it runs it) never reaches a
/// descriptor number the application or the engine closed and reused meanwhile. A connection
/// without a file queued holds nothing. Each step's result goes
/// to the watcher's handle_sent: bytes that reached the socket (> 0), 0 "go on now" (the file
/// read was short, or this file cannot be spliced: sendfile(2) next), -EAGAIN the socket is
/// full, -EIO the file ended before the region did, other -errno a failure.
/// Loop thread only.
class FileSplicer final : public RingClient {
 public:
  explicit FileSplicer(UringPoller& poller);
  ~FileSplicer();
  FileSplicer(const FileSplicer&) = delete;
  FileSplicer& operator=(const FileSplicer&) = delete;

  /// Queues the next step of sending [offset, offset + len) of `file_fd` to `w`'s socket
  /// (offset: the first byte the socket has not had; bytes already in w's pipe go first).
  /// 1: queued, its result comes to w.handle_sent; 0: not on the ring (no pipe free, or this
  /// file cannot be spliced): send it with sendfile(2); -errno: the ring failed (bytes of the
  /// file may be in the pipe, so sendfile(2) would send them out of order).
  int queue(event::Watcher& w, int file_fd, std::uint64_t offset, std::size_t len) noexcept;
  /// `w` is going away: its results are dropped and its pipe, with whatever of its file is
  /// left in it, is closed when its requests are done.
  void forget(const event::Watcher& w) noexcept;

  void on_completion(std::uint32_t tag, int res, std::uint32_t flags) noexcept override;
  void on_batch_end() noexcept override {}

  static constexpr std::size_t max_pipes = 64;
  static constexpr std::size_t max_idle_pipes = 8;  // kept open for the next files
  static constexpr int pipe_size = 256 << 10;       // one step's bytes at most

 private:
  struct Pipe {
    int read = -1, write = -1;
    std::size_t capacity = 0;
  };
  struct Transfer {
    event::Watcher* owner = nullptr;  // nullptr: free, or forgotten while in the kernel
    Pipe pipe;
    std::size_t in_pipe = 0;   // read from the file, not yet in the socket
    std::size_t left = 0;      // of the region, not yet in the socket
    int file_fd = -1;          // the caller's descriptor (names the region)...
    int file = -1, sock = -1;  // ...and our duplicates, which the requests use
    int read_res = 0, send_res = 0;
    std::uint8_t pending = 0;  // requests of this step in the kernel
    bool reading = false;      // this step reads from the file
    bool used = false;
  };

  Transfer* find(const event::Watcher& w) noexcept;
  bool take_pipe(Pipe& p) noexcept;
  void put_pipe(Pipe& p, bool clean) noexcept;
  void finish(std::size_t index) noexcept;
  void release(Transfer& t) noexcept;

  UringPoller& poller_;
  std::uint32_t id_;
  std::vector<Transfer> transfers_;  // by index: the tag of their requests
  std::vector<Pipe> idle_;           // empty pipes for the next transfers
  std::size_t in_use_ = 0;
  // Files splice refused (a file system without splice_read): sendfile(2) for their watcher.
  std::vector<std::pair<const event::Watcher*, int>> unspliceable_;
};

}  // namespace soket::sys
