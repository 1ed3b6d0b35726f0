// SPDX-License-Identifier: MIT
// What every example shares: reading [host] [port] from the command line, and leaving cleanly
// on Ctrl-C. Kept small on purpose: the examples are for reading.
#pragma once

#include <unistd.h>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

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

/// Ctrl-C (SIGINT), SIGTERM or SIGHUP ends the server at once with status 0. A blocked accept()
/// cannot be resumed meaningfully, and the kernel closes every socket on exit. (Servers that run
/// threads use soket::server::StopSignals instead: see socketserver/serverku2_threading.cpp.)
/// `unlink_path`, if given, is a Unix socket file to remove first (it must outlive the program).
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
  ::sigaction(SIGHUP, &sa, nullptr);  // the terminal closed: the same clean exit
}

}  // namespace examples
