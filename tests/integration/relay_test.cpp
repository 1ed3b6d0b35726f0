// SPDX-License-Identifier: MIT
// io::relay over real sockets and pipes: both directions at once, nc -N's half-close, --crlf,
// the idle timeout, datagrams, a stream that buffers in user space (as TLS does), failures.
#include <soket/io/relay.hpp>
#include <soket/options.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <future>
#include <random>
#include <string>
#include <thread>

#include "support/support.hpp"

namespace soket::io {
namespace {

using namespace std::chrono_literals;
using soket::test::error_of;
using soket::test::loopback_pair;

// A pipe whose ends close themselves.
struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    read_end = OwnedFd(fds[0]);
    write_end = OwnedFd(fds[1]);
  }
  void write(const std::string& s) const {
    ASSERT_EQ(::write(write_end.get(), s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  std::string read_all() const {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  OwnedFd read_end, write_end;
};

std::string random_bytes(std::size_t n) {
  std::mt19937_64 gen(std::random_device{}());
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

std::string recv_all(Socket& s) {
  std::string out;
  for (std::string chunk; !(chunk = s.recv(65536)).empty();) out += chunk;
  return out;
}

TEST(Relay, BothDirectionsAtOnceThenHalfCloseAndTheReplyStillArrives) {
  auto [ours, peer] = loopback_pair();
  Pipe input, output;
  std::string request = random_bytes(3 << 20), reply = random_bytes(2 << 20);
  // The peer reads everything (which ends only with our half-close), then replies: nc -N's case.
  auto peer_side = std::async(std::launch::async, [&, &peer = peer] {
    std::string got = recv_all(peer);
    peer.sendall(reply);
    peer.close();
    return got;
  });
  std::thread feeder([&] {
    input.write(request);
    input.write_end = OwnedFd();  // end of input
  });
  auto collected = std::async(std::launch::async, [&] { return output.read_all(); });
  SocketByteStream stream(ours);
  RelayResult r = relay(stream, input.read_end.get(), output.write_end.get(), {});
  output.write_end = OwnedFd();
  feeder.join();
  EXPECT_EQ(r.end, RelayEnd::peer_closed);
  EXPECT_TRUE(r.input_ended);
  EXPECT_EQ(r.sent, request.size());
  EXPECT_EQ(r.received, reply.size());
  EXPECT_TRUE(peer_side.get() == request);
  EXPECT_TRUE(collected.get() == reply);
}

TEST(Relay, APeerThatHalfClosesFirstStillGetsAllOurInput) {
  auto [ours, peer] = loopback_pair();
  peer.shutdown(Shut::wr);  // "I have nothing to say; send me yours" (nc -N on the other side)
  Pipe input;
  std::string request = random_bytes(1 << 20);
  std::thread feeder([&] {
    input.write(request);
    input.write_end = OwnedFd();
  });
  auto peer_side = std::async(std::launch::async, [&, &peer = peer] { return recv_all(peer); });
  SocketByteStream stream(ours);
  RelayResult r = relay(stream, input.read_end.get(), -1, {});
  feeder.join();
  EXPECT_EQ(r.end, RelayEnd::peer_closed);
  EXPECT_EQ(r.sent, request.size());
  EXPECT_TRUE(peer_side.get() == request);
}

TEST(Relay, APeerGoneForGoodEndsTheRelayWhenWeNextSend) {
  auto [ours, peer] = loopback_pair();
  peer.close();  // EOF now; whatever we send next is answered with a reset
  Pipe input;
  std::atomic<bool> done{false};
  std::thread typist([&] {  // someone at a terminal, typing until it notices
    for (int i = 0; i < 3000 && !done; ++i) {
      input.write("x\n");
      std::this_thread::sleep_for(10ms);
    }
  });
  SocketByteStream stream(ours);
  RelayResult r = relay(stream, input.read_end.get(), -1, {});
  done = true;
  typist.join();
  EXPECT_EQ(r.end, RelayEnd::peer_closed);
  EXPECT_FALSE(r.input_ended);
}

TEST(Relay, EndOnPeerEofLeavesAtOnceLikeTelnet) {
  auto [ours, peer] = loopback_pair();
  peer.close();
  Pipe input;  // open, and nothing ever written
  RelayOptions options;
  options.end_on_peer_eof = true;
  SocketByteStream stream(ours);
  RelayResult r = relay(stream, input.read_end.get(), -1, options);
  EXPECT_EQ(r.end, RelayEnd::peer_closed);
  EXPECT_FALSE(r.input_ended);
}

TEST(Relay, WithoutHalfCloseThePeerSeesNoEndOfFile) {
  auto [ours, peer] = loopback_pair();
  Pipe input;
  input.write("hello");
  input.write_end = OwnedFd();
  RelayOptions options;
  options.half_close = false;
  options.idle_timeout = 300ms;
  SocketByteStream stream(ours);
  RelayResult r = relay(stream, input.read_end.get(), -1, options);
  EXPECT_EQ(r.end, RelayEnd::idle_timeout);
  peer.settimeout(0.2);
  EXPECT_EQ(peer.recv(100), "hello");
  EXPECT_NE(error_of([&, &peer = peer] { peer.recv(100); }).find("timed out"),
            std::string::npos);  // no EOF came
}

TEST(Relay, CrlfTranslatesLineEndsEvenAcrossReads) {
  auto [ours, peer] = loopback_pair();
  Pipe input;
  input.write("HELO me\nMAIL FROM:<a@b>\r\n\nend");
  input.write_end = OwnedFd();
  RelayOptions options;
  options.crlf = true;
  options.chunk_size = 1;  // every byte its own read: a '\r' and its '\n' arrive apart
  SocketByteStream stream(ours);
  auto reader = std::async(std::launch::async, [&, &peer = peer] {
    std::string got = recv_all(peer);
    peer.close();
    return got;
  });
  RelayResult r = relay(stream, input.read_end.get(), -1, options);
  EXPECT_EQ(reader.get(), "HELO me\r\nMAIL FROM:<a@b>\r\n\r\nend");
  EXPECT_EQ(r.sent, 31u);  // what went on the wire, the added '\r's counted
}

TEST(Relay, IdleTimeoutEndsAQuietConnection) {
  auto [ours, peer] = loopback_pair();
  RelayOptions options;
  options.idle_timeout = 100ms;
  SocketByteStream stream(ours);
  EXPECT_EQ(relay(stream, -1, -1, options).end, RelayEnd::idle_timeout);
  EXPECT_EQ(peer.recv(10), "");  // no input at all: half-closed at once
}

TEST(Relay, DatagramsKeepTheirBoundariesAndAnEmptyOneIsNotTheEnd) {
  auto [ours, peer] = socketpair(Family::unix, Type::dgram);
  peer.send(std::string_view("one"));
  peer.send(std::string_view(""));
  peer.send(std::string_view("two"));
  Pipe output;
  RelayOptions options;
  options.idle_timeout = 200ms;
  SocketByteStream stream(ours);
  RelayResult r = relay(stream, -1, output.write_end.get(), options);
  output.write_end = OwnedFd();
  EXPECT_EQ(r.end, RelayEnd::idle_timeout);
  EXPECT_EQ(output.read_all(), "onetwo");
}

TEST(Relay, ADatagramLargerThanTheChunkArrivesWhole) {
  auto [ours, peer] = socketpair(Family::unix, Type::dgram);
  std::string big = random_bytes(60000);
  peer.send(std::string_view(big));
  Pipe output;
  RelayOptions options;
  options.idle_timeout = 200ms;
  options.chunk_size = 16 * 1024;  // what soket connect -u reads from stdin per datagram
  SocketByteStream stream(ours);
  auto collected = std::async(std::launch::async, [&] { return output.read_all(); });
  relay(stream, -1, output.write_end.get(), options);
  output.write_end = OwnedFd();
  EXPECT_TRUE(collected.get() == big);
}

// A stream that reads the socket in big gulps and hands out one byte at a time, as a TLS
// stream hands out decrypted records: poll(2) sees nothing for the bytes it keeps.
class GulpingStream final : public RelayStream {
 public:
  explicit GulpingStream(Socket& s) : inner_(s) {}
  int fileno() const noexcept override { return inner_.fileno(); }
  bool buffered() const noexcept override { return !kept_.empty(); }
  std::size_t read_some(std::span<std::byte> buffer) override {
    if (kept_.empty()) kept_ = std::string(inner_.recv(65536));
    if (kept_.empty()) return 0;
    buffer[0] = static_cast<std::byte>(kept_[0]);
    kept_.erase(0, 1);
    return 1;
  }
  void write_all(std::span<const std::byte> data) override { inner_.sendall(data); }
  void shutdown_write() override { inner_.shutdown(Shut::wr); }

 private:
  Socket& inner_;
  std::string kept_;
};

TEST(Relay, BytesAStreamKeepsInUserSpaceAreRelayedWithoutWaiting) {
  auto [ours, peer] = loopback_pair();
  peer.sendall(std::string_view("all of this arrives in one segment"));
  Pipe output;
  RelayOptions options;
  options.idle_timeout = 5s;  // generous: without buffered() the relay would sit here
  GulpingStream stream(ours);
  auto reader = std::async(std::launch::async, [&] { return output.read_all(); });
  std::thread closer([&, &peer = peer] {
    std::this_thread::sleep_for(50ms);
    peer.shutdown(Shut::wr);
  });
  RelayResult r = relay(stream, -1, output.write_end.get(), options);
  closer.join();
  output.write_end = OwnedFd();
  EXPECT_EQ(r.end, RelayEnd::peer_closed);
  EXPECT_EQ(reader.get(), "all of this arrives in one segment");
}

TEST(Relay, AClosedOutputIsBrokenPipeNotADeadProcess) {
  auto [ours, peer] = loopback_pair();
  peer.sendall(std::string_view("nobody reads this"));
  Pipe output;
  output.read_end = OwnedFd();
  SocketByteStream stream(ours);
  EXPECT_EQ(error_of([&] { relay(stream, -1, output.write_end.get(), {}); }),
            "write to output: Broken pipe");
}

TEST(Relay, AnUnreadableInputIsNamed) {
  auto [ours, peer] = loopback_pair();
  OwnedFd dir(::open("/", O_RDONLY | O_CLOEXEC));  // poll says readable, read(2) says EISDIR
  SocketByteStream stream(ours);
  EXPECT_EQ(error_of([&] { relay(stream, dir.get(), -1, {}); }), "read from input: Is a directory");
}

TEST(Relay, APeerResetIsTheStreamsError) {
  auto [ours, peer] = loopback_pair();
  peer.setsockopt(opt::linger, opt::Seconds(0));  // close() sends RST
  peer.close();
  SocketByteStream stream(ours);
  EXPECT_THROW(relay(stream, -1, -1, {}), ConnectionResetError);
}

TEST(Relay, ChunkSizeZeroIsRefused) {
  auto [ours, peer] = loopback_pair();
  SocketByteStream stream(ours);
  RelayOptions options;
  options.chunk_size = 0;
  EXPECT_THROW(relay(stream, -1, -1, options), std::invalid_argument);
}

}  // namespace
}  // namespace soket::io
