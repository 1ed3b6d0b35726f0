// SPDX-License-Identifier: MIT
// What every example shares: reading [host] [port] from the command line, and leaving cleanly
// on Ctrl-C. Kept small on purpose: the examples are for reading.
#pragma once

#include <pthread.h>
#include <unistd.h>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

namespace examples {

/// argv[1] is the host (default 127.0.0.1: servers stay on loopback unless told otherwise),
/// argv[2] the port (default 12345, the documents' port; 0 lets the kernel choose).
struct HostPort {
  std::string host = "127.0.0.1";
  std::uint16_t port = 12345;
};

inline HostPort host_port(int argc, char** argv) {
  HostPort hp;
  if (argc > 1) hp.host = argv[1];
  if (argc > 2) {
    char* end = nullptr;
    long port = std::strtol(argv[2], &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
      std::cerr << argv[0] << ": bad port '" << argv[2] << "' (0-65535)\n";
      std::exit(2);
    }
    hp.port = static_cast<std::uint16_t>(port);
  }
  return hp;
}

/// Ctrl-C (SIGINT) or SIGTERM ends the server at once with status 0. A blocked accept() cannot
/// be resumed meaningfully, and the kernel closes every socket on exit. `unlink_path`, if
/// given, is a Unix socket file to remove first (it must outlive the program).
inline void exit_on_interrupt(const char* unlink_path = nullptr) {
  static const char* path = nullptr;
  path = unlink_path;
  struct sigaction sa {};
  sa.sa_handler = [](int) {
    if (path) ::unlink(path);  // async-signal-safe, as are write() and _exit()
    const char msg[] = "\nserver stopped\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(0);
  };
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

/// For servers that run threads: Ctrl-C (SIGINT) or SIGTERM calls `stop` (e.g. the server's
/// shutdown()) on a thread of its own, so the server ends through its own API and joins its
/// threads. Call it before starting any other thread: they inherit the blocked signals. Keep
/// the returned thread in a variable declared after the server: it is joined first, so the
/// server outlives the shutdown() call still returning on that thread.
[[nodiscard]] inline std::jthread on_interrupt(std::function<void()> stop) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Wait in short slices so that the thread also ends when it is destroyed without a signal
  // (e.g. the server threw): std::jthread's destructor requests a stop, then joins.
  return std::jthread([signals, stop = std::move(stop)](std::stop_token token) {
    const timespec slice{0, 200'000'000};
    while (!token.stop_requested()) {
      if (sigtimedwait(&signals, nullptr, &slice) > 0) {
        stop();
        return;
      }
    }
  });
}

}  // namespace examples
