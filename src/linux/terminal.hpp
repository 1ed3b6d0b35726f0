// SPDX-License-Identifier: MIT
// The terminal (termios): raw mode for interactive clients (telnet's interact), restored by
// the guard's destructor on every exit path, and the window size. Internal: never installed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace soket::sys {

/// Whether fd is a terminal (isatty).
bool is_terminal(int fd) noexcept;

/// Puts a terminal in raw mode (cfmakeraw) for its lifetime; the settings found are put back
/// by the destructor. On a descriptor that is not a terminal it does nothing.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) noexcept;
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  bool active() const noexcept { return saved_ != nullptr; }

 private:
  int fd_;
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

/// Turns echo off on a terminal for its lifetime (a password prompt). The settings found are
/// put back by the destructor, and also when SIGINT, SIGTERM, SIGHUP or SIGQUIT arrives
/// meanwhile: the handler restores the terminal, puts the previous disposition back and raises
/// the signal again, so it then does what it would have done. One at a time per process.
class NoEcho {
 public:
  explicit NoEcho(int fd) noexcept;
  ~NoEcho();
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;
  bool active() const noexcept { return active_; }

 private:
  bool active_ = false;
};

/// Opens the controlling terminal (/dev/tty), writes `prompt`, reads one line under NoEcho and
/// returns it without its line end; std::nullopt when there is no terminal or it fails.
std::optional<std::string> read_line_without_echo(std::string_view prompt);

/// The terminal's (columns, rows), or nullopt when fd is not a terminal.
std::optional<std::pair<std::uint16_t, std::uint16_t>> window_size(int fd) noexcept;

}  // namespace soket::sys
