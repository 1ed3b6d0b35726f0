// SPDX-License-Identifier: MIT
// sendmsg/recvmsg/recvmsg_into, fd passing and credentials on real UDP and Unix sockets, and
// fd passing against Python's own socket.send_fds/recv_fds (CPython test_socket's SCM tests).
#include <soket/message.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/socket.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::Child;
using soket::test::FdLeakGuard;
using soket::test::python_argv;
using soket::test::TempUnixPath;

namespace {

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

std::string text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool is_cloexec(int fd) {
  return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

// Reads `fd` to EOF (bounded).
std::string read_fd(int fd) {
  std::string out;
  char buf[256];
  for (int i = 0; i < 1000; ++i) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// A pipe whose read end will hold `content` followed by EOF.
int pipe_with(const std::string& content) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  if (::write(p[1], content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    throw std::runtime_error("write");
  ::close(p[1]);
  return p[0];
}

std::pair<Socket, Socket> udp_pair() {
  Socket a(Family::inet, Type::dgram), b(Family::inet, Type::dgram);
  a.bind({"127.0.0.1", 0});
  b.bind({"127.0.0.1", 0});
  a.settimeout(10.0);
  b.settimeout(10.0);
  return {std::move(a), std::move(b)};
}

}  // namespace

TEST(Message, CmsgLenAndSpaceMatchPython) {
  // python3 -c 'import socket; print(socket.CMSG_LEN(0), socket.CMSG_LEN(4), socket.CMSG_SPACE(4),
  // socket.CMSG_SPACE(12))'
  EXPECT_EQ(cmsg_len(0), 16u);
  EXPECT_EQ(cmsg_len(4), 20u);
  EXPECT_EQ(cmsg_space(4), 24u);
  EXPECT_EQ(cmsg_space(12), 32u);
}

TEST(Message, SendmsgGathersAndRecvmsgReportsTheSenderOverUdp) {
  auto [a, b] = udp_pair();
  std::array<std::span<const std::byte>, 3> parts{bytes("scatter"), bytes("-"), bytes("gather")};
  EXPECT_EQ(a.sendmsg(parts, {}, 0, b.getsockname()), 14u);
  Message m = b.recvmsg(1024);
  EXPECT_EQ(m.data, "scatter-gather");
  EXPECT_TRUE(m.ancdata.empty());
  EXPECT_EQ(m.msg_flags, 0);
  EXPECT_EQ(m.address, a.getsockname());
  // A host name is resolved with the socket's family, as Python's sendmsg does.
  a.sendmsg(parts, {}, 0, Address("localhost", b.getsockname().port()));
  EXPECT_EQ(b.recvmsg(1024).data, "scatter-gather");
}

TEST(Message, RecvmsgIntoScattersOverBuffersAndFlagsTruncation) {
  auto [a, b] = udp_pair();
  a.sendto("0123456789", b.getsockname());
  std::array<std::byte, 4> first{};
  std::array<std::byte, 3> second{};
  std::array<std::span<std::byte>, 2> into{std::span<std::byte>(first),
                                           std::span<std::byte>(second)};
  MessageInto m = b.recvmsg_into(into);
  // A datagram longer than the buffers is cut, and msg_flags says so (Python's MSG_TRUNC).
  EXPECT_EQ(m.nbytes, 7u);
  EXPECT_EQ(text(first), "0123");
  EXPECT_EQ(text(second), "456");
  EXPECT_TRUE(m.msg_flags & msg::trunc);
  EXPECT_EQ(m.address, a.getsockname());
}

TEST(Message, ScatterGatherOverAUnixDatagramPair) {
  auto [a, b] = socketpair(Family::local, Type::dgram);
  std::array<std::span<const std::byte>, 2> parts{bytes("hello "), bytes("unix")};
  EXPECT_EQ(a.sendmsg(parts), 10u);
  std::array<std::byte, 6> x{};
  std::array<std::byte, 16> y{};
  std::array<std::span<std::byte>, 2> into{std::span<std::byte>(x), std::span<std::byte>(y)};
  MessageInto m = b.recvmsg_into(into);
  EXPECT_EQ(m.nbytes, 10u);
  EXPECT_EQ(text(x), "hello ");
  EXPECT_EQ(text(std::span<const std::byte>(y).first(4)), "unix");
  EXPECT_EQ(m.msg_flags & msg::trunc, 0);
}

TEST(Message, RecvmsgTimesOutAndNamesTheOperation) {
  auto [a, b] = socketpair(Family::local, Type::stream);
  b.settimeout(0.05);
  try {
    b.recvmsg(16, cmsg_space(sizeof(int)));
    FAIL() << "recvmsg returned without data";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "recvmsg: timed out");
  }
}

TEST(Message, SendmsgErrorsNameTheOperationAndAddress) {
  Socket s(Family::inet, Type::dgram);
  std::array<std::span<const std::byte>, 1> parts{bytes("x")};
  // An SCM_RIGHTS item with a descriptor that is not open: the kernel says EBADF.
  int bad = 1000000;
  AncData item{scm::sol_socket, scm::rights,
               std::string(reinterpret_cast<char*>(&bad), sizeof bad)};
  auto [a, b] = socketpair(Family::local, Type::stream);
  try {
    a.sendmsg(parts, std::span<const AncData>(&item, 1));
    FAIL() << "sendmsg accepted a closed descriptor";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), std::errc::bad_file_descriptor);
    EXPECT_STREQ(e.what(), "sendmsg: Bad file descriptor");
  }
  // More buffers than the kernel's UIO_MAXIOV (1024).
  std::vector<std::span<const std::byte>> many(2000, bytes("x"));
  try {
    a.sendmsg(many);
    FAIL() << "sendmsg took 2000 buffers";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "sendmsg: Message too long");
  }
  // A UDP socket with no destination.
  try {
    s.sendmsg(parts);
    FAIL() << "sendmsg without an address on an unconnected UDP socket";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), std::errc::destination_address_required);
    EXPECT_STREQ(e.what(), "sendmsg: Destination address required");
  }
}

TEST(FdPassing, APipeSentOverAUnixPairIsReadThroughTheReceivedDescriptor) {
  auto [a, b] = socketpair(Family::local, Type::stream);
  b.settimeout(10.0);
  int r = pipe_with("through the pipe");
  std::array<int, 1> fds{r};
  EXPECT_EQ(send_fds(a, "fd!", fds), 3u);
  ::close(r);  // the only open read end is now the one in flight
  ReceivedFds got = recv_fds(b, 16, 4);
  EXPECT_EQ(got.data, "fd!");
  ASSERT_EQ(got.fds.size(), 1u);
  EXPECT_TRUE(is_cloexec(got.fds[0].get()));
  EXPECT_EQ(read_fd(got.fds[0].get()), "through the pipe");
  EXPECT_EQ(got.msg_flags & msg::ctrunc, 0);
}

TEST(FdPassing, SeveralDescriptorsArriveInOrder) {
  auto [a, b] = socketpair(Family::local, Type::dgram);
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(pipe_with("pipe " + std::to_string(i)));
  std::array<std::span<const std::byte>, 2> parts{bytes("five"), bytes(" pipes")};
  send_fds(a, parts, fds);
  for (int fd : fds) ::close(fd);
  ReceivedFds got = recv_fds(b, 64, 8);
  EXPECT_EQ(got.data, "five pipes");
  ASSERT_EQ(got.fds.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(read_fd(got.fds[static_cast<std::size_t>(i)].get()), "pipe " + std::to_string(i));
}

// Python: recv_fds with more descriptors in flight than maxfds returns those that fit and
// MSG_CTRUNC; the rest are closed (none leaks). CMSG_SPACE rounds up, so the kernel may hand
// over one more than maxfds: that one is closed too.
TEST(FdPassing, TruncatedControlDataReturnsWhatFitsAndLeaksNothing) {
  auto [a, b] = socketpair(Family::local, Type::dgram);
  std::vector<int> fds{pipe_with("a"), pipe_with("b"), pipe_with("c")};
  send_fds(a, "three", fds);
  send_fds(a, "again", fds);
  for (int fd : fds) ::close(fd);
  FdLeakGuard guard;
  {
    ReceivedFds got = recv_fds(b, 16, 1);
    EXPECT_EQ(got.data, "three");
    EXPECT_TRUE(got.msg_flags & msg::ctrunc);
    ASSERT_EQ(got.fds.size(), 1u);
    EXPECT_EQ(read_fd(got.fds[0].get()), "a");
  }
  EXPECT_EQ(guard.leaked(), 0);
  std::error_code ec;
  {
    ReceivedFds got = recv_fds(b, 16, 2, 0, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(got.data, "again");
    EXPECT_TRUE(got.msg_flags & msg::ctrunc);
    ASSERT_EQ(got.fds.size(), 2u);
    EXPECT_EQ(read_fd(got.fds[1].get()), "b");
  }
  EXPECT_EQ(guard.leaked(), 0);
}

TEST(FdPassing, RecvmsgShowsTheRawScmRightsItem) {
  auto [a, b] = socketpair(Family::local, Type::stream);
  std::array<int, 2> fds{pipe_with("x"), pipe_with("y")};
  send_fds(a, "raw", fds);
  for (int fd : fds) ::close(fd);
  Message m = b.recvmsg(16, cmsg_space(2 * sizeof(int)));
  EXPECT_EQ(m.data, "raw");
  ASSERT_EQ(m.ancdata.size(), 1u);
  EXPECT_EQ(m.ancdata[0].level, scm::sol_socket);
  EXPECT_EQ(m.ancdata[0].type, scm::rights);
  ASSERT_EQ(m.ancdata[0].data.size(), 2 * sizeof(int));
  std::array<int, 2> got{};
  std::memcpy(got.data(), m.ancdata[0].data.data(), sizeof got);
  OwnedFd x(got[0]), y(got[1]);  // recvmsg hands out plain ints, as Python does
  EXPECT_TRUE(is_cloexec(x.get()));
  EXPECT_EQ(read_fd(x.get()), "x");
  EXPECT_EQ(read_fd(y.get()), "y");
}

TEST(FdPassing, SendingAClosedDescriptorFailsWithEbadf) {
  auto [a, b] = socketpair(Family::local, Type::stream);
  std::array<int, 1> fds{999999};
  try {
    send_fds(a, "x", fds);
    FAIL() << "send_fds sent a closed descriptor";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "send_fds: Bad file descriptor");
  }
}

TEST(Credentials, PeerCredentialsAreThisProcess) {
  auto [a, b] = socketpair(Family::local, Type::stream);
  Credentials c = peer_credentials(b);
  EXPECT_EQ(c.pid, ::getpid());
  EXPECT_EQ(c.uid, ::getuid());
  EXPECT_EQ(c.gid, ::getgid());
  // Over a named socket too: the credentials are the connecting process's.
  TempUnixPath path;
  Socket listener(Family::local);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  Socket client(Family::local);
  client.connect(Address::unix_path(path.path()));
  auto [conn, addr] = listener.accept();
  EXPECT_EQ(peer_credentials(conn), Credentials::self());
}

TEST(Credentials, PeerCredentialsOfAClosedSocketNameTheOption) {
  Socket closed;
  try {
    peer_credentials(closed);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "getsockopt(SO_PEERCRED): Bad file descriptor");
  }
}

TEST(Credentials, ScmCredentialsTravelWithAMessage) {
  auto [a, b] = socketpair(Family::local, Type::dgram);
  b.setsockopt(scm::sol_socket, scm::so_passcred, 1);
  std::array<std::span<const std::byte>, 1> parts{bytes("who am i")};
  AncData creds = Credentials::self().to_ancdata();
  a.sendmsg(parts, std::span<const AncData>(&creds, 1));
  Message m = b.recvmsg(64, cmsg_space(sizeof(Credentials)));
  EXPECT_EQ(m.data, "who am i");
  auto got = Credentials::find(m.ancdata);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, Credentials::self());
  // With SO_PASSCRED the kernel attaches them even when the sender does not.
  a.send("plain");
  m = b.recvmsg(64, cmsg_space(sizeof(Credentials)));
  EXPECT_EQ(m.data, "plain");
  ASSERT_TRUE(Credentials::find(m.ancdata));
  EXPECT_EQ(Credentials::find(m.ancdata)->pid, ::getpid());
  EXPECT_FALSE(Credentials::from_ancdata(AncData{scm::sol_socket, scm::credentials, "short"}));
}

TEST(FdPassing, SendFdsToAnAddressOverAnUnconnectedDatagramSocket) {
  TempUnixPath path;
  Socket rx(Family::local, Type::dgram), tx(Family::local, Type::dgram);
  rx.bind(Address::unix_path(path.path()));
  rx.settimeout(10.0);
  std::array<int, 1> fds{pipe_with("by address")};
  send_fds(tx, "to path", fds, 0, Address::unix_path(path.path()));
  ::close(fds[0]);
  ReceivedFds got = recv_fds(rx, 16, 1);
  EXPECT_EQ(got.data, "to path");
  ASSERT_EQ(got.fds.size(), 1u);
  EXPECT_EQ(read_fd(got.fds[0].get()), "by address");
  // And to a path nobody listens on: the error names it.
  try {
    send_fds(tx, "x", fds, 0, Address::unix_path(path.dir() + "/nobody"));
    FAIL();
  } catch (const FileNotFoundError& e) {
    EXPECT_EQ(e.what(), "send_fds to " + path.dir() + "/nobody: No such file or directory");
  }
}

TEST(Credentials, AnUnprivilegedSenderCannotClaimAnotherPid) {
  // The kernel checks SCM_CREDENTIALS: only CAP_SYS_ADMIN may send a pid not its own. Run
  // the sender as "nobody" when we are root.
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(1);
    std::string out;
    try {
      auto [a, b] = socketpair(Family::local, Type::dgram);
      Credentials forged = Credentials::self();
      forged.pid = 1;
      AncData item = forged.to_ancdata();
      std::array<std::span<const std::byte>, 1> parts{bytes("lie")};
      a.sendmsg(parts, std::span<const AncData>(&item, 1));
      out = "sent";
    } catch (const PermissionError& e) {
      out = e.what();
    } catch (const std::exception& e) {
      out = std::string("other: ") + e.what();
    }
    (void)!::write(p[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string got = read_fd(p[0]);
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(got, "sendmsg: Operation not permitted");
}

// -- against Python's socket.send_fds / recv_fds -------------------------------------------

TEST(FdPassingInterop, PythonSendsDescriptorsSoketReceivesThem) {
  TempUnixPath path;
  std::string file = path.dir() + "/data.txt";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs("file contents from disk", f);
    std::fclose(f);
  }
  Socket listener(Family::local);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  listener.settimeout(20.0);
  Child py(python_argv(R"(
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
r, w = os.pipe()
os.write(w, b'hello from a python pipe'); os.close(w)
f = open(sys.argv[2], 'rb')
socket.send_fds(s, [b'py', b'thon'], [r, f.fileno()])
os.close(r); f.close()
print('sent', flush=True)
s.recv(1)
)",
                       {path.path(), file}));
  auto [conn, addr] = listener.accept();
  conn.settimeout(20.0);
  ReceivedFds got = recv_fds(conn, 64, 4);
  EXPECT_EQ(got.data, "python");
  ASSERT_EQ(got.fds.size(), 2u);
  EXPECT_TRUE(is_cloexec(got.fds[0].get()));
  EXPECT_EQ(read_fd(got.fds[0].get()), "hello from a python pipe");
  EXPECT_EQ(read_fd(got.fds[1].get()), "file contents from disk");
  EXPECT_EQ(py.read_line(), "sent");
  conn.send("k");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
}

TEST(FdPassingInterop, SoketSendsDescriptorsPythonReceivesThem) {
  TempUnixPath path;
  Socket listener(Family::local);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  listener.settimeout(20.0);
  Child py(python_argv(R"(
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
msg, fds, flags, addr = socket.recv_fds(s, 1024, 4)
print(msg.decode(), len(fds), os.read(fds[0], 100).decode(), os.read(fds[1], 100).decode(), flush=True)
)",
                       {path.path()}));
  auto [conn, addr] = listener.accept();
  std::array<int, 2> fds{pipe_with("first-pipe"), pipe_with("second-pipe")};
  send_fds(conn, "from-soket", fds);
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(py.read_line(), "from-soket 2 first-pipe second-pipe");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
}
