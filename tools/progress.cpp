// SPDX-License-Identifier: MIT
#include "progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace soket::tools {
namespace {

constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr int bar_width = 20;

}  // namespace

bool Progress::terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) == 1 && !(term && std::strcmp(term, "dumb") == 0);
}

std::string Progress::bytes(double n) {
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (n >= 1024 && u < 4) n /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", n, units[u]);
  return buf;
}

std::string Progress::duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 360000) return "--:--";
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

Progress::Progress(std::string label, std::uint64_t total, std::uint64_t start, bool enabled)
    : label_(std::move(label)),
      total_(total),
      start_(start),
      done_(start),
      on_(enabled && terminal()),
      colour_(on_ && !std::getenv("NO_COLOR")),
      began_(std::chrono::steady_clock::now()),
      last_(began_ - redraw_every) {}

Progress::~Progress() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void Progress::update(std::uint64_t done) {
  done_ = done;
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < redraw_every) return;
  last_ = now;
  draw(false);
}

void Progress::finish() {
  if (!on_) return;
  draw(true);
  std::fputc('\n', stderr);
  drawn_ = false;
}

void Progress::draw(bool final) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count();
  double moved = static_cast<double>(done_ - start_);
  double rate = elapsed > 0 ? moved / elapsed : 0;
  double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : NAN;
  int filled = static_cast<int>(fraction * bar_width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(bar_width - filled), ' ');
  std::fprintf(stderr, "\r\033[K%s %s[%s]%s %3.0f%% %s / %s  %s/s  %s %s", label_.c_str(),
               colour_ ? "\033[32m" : "", bar.c_str(), colour_ ? "\033[0m" : "", fraction * 100,
               bytes(static_cast<double>(done_)).c_str(),
               bytes(static_cast<double>(total_)).c_str(), bytes(rate).c_str(),
               final ? "in" : "ETA", duration(final ? elapsed : eta).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace soket::tools
