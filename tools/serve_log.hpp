// SPDX-License-Identifier: MIT
// ServeLog: the serve command's log lines, written so that a log nobody reads (closed,
// stalled, slow) never blocks or kills the server.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <soket/address.hpp>

namespace soket::tools {

/// Serving threads only queue lines (bounded: beyond max_queued bytes a line is dropped and
/// counted); one thread writes them, waiting for the output to be writable (poll) and writing
/// at most PIPE_BUF bytes at a time, so it never blocks for long. A closed output drops its
/// lines. The destructor writes what is queued for at most a second more and reports on
/// stderr how many lines were dropped. In a forked child (no writer thread there) lines are
/// written at once if the output is writable, else dropped.
/// Needs SIGPIPE ignored (a reader that left is a write error, not a death). Thread-safe.
class ServeLog {
 public:
  static constexpr std::size_t max_queued = 1 << 20;
  static constexpr int datagram_lines_per_second = 10;

  ServeLog();
  ~ServeLog();
  ServeLog(const ServeLog&) = delete;
  ServeLog& operator=(const ServeLog&) = delete;

  /// A line (without '\n') for stdout / stderr.
  void out(std::string line) { push(1, std::move(line)); }
  void err(std::string line) { push(2, std::move(line)); }
  /// One datagram from `from`: a line at most datagram_lines_per_second times a second; each
  /// peer's datagrams are counted and the counts logged at the end (a flood is a few lines).
  void datagram(const Address& from);
  /// A client left waiting because the process is out of descriptors (`what` says which
  /// call failed): logged at most once a second, with the count so far.
  void out_of_descriptors(const std::string& what);

 private:
  using Clock = std::chrono::steady_clock;
  void push(int fd, std::string line);
  void write_loop();
  void datagram_summary();

  const pid_t pid_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<int, std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t dropped_ = 0;
  bool closed_[3] = {false, false, false};  // by fd: the reader has gone
  bool stopping_ = false;

  // Rate limits (under mutex_).
  Clock::time_point window_start_{};
  int window_lines_ = 0;
  std::map<std::string, std::size_t> datagrams_;  // by peer, at most max_peers
  std::size_t other_datagrams_ = 0;               // from peers beyond max_peers
  std::size_t descriptor_failures_ = 0;
  Clock::time_point descriptor_logged_{};

  std::thread writer_;
};

}  // namespace soket::tools
