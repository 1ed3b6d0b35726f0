// SPDX-License-Identifier: MIT
// Framing: the rules (decode/encode, table and split at every byte), SocketFile::readuntil,
// and read_message/write_message over real loopback sockets, with Python's struct as a peer.
#include <soket/io/framing.hpp>
#include <soket/io/socket_file.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "support/support.hpp"

namespace soket::io {
namespace {

using namespace std::chrono_literals;
using soket::test::error_of;
using soket::test::loopback_pair;
using Status = Framing::Decoded::Status;

std::string be32(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

// Every message decode() finds in `stream`, front to back; "!" marks too_long.
std::vector<std::string> decode_all(const Framing& f, std::string_view stream) {
  std::vector<std::string> out;
  for (;;) {
    auto d = f.decode(stream);
    if (d.status == Status::need_more) break;
    if (d.status == Status::too_long) {
      out.emplace_back("!");
      break;
    }
    out.emplace_back(d.payload);
    stream.remove_prefix(d.consumed);
  }
  return out;
}

TEST(Framing, RejectsSettingsThatCannotWork) {
  EXPECT_EQ(error_of([] { Framing::delimited(""); }), "framing: the delimiter is empty");
  EXPECT_EQ(error_of([] { Framing::delimited("\n", 0); }), "framing: max_size must be positive");
  EXPECT_EQ(error_of([] { Framing::length_prefixed(100, 3); }),
            "framing: header_size must be 1, 2, 4 or 8 bytes, not 3");
  EXPECT_EQ(error_of([] { Framing::length_prefixed(256, 1); }),
            "framing: a 1-byte length header cannot announce max_size 256");
  EXPECT_EQ(error_of([] { Framing::length_prefixed(65536, 2); }),
            "framing: a 2-byte length header cannot announce max_size 65536");
  EXPECT_NO_THROW(Framing::length_prefixed(255, 1));
  EXPECT_NO_THROW(Framing::length_prefixed(SIZE_MAX, 8));
  EXPECT_THROW(Framing::length_prefixed(0), std::invalid_argument);
}

TEST(Framing, DelimitedTable) {
  const Framing f = Framing::delimited("\r\n", 5);
  struct Case {
    std::string stream;
    std::vector<std::string> messages;
  } cases[] = {
      {"", {}},
      {"abc", {}},                     // partial
      {"abc\r", {}},                   // delimiter split
      {"abc\r\n", {"abc"}},            // whole
      {"\r\n\r\n", {"", ""}},          // empty messages
      {"a\rb\r\n", {"a\rb"}},          // half a delimiter is payload
      {"12345\r\n", {"12345"}},        // exactly max_size
      {"12345\r", {}},                 // max_size, delimiter not complete
      {"123456", {}},                  // decided once max_size + 2 bytes are here
      {"1234567", {"!"}},              // past max_size, no delimiter
      {"123456\r\n", {"!"}},           // past max_size with delimiter
      {"ok\r\n1234567", {"ok", "!"}},  // good, then too long
      {"x\r\ny\r\nz", {"x", "y"}},     // trailing partial
  };
  for (const auto& c : cases)
    EXPECT_EQ(decode_all(f, c.stream), c.messages)
        << "stream: " << testing::PrintToString(c.stream);
}

TEST(Framing, LengthPrefixedTable) {
  const Framing f = Framing::length_prefixed(5, 4);
  struct Case {
    std::string stream;
    std::vector<std::string> messages;
  } cases[] = {
      {"", {}},
      {std::string("\0\0\0", 3), {}},  // partial header
      {be32(3) + "ab", {}},            // partial body
      {be32(3) + "abc", {"abc"}},      // whole
      {be32(0) + be32(0), {"", ""}},   // empty messages
      {be32(5) + "12345", {"12345"}},  // exactly max_size
      {be32(6), {"!"}},                // announced past max: known at once
      {be32(0xffffffff), {"!"}},       // 4 GiB announced, nothing allocated
      {be32(2) + "ok" + be32(9) + "x", {"ok", "!"}},
  };
  for (const auto& c : cases)
    EXPECT_EQ(decode_all(f, c.stream), c.messages)
        << "stream: " << testing::PrintToString(c.stream);
  EXPECT_EQ(f.decode(be32(1000)).announced, 1000u);
}

TEST(Framing, EncodeThenDecodeSplitAtEveryByte) {
  for (const Framing& f : {Framing::delimited("\n", 100), Framing::delimited("||", 100),
                           Framing::length_prefixed(100, 1), Framing::length_prefixed(100, 2),
                           Framing::length_prefixed(100, 8)}) {
    const std::vector<std::string> messages = {"hello", "", "a|b", std::string(100, 'z'), "end"};
    std::string stream;
    for (const auto& m : messages) stream += f.encode(m);
    // Fed in two parts cut at every offset, the messages come out the same.
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
      std::string buffered;
      std::vector<std::string> got;
      for (std::string_view part :
           {std::string_view(stream).substr(0, cut), std::string_view(stream).substr(cut)}) {
        buffered += part;
        for (;;) {
          auto d = f.decode(buffered);
          ASSERT_NE(d.status, Status::too_long);
          if (d.status == Status::need_more) break;
          got.emplace_back(d.payload);
          buffered.erase(0, d.consumed);
        }
      }
      EXPECT_EQ(got, messages) << "cut at " << cut;
      EXPECT_TRUE(buffered.empty());
    }
  }
}

TEST(Framing, EncodeRefusesWhatWouldBreakTheStream) {
  const Framing lines = Framing::delimited("\n", 4);
  EXPECT_EQ(error_of([&] { lines.encode("a\nb"); }),
            "framing: the payload holds the delimiter (it would arrive split)");
  EXPECT_EQ(error_of([&] { lines.encode("12345"); }),
            "framing: message of 5 bytes exceeds the limit of 4");
  EXPECT_THROW(Framing::length_prefixed(3, 1).encode("1234"), MessageTooLongError);
  EXPECT_EQ(Framing::length_prefixed(300, 2).encode("hi"), std::string("\0\2hi", 4));
  EXPECT_EQ(Framing::length_prefixed(300, 8).prefix(0x0102).view(),
            std::string("\0\0\0\0\0\0\1\2", 8));
}

TEST(SocketFileReaduntil, FindsSeparatorsAcrossFillsAndBoundsMemory) {
  auto [a, b] = loopback_pair();
  a.sendall("one\r\ntwo\r\n" + std::string(40, 'x') + "\r\nlast");
  a.shutdown(Shut::wr);
  SocketFile f(b, 3);  // a separator straddles fills
  EXPECT_EQ(f.readuntil("\r\n"), "one\r\n");
  EXPECT_EQ(f.readuntil("\r\n", 5), "two\r\n");  // exactly the limit, separator included
  EXPECT_EQ(error_of([&] { f.readuntil("\r\n", 41); }), "readuntil: no separator within 41 bytes");
  EXPECT_EQ(f.readuntil("\r\n", 42), std::string(40, 'x') + "\r\n");  // nothing was lost
  EXPECT_EQ(f.readuntil("\r\n"), "last");                             // end of file: the rest
  EXPECT_EQ(f.readuntil("\r\n"), "");
  EXPECT_THROW(f.readuntil(""), std::invalid_argument);
  EXPECT_THROW(f.readuntil("abc", 2), std::invalid_argument);
}

TEST(ReadMessage, DelimitedMessagesThenEndOfFile) {
  auto [a, b] = loopback_pair();
  a.sendall("alice|bob||carol|");
  a.shutdown(Shut::wr);
  SocketFile f(b, 4);
  const Framing framing = Framing::delimited("|", 16);
  EXPECT_EQ(read_message(f, framing), "alice");
  EXPECT_EQ(read_message(f, framing), "bob");
  EXPECT_EQ(read_message(f, framing), "");
  EXPECT_EQ(read_message(f, framing), "carol");
  EXPECT_EQ(read_message(f, framing), std::nullopt);
}

TEST(ReadMessage, EndOfFileInsideAMessageIsIncompleteRead) {
  {
    auto [a, b] = loopback_pair();
    a.sendall("whole\nhalf");
    a.shutdown(Shut::wr);
    SocketFile f(b);
    const Framing lines = Framing::delimited();
    EXPECT_EQ(read_message(f, lines), "whole");
    try {
      read_message(f, lines);
      FAIL() << "a message without its delimiter must not pass as whole";
    } catch (const IncompleteReadError& e) {
      EXPECT_STREQ(e.what(),
                   "read_message: end of file inside a message (4 bytes and no delimiter)");
      EXPECT_EQ(e.partial(), "half");
    }
  }
  {
    auto [a, b] = loopback_pair();
    a.sendall(be32(10) + "short");
    a.shutdown(Shut::wr);
    SocketFile f(b);
    EXPECT_EQ(error_of([&] { read_message(f, Framing::length_prefixed()); }),
              "read_message: end of file after 5 of 10 bytes of a message");
  }
  {
    auto [a, b] = loopback_pair();
    a.sendall(std::string("\0\0", 2));
    a.shutdown(Shut::wr);
    SocketFile f(b);
    EXPECT_EQ(error_of([&] { read_message(f, Framing::length_prefixed()); }),
              "read_message: end of file inside a length header (2 of 4 bytes)");
  }
}

TEST(ReadMessage, TooLongIsRefusedBeforeReadingIt) {
  {
    // A 4 GiB announcement: refused from the header alone, nothing allocated or awaited.
    auto [a, b] = loopback_pair();
    a.sendall(be32(0xffffffff));
    SocketFile f(b);
    try {
      read_message(f, Framing::length_prefixed(1 << 20));
      FAIL() << "a length past max_size must be refused";
    } catch (const MessageTooLongError& e) {
      EXPECT_EQ(e.limit(), 1u << 20);
      EXPECT_EQ(e.size(), 0xffffffffu);
      EXPECT_STREQ(e.what(), "framing: message of 4294967295 bytes exceeds the limit of 1048576");
    }
  }
  {
    // A peer that never sends the delimiter: refused at the cap, the buffer bounded by it.
    auto [a, b] = loopback_pair();
    std::thread flood([&a = a] {
      try {
        for (int i = 0; i < 1000; ++i) a.sendall(std::string(4096, 'x'));
      } catch (const Error&) {  // the reader closed: expected
      }
    });
    b.settimeout(10s);
    SocketFile f(b);
    EXPECT_EQ(error_of([&] { read_message(f, Framing::delimited("\n", 10000)); }),
              "framing: no delimiter within 10000 bytes (message too long)");
    EXPECT_LT(f.buffered(), 3 * 10000u);
    b.close();
    flood.join();
  }
}

TEST(ReadMessage, TimeoutInsideAMessageLosesNothing) {
  auto [a, b] = loopback_pair();
  const Framing framing = Framing::length_prefixed();
  a.sendall(be32(6) + "abc");
  b.settimeout(50ms);
  SocketFile f(b, 2);
  EXPECT_THROW(read_message(f, framing), TimeoutError);
  a.sendall("def" + be32(2) + "gh");
  b.settimeout(10s);
  EXPECT_EQ(read_message(f, framing), "abcdef");
  EXPECT_EQ(read_message(f, framing), "gh");
}

TEST(WriteMessage, RoundTripWithPythonStruct) {
  // Python frames with struct.pack('>I', len) and echoes each payload reversed; soket writes
  // and reads the same format.
  const char* code = R"(
import socket, struct, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
f = s.makefile('rwb')
while True:
    h = f.read(4)
    if len(h) < 4: break
    body = f.read(struct.unpack('>I', h)[0])
    f.write(struct.pack('>I', len(body)) + body[::-1]); f.flush()
)";
  Socket listener = soket::test::listen_ephemeral();
  soket::test::Child py(
      soket::test::python_argv(code, {std::to_string(listener.getsockname().port())}));
  auto [conn, addr] = listener.accept();
  conn.settimeout(20s);
  SocketFile f(conn);
  const Framing framing = Framing::length_prefixed();
  const std::vector<std::string> payloads = {"hello", "", std::string(100000, 'q') + "!",
                                             std::string("\0\n\r", 3)};
  for (const auto& p : payloads) write_message(f, framing, p);
  f.flush();
  for (const auto& p : payloads)
    EXPECT_EQ(read_message(f, framing), std::string(p.rbegin(), p.rend()));
  conn.shutdown(Shut::wr);
  EXPECT_EQ(read_message(f, framing), std::nullopt);
  EXPECT_EQ(py.wait(), 0);
}

TEST(WriteMessage, NothingIsWrittenForAPayloadThatBreaksTheFraming) {
  auto [a, b] = loopback_pair();
  SocketFile f(a);
  const Framing lines = Framing::delimited("\n", 8);
  EXPECT_THROW(write_message(f, lines, "two\nlines"), FramingError);
  EXPECT_THROW(write_message(f, lines, "123456789"), MessageTooLongError);
  write_message(f, lines, "fine");
  f.flush();
  a.shutdown(Shut::wr);
  SocketFile r(b);
  EXPECT_EQ(r.read(100), "fine\n");
}

}  // namespace
}  // namespace soket::io
