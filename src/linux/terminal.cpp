// SPDX-License-Identifier: MIT
#include "linux/terminal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include <soket/owned_fd.hpp>

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

namespace {

// What the signal handler needs: plain globals, as only async-signal-safe calls may use them.
constexpr int restoring_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
int no_echo_fd = -1;
termios no_echo_saved{};
struct sigaction no_echo_previous[4]{};

void restore_and_reraise(int sig) {
  ::tcsetattr(no_echo_fd, TCSANOW, &no_echo_saved);
  for (std::size_t i = 0; i < 4; ++i)
    if (restoring_signals[i] == sig) ::sigaction(sig, &no_echo_previous[i], nullptr);
  ::raise(sig);
}

}  // namespace

NoEcho::NoEcho(int fd) noexcept {
  if (no_echo_fd != -1 || ::tcgetattr(fd, &no_echo_saved) != 0) return;
  no_echo_fd = fd;
  struct sigaction action {};
  action.sa_handler = restore_and_reraise;
  ::sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < 4; ++i)
    ::sigaction(restoring_signals[i], &action, &no_echo_previous[i]);
  termios quiet = no_echo_saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;  // the Enter still moves to the next line
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  active_ = true;
}

NoEcho::~NoEcho() {
  if (!active_) return;
  ::tcsetattr(no_echo_fd, TCSAFLUSH, &no_echo_saved);
  for (std::size_t i = 0; i < 4; ++i)
    ::sigaction(restoring_signals[i], &no_echo_previous[i], nullptr);
  no_echo_fd = -1;
}

std::optional<std::string> read_line_without_echo(std::string_view prompt) {
  const OwnedFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.get() < 0 || !is_terminal(tty.get())) return std::nullopt;
  const NoEcho quiet(tty.get());  // before the prompt: typing may start as soon as it shows
  if (::write(tty.get(), prompt.data(), prompt.size()) < 0) return std::nullopt;
  std::string line;
  for (char c = 0;;) {
    const ssize_t n = ::read(tty.get(), &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0 || c == '\n') break;
    line += c;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::pair<std::uint16_t, std::uint16_t>> window_size(int fd) noexcept {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return std::nullopt;
  return std::make_pair(ws.ws_col, ws.ws_row);
}

}  // namespace soket::sys
