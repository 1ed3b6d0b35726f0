// SPDX-License-Identifier: MIT
// Progress: one line on stderr that redraws itself — bytes, percentage, rate and ETA — shown
// only when stderr is a terminal (a log or a pipe gets nothing), coloured unless NO_COLOR.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace soket::tools {

class Progress {
 public:
  /// `label` names the item (a file name); `total` bytes are expected, `start` of them already
  /// there (a resumed transfer: the rate counts only what moved now). `enabled` false draws
  /// nothing (--quiet); otherwise only a terminal on stderr gets the line.
  Progress(std::string label, std::uint64_t total, std::uint64_t start, bool enabled);
  /// Clears the line if it was drawn.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// `done` bytes of `total` are there; redraws at most 10 times a second.
  void update(std::uint64_t done);
  /// Draws the final state and ends the line.
  void finish();

  /// Whether the line would be drawn: stderr is a terminal and TERM is not "dumb".
  static bool terminal();
  /// "1.5 GiB", "512.0 KiB", "12 B".
  static std::string bytes(double n);
  /// "0:07", "1:02:03"; "--:--" when unknown.
  static std::string duration(double seconds);

 private:
  void draw(bool final);

  std::string label_;
  std::uint64_t total_, start_, done_;
  bool on_, colour_, drawn_ = false;
  std::chrono::steady_clock::time_point began_, last_;
};

}  // namespace soket::tools
