// SPDX-License-Identifier: MIT
// ServeLog: a bounded queue of lines and a writer thread that polls before writing.
#include "serve_log.hpp"

#include <poll.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>
#include <vector>

namespace soket::tools {
namespace {

constexpr std::size_t max_peers = 1024;
constexpr std::size_t summary_peers = 10;

enum class Wrote { all, closed, timed_out };

// Writes `data` to `fd` before `deadline`, never blocking past it: wait until writable, then
// write at most PIPE_BUF bytes (a pipe with room for one page takes that much at once).
Wrote write_before(int fd, std::string_view data, std::chrono::steady_clock::time_point deadline) {
  while (!data.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLOUT, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(left.count(), 0, 100)));
    if (ready < 0 && errno != EINTR) return Wrote::closed;
    if (ready > 0) {
      if (p.revents & (POLLERR | POLLNVAL)) return Wrote::closed;
      ssize_t n = ::write(fd, data.data(), std::min<std::size_t>(data.size(), PIPE_BUF));
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno != EINTR && errno != EAGAIN) return Wrote::closed;
    }
    if (left.count() <= 0) return Wrote::timed_out;
  }
  return Wrote::all;
}

}  // namespace

ServeLog::ServeLog() : pid_(::getpid()), writer_([this] { write_loop(); }) {}

ServeLog::~ServeLog() {
  datagram_summary();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  writer_.join();
  if (dropped_ > 0) {
    std::string line = "soket serve: " + std::to_string(dropped_) +
                       " log lines dropped (the log could not keep up)\n";
    write_before(2, line, Clock::now() + std::chrono::milliseconds(100));
  }
}

void ServeLog::push(int fd, std::string line) {
  line += '\n';
  if (::getpid() != pid_) {  // a forked child: no writer thread here
    write_before(fd, line, Clock::now());
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (closed_[fd] || queued_bytes_ + line.size() > max_queued) {
      ++dropped_;
      return;
    }
    queued_bytes_ += line.size();
    queue_.emplace_back(fd, std::move(line));
  }
  ready_.notify_one();
}

void ServeLog::write_loop() {
  // Once stopping, what is queued gets one more second in all.
  std::optional<Clock::time_point> final_deadline;
  std::unique_lock lock(mutex_);
  for (;;) {
    ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_ && !final_deadline) final_deadline = Clock::now() + std::chrono::seconds(1);
    if (queue_.empty()) return;  // stopping, all written
    auto [fd, line] = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= line.size();
    if (closed_[fd]) {
      ++dropped_;
      continue;
    }
    lock.unlock();
    Wrote w = Wrote::timed_out;
    std::string_view rest = line;
    // Keep waiting for a stalled reader while serving; stop waiting at the final deadline.
    while ((w = write_before(fd, rest, Clock::now() + std::chrono::milliseconds(100))) ==
           Wrote::timed_out) {
      {
        std::lock_guard check(mutex_);
        if (stopping_ && !final_deadline) final_deadline = Clock::now() + std::chrono::seconds(1);
      }
      if (final_deadline && Clock::now() >= *final_deadline) break;
    }
    lock.lock();
    if (w == Wrote::closed) closed_[fd] = true;
    if (w != Wrote::all) {
      ++dropped_;
      if (final_deadline && Clock::now() >= *final_deadline) {
        dropped_ += queue_.size();  // out of time: drop the rest
        queue_.clear();
        queued_bytes_ = 0;
      }
    }
  }
}

void ServeLog::datagram(const Address& from) {
  std::string peer = from.repr();
  bool log_it = false;
  {
    std::lock_guard lock(mutex_);
    auto it = datagrams_.find(peer);
    if (it != datagrams_.end())
      ++it->second;
    else if (datagrams_.size() < max_peers)
      datagrams_.emplace(peer, 1);
    else
      ++other_datagrams_;
    auto now = Clock::now();
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      window_lines_ = 0;
    }
    log_it = window_lines_ < datagram_lines_per_second;
    if (log_it) ++window_lines_;
  }
  if (log_it) out("Got datagram from " + peer);
}

void ServeLog::datagram_summary() {
  std::vector<std::pair<std::size_t, std::string>> counts;
  std::size_t other = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [peer, n] : datagrams_) counts.emplace_back(n, peer);
    other = other_datagrams_;
  }
  std::sort(counts.rbegin(), counts.rend());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (i < summary_peers)
      out("Got " + std::to_string(counts[i].first) + " datagrams from " + counts[i].second);
    else
      other += counts[i].first;
  }
  if (other > 0) out("Got " + std::to_string(other) + " datagrams from other peers");
}

void ServeLog::out_of_descriptors(const std::string& what) {
  std::size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    count = ++descriptor_failures_;
    auto now = Clock::now();
    if (descriptor_logged_ != Clock::time_point{} &&
        now - descriptor_logged_ < std::chrono::seconds(1))
      return;
    descriptor_logged_ = now;
  }
  err("Out of file descriptors (" + what + "): new clients wait until some close (" +
      std::to_string(count) + " times so far)");
}

}  // namespace soket::tools
