// SPDX-License-Identifier: MIT
// Address::repr() against Python's repr of the very same kernel socket, byte for byte: soket
// binds, Python receives the descriptor and prints repr(sock.getsockname()).
#include <soket/address.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <soket/error.hpp>
#include <soket/socket.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::Child;
using soket::test::python_argv;
using soket::test::TempUnixPath;

namespace {

// Prints repr(getsockname()) of each descriptor number given on the command line.
constexpr const char* python_sockname = R"(
import socket, sys
for fd in sys.argv[1:]:
    s = socket.socket(fileno=int(fd))
    print(repr(s.getsockname()), flush=True)
    s.detach()
)";

// Python's reprs of the sockets' names, in order (the sockets are made inheritable for it).
std::vector<std::string> python_reprs(std::vector<Socket>& sockets) {
  std::vector<std::string> fds;
  for (auto& s : sockets) {
    s.set_inheritable(true);
    fds.push_back(std::to_string(s.fileno()));
  }
  Child py(python_argv(python_sockname, fds));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    auto line = py.read_line();
    if (!line) break;
    out.push_back(*line);
  }
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  return out;
}

}  // namespace

TEST(PythonRepr, AbstractNamesWithEveryByteValue) {
  const std::string prefix = "soket-repr-" + std::to_string(::getpid()) + "-";
  std::vector<std::string> names = {"it's",        "say \"hi\"",    "both ' and \"",
                                    "back\\slash", "tab\tnl\ncr\r", ""};
  for (int start = 0; start < 256; start += 64) {
    std::string chunk;
    for (int c = start; c < start + 64; ++c) chunk += static_cast<char>(c);
    names.push_back(chunk);
  }
  std::vector<Socket> sockets;
  for (std::size_t i = 0; i < names.size(); ++i) {
    Socket s(Family::local, Type::dgram);
    s.bind(Address::abstract(prefix + std::to_string(i) + names[i]));
    sockets.push_back(std::move(s));
  }
  auto expected = python_reprs(sockets);
  ASSERT_EQ(expected.size(), sockets.size());
  for (std::size_t i = 0; i < sockets.size(); ++i)
    EXPECT_EQ(sockets[i].getsockname().repr(), expected[i]) << "name #" << i;
}

TEST(PythonRepr, UnixPathsWithQuotesControlsAndNonUtf8Bytes) {
  TempUnixPath dir;
  std::vector<std::string> names = {"plain",
                                    "it's",
                                    "say \"hi\" it's",
                                    "a\\b\tc",
                                    "\x01\x1f\x7f",
                                    "caf\xc3\xa9",
                                    "bad\xff",
                                    "\xe2\x82",
                                    "\xc0\xaf",
                                    "\xed\xa0\x80",
                                    "\xc2\x85\xc2\xa0\xe2\x80\x8b\xef\xbb\xbf",
                                    "\xf0\x9f\x98\x80",
                                    "\xf3\xb0\x80\x80",
                                    "\xe2\x80\xa8\xe3\x80\x80\xc2\xad"};
  std::vector<Socket> sockets;
  for (auto& name : names) {
    Socket s(Family::local);
    s.bind(Address::unix_path(dir.dir() + "/" + name));
    sockets.push_back(std::move(s));
  }
  auto expected = python_reprs(sockets);
  ASSERT_EQ(expected.size(), sockets.size());
  for (std::size_t i = 0; i < sockets.size(); ++i)
    EXPECT_EQ(sockets[i].getsockname().repr(), expected[i]) << "name #" << i;
}

// A link-local address carries a scope id; Python (>= 3.7) prints it only as the fourth item.
// Loopback has no link-local address in the host's namespace, so a forked child makes its own
// network namespace (root or CAP_SYS_ADMIN; skipped otherwise) and reports over a pipe.
TEST(PythonRepr, LinkLocalScopeIdInANetworkNamespace) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    std::string report;
    if (::unshare(CLONE_NEWNET) != 0) {
      report = std::string("skip: unshare(CLONE_NEWNET): ") + std::strerror(errno) + "\n";
    } else if (std::system("ip link set lo up && ip addr add fe80::1/64 dev lo nodad") != 0) {
      report = "skip: could not add fe80::1 to lo with ip(8)\n";
    } else {
      try {
        std::vector<Socket> sockets;
        sockets.emplace_back(Family::inet6);
        sockets[0].bind(Address("fe80::1", 0, 0, 1));
        sockets[0].listen();
        sockets.emplace_back(Family::inet6);
        // The kernel installs the fe80::/64 route a moment after the address: retry a while.
        std::error_code ec;
        for (int i = 0; i < 250; ++i) {
          sockets[1].connect(sockets[0].getsockname(), ec);
          if (ec != std::errc::network_unreachable) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (ec) throw_error(ec, "connect to", nullptr);
        auto [conn, peer] = sockets[0].accept();
        auto expected = python_reprs(sockets);
        report = sockets[0].getsockname().repr() + "\n" + peer.repr() + "\n";
        for (auto& line : expected) report += line + "\n";
      } catch (const std::exception& e) {
        report = std::string("error: ") + e.what() + "\n";
      }
    }
    ssize_t n = ::write(pipe_fds[1], report.data(), report.size());
    ::_exit(n == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buf[512];
  pollfd p{pipe_fds[0], POLLIN, 0};
  bool stuck = true;
  while (::poll(&p, 1, 30000) == 1) {
    ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0) {
      stuck = false;  // EOF: the child is exiting
      break;
    }
    report.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (stuck) ::kill(pid, SIGKILL);  // silent for 30 s
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (report.starts_with("skip: ")) GTEST_SKIP() << report;
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << report;
  std::vector<std::string> lines;
  for (std::size_t start = 0, nl; (nl = report.find('\n', start)) != std::string::npos;
       start = nl + 1)
    lines.push_back(report.substr(start, nl - start));
  ASSERT_EQ(lines.size(), 4u) << report;
  EXPECT_EQ(lines[0], lines[2]);  // the listener's name
  EXPECT_EQ(lines[1], lines[3]);  // the accepted peer == the client's name
  EXPECT_TRUE(lines[0].starts_with("('fe80::1', ") && lines[0].ends_with(", 0, 1)")) << lines[0];
}
