// SPDX-License-Identifier: MIT
// The terminal (termios): raw mode for interactive clients (telnet's interact), restored by
// the guard's destructor on every exit path, and the window size. Internal: never installed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
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

/// The terminal's (columns, rows), or nullopt when fd is not a terminal.
std::optional<std::pair<std::uint16_t, std::uint16_t>> window_size(int fd) noexcept;

}  // namespace soket::sys
