// SPDX-License-Identifier: MIT
// Test helpers shared by every test: ephemeral ports, socket pairs, temporary Unix paths,
// descriptor-leak checks and child processes (Python peers, example programs).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <soket/soket.hpp>

namespace soket::test {

/// A listening TCP socket on `host` port 0 (the kernel picks a free port; never a fixed one,
/// never SO_REUSEADDR: CPython's bind_port).
Socket listen_ephemeral(Family family = Family::inet, std::string_view host = "127.0.0.1");

/// The what() of the exception `fn` throws, or "(no error)": for checking error messages.
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

/// A TCP port on 127.0.0.1 where nothing listens: bound once, then closed.
std::uint16_t closed_port();

/// A connected TCP pair over loopback: {client, server side}.
std::pair<Socket, Socket> loopback_pair(Family family = Family::inet);

/// A listener that never accepts, its accept queue full: Linux drops further SYNs, so a
/// connect to it stays in progress until the connector's own timeout. The loopback way to
/// provoke a connect timeout without an unreachable network.
class FullBacklog {
 public:
  FullBacklog();
  Address address() const { return listener_.getsockname(); }

 private:
  Socket listener_{Family::inet};
  std::vector<Socket> fillers_;
};

/// A fresh path for a Unix socket in a private temporary directory, removed with it.
class TempUnixPath {
 public:
  TempUnixPath();
  ~TempUnixPath();
  TempUnixPath(const TempUnixPath&) = delete;
  TempUnixPath& operator=(const TempUnixPath&) = delete;
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, path_;
};

/// Counts open descriptors (/proc/self/fd) at construction; leaked() says how many more are
/// open now.
class FdLeakGuard {
 public:
  FdLeakGuard();
  int leaked() const;
  static int count_open();

 private:
  int before_;
};

/// A child process with its stdin/stdout/stderr on pipes. The destructor kills it (by its PID)
/// if it still runs, and reaps it.
class Child {
 public:
  explicit Child(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  /// Writes to the child's stdin; close_stdin() sends EOF.
  void write_stdin(std::string_view data);
  void close_stdin();
  /// Reads one line of stdout (without '\n'); std::nullopt at EOF or after `timeout`.
  std::optional<std::string> read_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// The same for stderr.
  std::optional<std::string> read_err_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// Reads stdout to EOF (bounded by `timeout`).
  std::string read_all(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::string read_stderr(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Sends `sig` to the child.
  void signal(int sig);
  /// Waits for exit; returns the exit status (128+signal if killed), or -1 after `timeout`.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_, err_buf_;
  int status_ = -1;
};

/// Runs Python 3 with `code` as a script (argv[1...] = args) as a Child.
std::vector<std::string> python_argv(const std::string& code, std::vector<std::string> args = {});

/// Whether `program` is on PATH: a peer the test needs (it skips without one).
bool have(std::string_view program);

/// Runs `argv` to its end (60 s at most) and returns its stdout. With `status`, the exit status
/// goes there; without, a non-zero status fails the test (with the child's stderr).
std::string run(std::vector<std::string> argv, int* status = nullptr);

/// Path of a program built in this tree (examples/, tools/).
std::string built_program(const std::string& relative);

}  // namespace soket::test
