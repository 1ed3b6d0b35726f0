// SPDX-License-Identifier: MIT
// SOCK_SEQPACKET on Unix sockets: connected, reliable, and message boundaries preserved
// (CPython test_socket's SeqpacketTests / UnixSeqpacket tests), also against Python.
#include <soket/socket.hpp>

#include <gtest/gtest.h>
#include <array>
#include <string>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/message.hpp>

#include "support/support.hpp"

using namespace soket;
using soket::test::Child;
using soket::test::python_argv;
using soket::test::TempUnixPath;

namespace {

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

// A connected seqpacket pair through a listener at `address`: {client, accepted}.
std::pair<Socket, Socket> connected(const Address& address) {
  Socket listener(Family::local, Type::seqpacket);
  listener.bind(address);
  listener.listen();
  Socket client(Family::local, Type::seqpacket);
  client.connect(address);
  auto [conn, peer] = listener.accept();
  return {std::move(client), std::move(conn)};
}

}  // namespace

TEST(Seqpacket, MessageBoundariesArePreservedOverAPath) {
  TempUnixPath path;
  auto [client, server] = connected(Address::unix_path(path.path()));
  EXPECT_EQ(server.type(), Type::seqpacket);
  EXPECT_EQ(client.getpeername().path(), path.path());
  server.settimeout(10.0);
  client.send("one");
  client.send("two-two");
  client.send(std::string(3000, 'x'));
  // A stream socket could hand these back merged; seqpacket returns one message per recv.
  EXPECT_EQ(server.recv(1024), "one");
  EXPECT_EQ(server.recv(1024), "two-two");
  EXPECT_EQ(server.recv(8192), std::string(3000, 'x'));
}

TEST(Seqpacket, AShortBufferTruncatesOneMessageAndTheRestIsDiscarded) {
  auto [a, b] = socketpair(Family::local, Type::seqpacket);
  b.settimeout(10.0);
  a.send("0123456789");
  a.send("next");
  Message m = b.recvmsg(4);
  EXPECT_EQ(m.data, "0123");
  EXPECT_TRUE(m.msg_flags & msg::trunc);
  EXPECT_EQ(b.recv(100), "next");  // not "456789"
}

TEST(Seqpacket, SendmsgGathersIntoOneMessageAndEofIsEmpty) {
  auto [client, server] =
      connected(Address::abstract("soket-seqpacket-" + std::to_string(::getpid())));
  server.settimeout(10.0);
  std::array<std::span<const std::byte>, 3> parts{bytes("a"), bytes("b"), bytes("c")};
  client.sendmsg(parts);
  client.send("d");
  EXPECT_EQ(server.recv(100), "abc");
  EXPECT_EQ(server.recv(100), "d");
  client.close();
  EXPECT_EQ(server.recv(100), "");  // orderly end
}

TEST(Seqpacket, WrongTypesFailWithTheKernelsWords) {
  try {
    Socket s(Family::inet, Type::seqpacket);
    FAIL() << "inet seqpacket without SCTP";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "socket(inet, seqpacket): Socket type not supported");
  }
  TempUnixPath path;
  Socket listener(Family::local, Type::seqpacket);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  Socket stream(Family::local, Type::stream);
  try {
    stream.connect(Address::unix_path(path.path()));
    FAIL() << "a stream socket connected to a seqpacket listener";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), "connect to " + path.path() + ": Protocol wrong type for socket");
  }
}

TEST(Seqpacket, PythonPeerSeesOurBoundaries) {
  TempUnixPath path;
  Socket listener(Family::local, Type::seqpacket);
  listener.bind(Address::unix_path(path.path()));
  listener.listen();
  listener.settimeout(20.0);
  Child py(python_argv(R"(
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b'py-1'); s.send(b'py-22')
print(repr(s.recv(100)), repr(s.recv(100)), flush=True)
)",
                       {path.path()}));
  auto [conn, addr] = listener.accept();
  conn.settimeout(20.0);
  EXPECT_EQ(conn.recv(100), "py-1");
  EXPECT_EQ(conn.recv(100), "py-22");
  conn.send("soket-a");
  conn.send("soket-bb");
  EXPECT_EQ(py.read_line(), "b'soket-a' b'soket-bb'");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
}
