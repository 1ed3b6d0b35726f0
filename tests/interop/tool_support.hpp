// SPDX-License-Identifier: MIT
// What the tests of the soket tool share: the built program, one run of it with everything it
// printed, and a `soket serve` child whose port is read from its "Listening on ('127.0.0.1',
// PORT)" line.
#pragma once

#include <chrono>
#include <csignal>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/support.hpp"

namespace soket::test {

inline std::string soket_tool() {
  return built_program("tools/soket");
}

struct ToolRun {
  int status;  // -1 if it did not end within the wait
  std::string out, err;
};

/// Runs `soket ARGS...` with `input` on stdin (then EOF) and collects everything it prints.
inline ToolRun run_tool(std::vector<std::string> args, const std::string& input = "",
                        std::chrono::seconds wait = std::chrono::seconds(60)) {
  args.insert(args.begin(), soket_tool());
  Child c(args);
  if (!input.empty()) c.write_stdin(input);
  c.close_stdin();
  ToolRun r;
  r.out = c.read_all(wait);
  r.err = c.read_stderr(std::chrono::seconds(10));
  r.status = c.wait(wait);
  return r;
}

/// The port in a server's "Listening on ('127.0.0.1', PORT)" line (its address as Python's
/// socketserver prints it); 0 when the line names none.
inline std::uint16_t listening_port(const std::string& line) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex(R"(, (\d+)\)$)"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

/// A server child's first stderr line and the port it names; throws, naming `what`, when the
/// child printed nothing.
struct Listening {
  std::string line;
  std::uint16_t port = 0;
};
inline Listening read_listening(Child& child, const std::string& what) {
  auto line = child.read_err_line();
  if (!line) throw std::runtime_error(what + " printed nothing: " + child.read_stderr());
  return {*line, listening_port(*line)};
}

/// `soket serve ARGS...` on an ephemeral port; stop() sends SIGTERM and returns the exit status.
struct ServedByTool {
  explicit ServedByTool(std::vector<std::string> args) : child(argv(std::move(args))) {
    Listening l = read_listening(child, "soket serve");
    listening = l.line;
    port = l.port;
  }
  static std::vector<std::string> argv(std::vector<std::string> args) {
    args.insert(args.begin(), {soket_tool(), "serve"});
    return args;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  int stop() {
    child.signal(SIGTERM);
    return child.wait();
  }
  Child child;
  std::string listening;
  std::uint16_t port = 0;
};

}  // namespace soket::test
