// SPDX-License-Identifier: MIT
// sendfile(2) has no MSG_NOSIGNAL: Socket::sendfile and event::Connection::sendfile to a peer
// that has gone must report BrokenPipe/ConnectionReset, not kill the process with SIGPIPE —
// also when the kernel returns a partial count with SIGPIPE already pending (a peer that
// closes in the middle of a transfer). Each case runs in a child process with SIGPIPE's default
// disposition (a gtest death test, re-executed so it is safe with threads and under TSan).
#include <soket/socket.hpp>

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::loopback_pair;

namespace {

// Exit statuses of the child, named so a failure says which check failed.
constexpr int ok = 0, wrong_error = 3, no_error = 4, mask_changed = 5, pending_lost = 6;

// A deleted temporary file of `size` bytes; the descriptor stays open.
int temp_file(std::size_t size) {
  char name[] = "/tmp/soket-sigpipe-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd < 0) std::_Exit(2);
  ::unlink(name);
  std::vector<char> block(1 << 20, 'x');
  for (std::size_t done = 0; done < size; done += block.size())
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()))
      std::_Exit(2);
  return fd;
}

bool sigpipe_blocked() {
  sigset_t now;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return ::sigismember(&now, SIGPIPE) == 1;
}

bool peer_gone(const std::error_code& ec) {
  return ec == std::errc::broken_pipe || ec == std::errc::connection_reset;
}

// Ends the child: prints what happened (the death test matches it) and exits with `status`.
[[noreturn]] void finish(int status, const std::string& what) {
  std::fprintf(stderr, "child: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(status);
}

// Socket::sendfile of `size` bytes to `s`; exits the child with the outcome.
[[noreturn]] void blocking_sendfile(Socket& s, std::size_t size) {
  int file = temp_file(size);
  try {
    s.sendfile(file, 0);
  } catch (const Error& e) {
    if (sigpipe_blocked()) finish(mask_changed, "SIGPIPE left blocked");
    finish(peer_gone(e.code()) ? ok : wrong_error, e.what());
  }
  finish(no_error, "sendfile succeeded");
}

// Reads a little of the transfer, then resets the connection: the sender is mid-sendfile.
std::thread reset_after_some(Socket& peer) {
  return std::thread([&peer] {
    std::size_t got = 0;
    while (got < (1u << 20)) {
      std::string part = peer.recv(1 << 16);
      if (part.empty()) break;
      got += part.size();
    }
    const ::linger abort{1, 0};  // close() sends RST
    peer.setsockopt(SOL_SOCKET, SO_LINGER, std::as_bytes(std::span(&abort, 1)));
    peer.close();
  });
}

// Serves one adopted connection: on_open queues the whole file, on_close reports why.
struct FileSender : event::Handler {
  event::Loop* loop = nullptr;
  int file = -1;
  std::size_t size = 0;
  std::error_code reason;
  void on_open(event::Connection& c) override {
    std::error_code ec;
    c.sendfile(file, 0, size, ec);
    if (ec) reason = ec;
  }
  void on_data(event::Connection&, event::Buffer& in) override { in.retrieve_all(); }
  void on_close(event::Connection&, std::error_code why) override {
    if (!reason) reason = why;
    loop->stop();
  }
};

[[noreturn]] void event_sendfile(Socket&& s, std::size_t size) {
  event::Loop loop;
  FileSender h;
  h.loop = &loop;
  h.file = temp_file(size);
  h.size = size;
  event::ConnectionOptions options;
  loop.adopt(std::move(s), h, options);
  loop.run();
  finish(peer_gone(h.reason) ? ok : (h.reason ? wrong_error : no_error),
         h.reason ? h.reason.message() : "no error");
}

// The children's bodies: each sets SIGPIPE's default disposition (what a program that never
// touched SIGPIPE has) and ends the process through finish().

[[noreturn]] void socket_to_closed_peer() {
  std::signal(SIGPIPE, SIG_DFL);
  auto [a, b] = socketpair();
  b.close();
  blocking_sendfile(a, 1 << 20);
}

// Over a Unix socket the peer's close mid-transfer makes sendfile(2) return a partial count
// with SIGPIPE already pending (the next call then fails with EPIPE); over TCP it is a reset.
std::pair<Socket, Socket> stream_pair(Family family) {
  return family == Family::unix ? socketpair() : loopback_pair(family);
}

[[noreturn]] void socket_reset_mid_transfer(Family family) {
  std::signal(SIGPIPE, SIG_DFL);
  auto [a, b] = stream_pair(family);
  std::thread peer = reset_after_some(b);
  peer.detach();  // the child ends inside blocking_sendfile
  blocking_sendfile(a, 256 << 20);
}

[[noreturn]] void connection_to_closed_peer() {
  std::signal(SIGPIPE, SIG_DFL);
  auto [a, b] = socketpair();
  b.close();
  event_sendfile(std::move(a), 1 << 20);
}

[[noreturn]] void connection_reset_mid_transfer(Family family) {
  std::signal(SIGPIPE, SIG_DFL);
  auto [a, b] = stream_pair(family);
  std::thread peer = reset_after_some(b);
  peer.detach();
  event_sendfile(std::move(a), 256 << 20);
}

[[noreturn]] void pending_sigpipe_kept() {
  std::signal(SIGPIPE, SIG_DFL);
  sigset_t pipe;
  ::sigemptyset(&pipe);
  ::sigaddset(&pipe, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  ::pthread_kill(::pthread_self(), SIGPIPE);
  auto [a, b] = socketpair();
  b.close();
  int file = temp_file(1 << 20);
  std::error_code ec;
  a.sendfile(file, 0, std::nullopt, ec);
  if (!peer_gone(ec)) finish(wrong_error, ec ? ec.message() : "no error");
  if (!sigpipe_blocked()) finish(mask_changed, "SIGPIPE unblocked");
  sigset_t pending;
  ::sigpending(&pending);
  if (::sigismember(&pending, SIGPIPE) != 1) finish(pending_lost, "pending SIGPIPE lost");
  finish(ok, "pending SIGPIPE kept");
}

class SendfileSigpipe : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

}  // namespace

TEST_F(SendfileSigpipe, SocketSendfileToAClosedPeerRaisesBrokenPipe) {
  EXPECT_EXIT(socket_to_closed_peer(), ::testing::ExitedWithCode(ok), "child: .*[Bb]roken pipe");
}

TEST_F(SendfileSigpipe, SocketSendfileResetMidTransferRaisesAnError) {
  EXPECT_EXIT(socket_reset_mid_transfer(Family::inet), ::testing::ExitedWithCode(ok), "child: ");
}

TEST_F(SendfileSigpipe, SocketSendfilePeerClosesMidTransferRaisesBrokenPipe) {
  EXPECT_EXIT(socket_reset_mid_transfer(Family::unix), ::testing::ExitedWithCode(ok),
              "child: .*[Bb]roken pipe");
}

TEST_F(SendfileSigpipe, ConnectionSendfileToAClosedPeerClosesWithBrokenPipe) {
  EXPECT_EXIT(connection_to_closed_peer(), ::testing::ExitedWithCode(ok),
              "child: .*[Bb]roken pipe");
}

TEST_F(SendfileSigpipe, ConnectionSendfileResetMidTransferClosesWithAnError) {
  EXPECT_EXIT(connection_reset_mid_transfer(Family::inet), ::testing::ExitedWithCode(ok),
              "child: ");
}

TEST_F(SendfileSigpipe, ConnectionSendfilePeerClosesMidTransferClosesWithBrokenPipe) {
  EXPECT_EXIT(connection_reset_mid_transfer(Family::unix), ::testing::ExitedWithCode(ok),
              "child: .*[Bb]roken pipe");
}

// A SIGPIPE the caller had blocked and pending before the call is the caller's: sendfile
// must neither swallow it nor unblock it.
TEST_F(SendfileSigpipe, AnAlreadyPendingSigpipeIsNotSwallowed) {
  EXPECT_EXIT(pending_sigpipe_kept(), ::testing::ExitedWithCode(ok), "child: pending SIGPIPE kept");
}
