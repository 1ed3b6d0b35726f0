// SPDX-License-Identifier: MIT
// Telnet::interact(): the terminal bridged to the connection (telnetlib's interact), with the
// terminal in raw mode while it runs so keys reach the server as typed (the server echoes).
#include <soket/error.hpp>
#include <soket/proto/telnet/telnet.hpp>

#include "linux/file.hpp"
#include "linux/poll.hpp"
#include "linux/signals.hpp"
#include "linux/terminal.hpp"

namespace soket::proto::telnet {
namespace {

constexpr int stdin_fd = 0;
constexpr int stdout_fd = 1;

void write_out(std::string_view data) {
  sys::NoSigpipe no_sigpipe;  // a closed stdout is an error here, not a signal
  while (!data.empty()) {
    std::error_code ec;
    const auto n = sys::write_some(stdout_fd, data.data(), data.size(), ec);
    if (ec == std::errc::interrupted) continue;
    if (ec) throw_error(ec, "telnet interact: write to stdout");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// In raw mode Enter gives a lone CR; the NVT end of line is CR LF (RFC 854).
std::string from_terminal(std::string_view keys) {
  std::string out;
  for (char c : keys) {
    out += c;
    if (c == '\r') out += '\n';
  }
  return out;
}

}  // namespace

void Telnet::interact() {
  const bool tty = sys::is_terminal(stdin_fd);
  if (tty) {
    if (auto size = sys::window_size(stdout_fd)) set_window_size(size->first, size->second);
  }
  sys::RawTerminal raw(stdin_fd);  // restored by its destructor, whatever ends the loop
  bool stdin_open = true;
  std::vector<sys::ReadyFd> ready;
  for (;;) {
    // Data already cooked (read_until before interact) goes out first.
    std::string pending = read_lazy_noexcept();
    if (!pending.empty()) write_out(pending);
    std::vector<sys::ReadyFd> interest{{sock_.fileno(), sys::ready_read}};
    if (stdin_open) interest.push_back({stdin_fd, sys::ready_read});
    std::error_code ec;
    ready.clear();
    sys::poll(interest, ready, -1, ec);
    if (ec == std::errc::interrupted) continue;
    if (ec) throw_error(ec, "telnet interact: poll");
    for (const auto& r : ready) {
      if (r.fd == stdin_fd) {
        char buf[4096];
        const auto n = sys::read_at(stdin_fd, buf, sizeof buf, nullptr, ec);
        if (ec == std::errc::interrupted) continue;
        if (ec) throw_error(ec, "telnet interact: read stdin");
        if (n == 0) {
          // End of input: the server sees our half-close and its last words still arrive.
          stdin_open = false;
          sock_.shutdown(Shut::wr);
          continue;
        }
        const std::string_view keys(buf, static_cast<std::size_t>(n));
        write(tty ? from_terminal(keys) : std::string(keys));
      } else {
        fill_rawq();
        process_rawq();
        std::string data = take(cookedq_.size());
        if (!data.empty()) write_out(data);
        if (eof_) {
          if (tty) write_out("\r\n*** Connection closed by remote host ***\r\n");
          return;
        }
      }
    }
  }
}

std::string Telnet::read_lazy_noexcept() {
  process_rawq();
  return take(cookedq_.size());
}

}  // namespace soket::proto::telnet
