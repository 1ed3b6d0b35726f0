// SPDX-License-Identifier: MIT
// event::Codec over a real Server: messages split into 1-byte segments come out whole, framed
// replies reach a blocking reader, an oversized message closes the connection with
// std::errc::message_size, and an exception in on_message still consumes the message.
#include <soket/event/codec.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <atomic>
#include <string>
#include <thread>

#include <soket/event/server.hpp>
#include <soket/io/socket_file.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

// Replies "<n>:<payload>" to every message, n counting messages on the connection.
struct Numbering : Handler {
  explicit Numbering(io::Framing f) : codec(std::move(f)) {}
  Codec codec;
  std::atomic<int> too_long{0}, thrown{0};
  void on_open(Connection& c) override { c.set_context(std::size_t{0}); }
  void on_data(Connection& c, Buffer& in) override {
    std::error_code ec = codec.decode(c, in, [&](std::string_view msg) {
      std::size_t& n = *c.context<std::size_t>();
      ++n;
      if (msg == "throw") throw std::runtime_error("asked to throw");
      codec.send(c, std::to_string(n) + ":" + std::string(msg));
    });
    if (ec == std::errc::message_size) {
      ++too_long;
      codec.send(c, "too long");
      c.close_after_flush();
    }
  }
  void handle_error(Connection*, std::exception_ptr) override { ++thrown; }  // keep it open
};

Socket connect_to(const Address& a) {
  Socket s(Family::inet, Type::stream);
  s.settimeout(20s);
  s.connect(a);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);  // each 1-byte send its own segment
  return s;
}

class EventCodec : public ::testing::TestWithParam<int> {
 protected:
  io::Framing framing() const {
    return GetParam() == 0 ? io::Framing::delimited("\r\n", 64)
                           : io::Framing::length_prefixed(64, 2);
  }
};

TEST_P(EventCodec, WholeMessagesFromOneByteSegmentsAndFramedReplies) {
  Numbering h(framing());
  ServerOptions options;
  options.threads = 2;
  Server server(Address("127.0.0.1", 0), h, options);
  server.start();
  Socket s = connect_to(server.address());
  auto send_bytewise = [&s = s](const std::string& bytes) {
    for (char ch : bytes) s.sendall(std::string_view(&ch, 1));
  };
  send_bytewise(h.codec.encode("alpha") + h.codec.encode("") + h.codec.encode("throw"));
  io::SocketFile f(s);
  EXPECT_EQ(io::read_message(f, framing()), "1:alpha");
  EXPECT_EQ(io::read_message(f, framing()), "2:");
  for (int i = 0; i < 4000 && h.thrown == 0; ++i) std::this_thread::sleep_for(5ms);
  // "throw" was consumed despite the exception (handle_error kept the connection): the next
  // message is the 4th, not a replay of the 3rd.
  send_bytewise(h.codec.encode("gamma"));
  EXPECT_EQ(io::read_message(f, framing()), "4:gamma");
  EXPECT_EQ(h.thrown.load(), 1);
  server.stop();
}

TEST_P(EventCodec, MessagePastTheCapClosesTheConnection) {
  Numbering h(framing());
  ServerOptions options;
  options.threads = 1;
  Server server(Address("127.0.0.1", 0), h, options);
  server.start();
  Socket s = connect_to(server.address());
  std::string big(65, 'x');
  std::string bytes =
      GetParam() == 0 ? "ok\r\n" + big + "\r\n" : h.codec.encode("ok") + std::string("\0A", 2);
  s.sendall(bytes);
  io::SocketFile f(s);
  EXPECT_EQ(io::read_message(f, framing()), "1:ok");
  EXPECT_EQ(io::read_message(f, framing()), "too long");
  EXPECT_EQ(io::read_message(f, framing()), std::nullopt);  // closed after the notice
  EXPECT_EQ(h.too_long.load(), 1);
  server.stop();
}

std::string framing_name(const ::testing::TestParamInfo<int>& p) {
  return p.param == 0 ? "delimited" : "length_prefixed";
}

INSTANTIATE_TEST_SUITE_P(Framings, EventCodec, ::testing::Values(0, 1), framing_name);

}  // namespace
