// SPDX-License-Identifier: MIT
// ForkingServer helpers: fork a request's child, reap children.
#include <soket/server/forking.hpp>

#include <cstdio>
#include <iostream>

#include <soket/error.hpp>

#include "linux/process.hpp"

namespace soket::server::detail {

pid_t fork_child(const std::function<int()>& work) {
  // Flush first so buffered output is neither lost by _exit nor written twice.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::error_code ec;
  pid_t pid = sys::fork(ec);
  if (ec) throw_error(ec, "fork");
  if (pid != 0) return pid;
  int status = 1;
  try {
    status = work();
  } catch (...) {
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  sys::exit_now(status);  // Python: os._exit(status) — never return into the parent's loop
}

void collect_children(std::set<pid_t>& pids, std::size_t max_children, bool blocking) {
  std::error_code ec;
  // Too many children: wait for any one of them to finish (Python's max_children loop).
  while (pids.size() >= max_children && max_children > 0) {
    pid_t pid = sys::waitpid(-1, true, ec);
    if (ec) {  // ECHILD: none left at all
      pids.clear();
      break;
    }
    pids.erase(pid);
  }
  for (auto it = pids.begin(); it != pids.end();) {
    pid_t pid = sys::waitpid(*it, blocking, ec);
    if (ec || pid == *it) {
      it = pids.erase(it);  // reaped, or ECHILD: already gone
    } else {
      ++it;
    }
  }
}

}  // namespace soket::server::detail
