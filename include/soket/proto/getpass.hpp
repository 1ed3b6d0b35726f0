// SPDX-License-Identifier: MIT
// Python's getpass.getpass for the clients' tools: a password typed on the terminal, never
// echoed, the terminal put back on every exit path (signals included).
#pragma once

#include <optional>
#include <string>

namespace soket::proto {

/// Python: getpass.getpass(prompt): writes `prompt` to the controlling terminal (/dev/tty),
/// turns echo off, reads one line, restores the terminal (also when SIGINT, SIGTERM, SIGHUP
/// or SIGQUIT ends the wait) and returns the line without its newline. std::nullopt when the
/// process has no terminal (Python would fall back to stdin with a warning: a tool should
/// say where else the password can come from instead).
std::optional<std::string> getpass(const std::string& prompt = "Password: ");

}  // namespace soket::proto
