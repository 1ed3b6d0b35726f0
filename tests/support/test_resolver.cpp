// SPDX-License-Identifier: MIT
#include "support/test_resolver.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace soket::test {
namespace {

constexpr const char* env_name = "SOKET_IN_TEST_RESOLVER";

// A DNS server on 127.0.0.1:53 (UDP and TCP) answering NXDOMAIN to every query, with the
// question echoed. Prints "ready" once it listens.
constexpr const char* responder = R"PY(
import os, socket, threading
def answer(q):
    if len(q) < 12:
        return None
    end = 12
    while end < len(q) and q[end] != 0:
        end += 1 + q[end]
    end += 5  # the root label, QTYPE, QCLASS
    flags = bytes([0x80 | (q[2] & 0x79), 0x80 | 3])  # QR, opcode and RD kept, RA, NXDOMAIN
    return q[:2] + flags + b'\x00\x01' + b'\x00' * 6 + q[12:end]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(('127.0.0.1', 53))
t.listen()
def tcp():
    while True:
        c, _ = t.accept()
        with c:
            data = c.recv(4096)
            r = answer(data[2:])
            if r:
                c.sendall(len(r).to_bytes(2, 'big') + r)
threading.Thread(target=tcp, daemon=True).start()
os.write(1, b'ready\n')  # one write: the reader may close the pipe right after
while True:
    q, peer = u.recvfrom(4096)
    r = answer(q)
    if r:
        u.sendto(r, peer)
)PY";

bool bring_lo_up() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  ::close(fd);
  return ok;
}

// In the forked child: namespaces, resolv.conf, responder, then exec of this test alone.
// Only system calls after fork(): the parent may have other threads (no malloc here).
[[noreturn]] void enter_and_exec(const char* filter_arg, char* const* env, const char* python) {
  if (::unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) ::_exit(no_namespaces);
  // Our mounts must not leak into the parent namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(no_namespaces);
  if (!bring_lo_up()) ::_exit(3);
  char conf[] = "/tmp/soket-resolv-XXXXXX";
  int fd = ::mkstemp(conf);
  if (fd < 0) ::_exit(4);
  const char text[] = "nameserver 127.0.0.1\noptions timeout:2 attempts:2\n";
  if (::write(fd, text, sizeof text - 1) != static_cast<ssize_t>(sizeof text - 1)) ::_exit(4);
  ::close(fd);
  const bool mounted = ::mount(conf, "/etc/resolv.conf", nullptr, MS_BIND, nullptr) == 0;
  ::unlink(conf);  // the mount keeps the file alive
  if (!mounted) ::_exit(5);

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) ::_exit(6);
  const pid_t parent = ::getpid();
  pid_t dns = ::fork();
  if (dns < 0) ::_exit(6);
  if (dns == 0) {
    // Dies with the test process (the exec below keeps this pid).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(0);
    ::dup2(ready[1], STDOUT_FILENO);
    ::execl(python, python, "-c", responder, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(ready[1]);
  pollfd p{ready[0], POLLIN, 0};
  char buf[8] = {};
  if (::poll(&p, 1, 20000) != 1 || ::read(ready[0], buf, sizeof buf) < 5 ||
      std::strncmp(buf, "ready", 5) != 0)
    ::_exit(7);
  ::close(ready[0]);
  const char* argv[] = {"test", filter_arg, nullptr};
  ::execve("/proc/self/exe", const_cast<char* const*>(argv), env);
  ::_exit(127);
}

}  // namespace

bool in_test_resolver() {
  return std::getenv(env_name) != nullptr;
}

int rerun_with_test_resolver() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string filter =
      std::string("--gtest_filter=") + info->test_suite_name() + "." + info->name();
  std::string marker = std::string(env_name) + "=1";
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) env.push_back(*e);
  env.push_back(marker.data());
  env.push_back(nullptr);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) enter_and_exec(filter.c_str(), env.data(), SOKET_PYTHON);
  // Bounded wait: a test that hangs in there is killed and reported.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace soket::test
