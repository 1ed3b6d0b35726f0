// SPDX-License-Identifier: MIT
// ForkingServer helpers: fork a request's child, reap children.
#include <soket/server/forking.hpp>

#include <pthread.h>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <soket/error.hpp>

#include "deadline.hpp"
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
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
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

std::size_t stop_children(std::set<pid_t>& pids, std::chrono::nanoseconds drain) {
  std::error_code ec;
  for (pid_t pid : pids) sys::kill(pid, SIGTERM, ec);
  const auto deadline = soket::detail::deadline_after(drain);
  // Poll rather than block: a child that ignores SIGTERM must not hold the stop past drain.
  for (;;) {
    collect_children(pids, 0, false);
    if (pids.empty() || soket::detail::time_left(deadline).count() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::size_t killed = pids.size();
  for (pid_t pid : pids) sys::kill(pid, SIGKILL, ec);
  collect_children(pids, 0, true);
  return killed;
}

}  // namespace soket::server::detail
