// SPDX-License-Identifier: MIT
// The file-transfer messages: every kind round-trips, every malformed payload is refused with
// a message naming the fault, and frames travel over a real loopback connection.
#include <soket/io/transfer/protocol.hpp>

#include <soket/io/socket_file.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "support/support.hpp"

namespace soket::transfer {
namespace {

using soket::test::error_of;
using soket::test::loopback_pair;

Digest sample_digest(int seed) {
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::byte>(seed + int(i));
  return d;
}

std::vector<Message> every_kind() {
  return {
      file_message("photos/cat.jpg", 1ULL << 40, 0644, flag_resume | flag_verify),
      dir_message("photos", 0755),
      end_message(),
      start_message(4096),
      digest_message(sample_digest(1)),
      digest_message(std::nullopt),
      accept_message(77, sample_digest(9)),
      accept_message(0, std::nullopt),
      ok_message(),
      refuse_message("a: exists"),
      error_message("b: No space left on device"),
  };
}

TEST(TransferProtocol, EveryKindRoundTrips) {
  for (const auto& m : every_kind()) {
    std::string payload = encode(m);
    EXPECT_EQ(decode(payload), m) << "kind " << int(m.kind);
  }
}

TEST(TransferProtocol, FileHeaderIsBigEndianOnTheWire) {
  std::string p = encode(file_message("x", 0x0102030405060708ULL, 0644, flag_verify));
  EXPECT_EQ(p, std::string("\x01\x02\x00\x00\x01\xa4\x01\x02\x03\x04\x05\x06\x07\x08x", 15));
}

TEST(TransferProtocol, MalformedPayloadsNameTheFault) {
  auto fault = [](std::string_view payload) { return error_of([&] { decode(payload); }); };
  EXPECT_EQ(fault(""), "truncated message kind");
  EXPECT_EQ(fault("\x63"), "unknown message kind 99");
  EXPECT_EQ(fault(std::string("\x01\x02\x00\x00", 4)), "truncated file mode");
  EXPECT_EQ(fault(std::string("\x01\x02\x00\x00\x01\xa4\x00", 7)), "truncated file size");
  EXPECT_EQ(fault(std::string("\x01\x80", 2)), "unknown file flags 128");
  EXPECT_EQ(fault(std::string("\x02\x00\x01\x00\x00", 5) + "d"), "mode 65536 out of range");
  EXPECT_EQ(fault(std::string("\x03x", 2)), "1 trailing bytes after message");
  EXPECT_EQ(fault(std::string("\x05") + std::string(31, 'a')), "truncated digest");
  EXPECT_EQ(fault(std::string("\x05") + std::string(33, 'a')), "1 trailing bytes after message");
  EXPECT_EQ(fault(std::string("\x04\x00", 2)), "truncated start offset");
  std::string long_name = std::string("\x02\x00\x00\x01\xed", 5) + std::string(max_name + 1, 'n');
  EXPECT_EQ(fault(long_name), "dir name longer than 4096 bytes");
  EXPECT_EQ(fault("\x12" + std::string(max_text + 1, 'r')), "reason longer than 1024 bytes");
}

TEST(TransferProtocol, EncodeRefusesFieldsOutOfRange) {
  EXPECT_EQ(error_of([] { encode(dir_message(std::string(5000, 'a'), 0755)); }),
            "name longer than 4096 bytes");
  EXPECT_EQ(error_of([] { encode(dir_message("a", 010000)); }), "mode 4096 out of range");
  // Reasons are cut to the limit by their constructors.
  EXPECT_EQ(refuse_message(std::string(5000, 'r')).text.size(), max_text);
}

TEST(TransferProtocol, MessagesTravelAsFramesOverASocket) {
  auto [a, b] = loopback_pair();
  std::thread writer([&, &a = a] {
    io::SocketFile out(a);
    for (const auto& m : every_kind()) send_message(out, m);
    a.close();
  });
  io::SocketFile in(b);
  for (const auto& m : every_kind()) {
    auto got = recv_message(in);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, m);
  }
  EXPECT_FALSE(recv_message(in));  // a clean end between messages
  writer.join();
}

TEST(TransferProtocol, AFrameIsAFourByteLengthThenThePayload) {
  auto [a, b] = loopback_pair();
  io::SocketFile out(a);
  send_message(out, start_message(5));
  a.close();
  EXPECT_EQ(b.recv(100), std::string("\x00\x00\x00\x09\x04\x00\x00\x00\x00\x00\x00\x00\x05", 13));
}

// What a hostile or broken peer sends, and what recv_message says about it.
std::string fault_of(std::string_view stream) {
  auto [a, b] = loopback_pair();
  a.sendall(stream);
  a.close();
  io::SocketFile in(b);
  return error_of([&] { recv_message(in); });
}

TEST(TransferProtocol, HostileFramesAreRefused) {
  EXPECT_EQ(fault_of(std::string("\xff\xff\xff\xff", 4)),
            "framing: message of 4294967295 bytes exceeds the limit of 65536");
  EXPECT_EQ(fault_of(std::string("\x00\x00\x00\x00", 4)), "truncated message kind");
  EXPECT_EQ(fault_of(std::string("\x00\x00", 2)),
            "read_message: end of file inside a length header (2 of 4 bytes)");
  EXPECT_EQ(fault_of(std::string("\x00\x00\x00\x09\x01", 5)),
            "read_message: end of file after 1 of 9 bytes of a message");
  EXPECT_EQ(fault_of(std::string("\x00\x00\x00\x01\x63", 5)), "unknown message kind 99");
}

TEST(TransferProtocol, HexOfADigest) {
  EXPECT_EQ(to_hex(sample_digest(0)),
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}

}  // namespace
}  // namespace soket::transfer
