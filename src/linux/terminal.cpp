// SPDX-License-Identifier: MIT
#include "linux/terminal.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace soket::sys {

struct RawTerminal::Saved {
  termios settings;
};

bool is_terminal(int fd) noexcept {
  return ::isatty(fd) == 1;
}

RawTerminal::RawTerminal(int fd) noexcept : fd_(fd) {
  termios t{};
  if (::tcgetattr(fd, &t) != 0) return;
  auto saved = std::unique_ptr<Saved>(new (std::nothrow) Saved{t});
  if (!saved) return;
  ::cfmakeraw(&t);
  if (::tcsetattr(fd, TCSAFLUSH, &t) != 0) return;
  saved_ = std::move(saved);
}

RawTerminal::~RawTerminal() {
  if (saved_) ::tcsetattr(fd_, TCSAFLUSH, &saved_->settings);
}

std::optional<std::pair<std::uint16_t, std::uint16_t>> window_size(int fd) noexcept {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return std::nullopt;
  return std::make_pair(ws.ws_col, ws.ws_row);
}

}  // namespace soket::sys
