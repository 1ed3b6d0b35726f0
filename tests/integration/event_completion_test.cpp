// SPDX-License-Identifier: MIT
// The completion model's promises (io_uring: the poller receives and sends for a connection),
// checked on both backends (the ".uring" copies): bytes that arrive while reading is off are
// held and shown in order when it resumes, then the peer's FIN; sends queued in one turn
// leave in order with a file after them.
#include <soket/event/loop.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <cstdio>
#include <string>
#include <thread>

#include <soket/event/buffer.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/handler.hpp>

#include "support/support.hpp"

using namespace soket;
using namespace soket::event;
using namespace std::chrono_literals;

namespace {

// Reads everything the peer sends until its FIN (bounded by the socket timeout).
std::string read_to_end(Socket& s) {
  s.settimeout(10s);
  std::string all;
  for (;;) {
    std::string part = s.recv(65536);
    if (part.empty()) return all;
    all += part;
  }
}

}  // namespace

// The bytes and the FIN are already there when the connection is adopted and the handler
// turns reading off in on_open: on io_uring the first receive completes before its cancel,
// so the engine holds what it got. Nothing reaches on_data until reading resumes; then the
// bytes in order, then on_close for the FIN.
TEST(Completion, BytesThatCameWhileReadingWasOffComeAfterResumeThenTheFin) {
  auto [client, server] = test::loopback_pair();
  client.sendall("hello, ");
  client.sendall("held world");
  client.shutdown(Shut::wr);
  struct Held : Handler {
    Loop* loop = nullptr;
    bool resumed = false;
    std::string got, events;
    void on_open(Connection& c) override {
      c.pause_reading();
      ConnectionId id = c.id();
      loop->call_after(50ms, [this, id] {
        resumed = true;
        if (Connection* conn = loop->find(id)) conn->resume_reading();
      });
    }
    void on_data(Connection&, Buffer& in) override {
      EXPECT_TRUE(resumed) << "on_data while reading was off";
      got += in.view();
      in.retrieve_all();
      events += 'd';
    }
    void on_close(Connection&, std::error_code reason) override {
      EXPECT_FALSE(reason) << reason.message();
      events += 'c';
      loop->stop();
    }
  } h;
  Loop loop;  // after the handler: the Loop closes its connections, calling h, when it ends
  h.loop = &loop;
  ConnectionOptions options;
  loop.adopt(std::move(server), h, options);
  loop.call_after(10s, [&] { loop.stop(); });  // bounded: a lost FIN ends the test, failed
  loop.run();
  EXPECT_EQ(h.got, "hello, held world");
  ASSERT_FALSE(h.events.empty());
  EXPECT_EQ(h.events.back(), 'c');
  EXPECT_EQ(h.events.find('c'), h.events.size() - 1);
}

// Pausing and resuming inside on_data, many times over one stream: every byte exactly once,
// in order (a cancelled receive's last bytes must neither vanish nor pass newer ones).
TEST(Completion, PauseAndResumeOnEveryMessageKeepsTheStreamWhole) {
  auto [client, server] = test::loopback_pair();
  std::string sent;
  for (int i = 0; i < 2000; ++i) sent += std::to_string(i) + ',';
  struct Toggle : Handler {
    Loop* loop = nullptr;
    std::size_t expected = 0;
    std::string got;
    void on_data(Connection& c, Buffer& in) override {
      got += in.view();
      in.retrieve_all();
      c.pause_reading();
      ConnectionId id = c.id();
      loop->post([this, id] {
        if (Connection* conn = loop->find(id)) conn->resume_reading();
      });
      if (got.size() >= expected) loop->stop();
    }
  } h;
  Loop loop;  // after the handler: the Loop closes its connections, calling h, when it ends
  h.loop = &loop;
  h.expected = sent.size();
  ConnectionOptions options;
  loop.adopt(std::move(server), h, options);
  std::thread writer([&, c = &client] {
    for (std::size_t off = 0; off < sent.size(); off += 100) c->sendall(sent.substr(off, 100));
  });
  loop.call_after(20s, [&] { loop.stop(); });
  loop.run();
  writer.join();
  EXPECT_EQ(h.got.size(), sent.size());
  EXPECT_TRUE(h.got == sent);  // not EXPECT_EQ: a failure would print 9 KB twice
}

// In one on_data: small sends, a gathered send, then a file: the peer reads them in order,
// whether the bytes went by send(2) or on the ring (where the file must wait for them).
TEST(Completion, SendsQueuedInOneTurnThenAFileArriveInOrder) {
  auto [client, server] = test::loopback_pair();
  char path[] = "/tmp/soket-completion-XXXXXX";
  int file = ::mkstemp(path);
  ASSERT_GE(file, 0);
  ::unlink(path);
  std::string body(100000, 'f');
  ASSERT_EQ(::write(file, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  struct Replier : Handler {
    int file = -1;
    std::size_t size = 0;
    void on_data(Connection& c, Buffer& in) override {
      in.retrieve_all();
      for (int i = 0; i < 100; ++i) c.send("line " + std::to_string(i) + "\n");
      auto piece = [](std::string_view s) {
        return std::span(reinterpret_cast<const std::byte*>(s.data()), s.size());
      };
      c.send({piece("gathered "), piece("pieces\n")});
      std::error_code ec;
      c.sendfile(file, 0, size, ec);
      EXPECT_FALSE(ec) << ec.message();
      c.close_after_flush();
    }
  } h;
  Loop loop;  // after the handler: the Loop closes its connections, calling h, when it ends
  h.file = file;
  h.size = body.size();
  ConnectionOptions options;
  loop.adopt(std::move(server), h, options);
  std::string got;
  std::thread reader([&, c = &client] {
    try {
      c->sendall("go");
      got = read_to_end(*c);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  });
  std::thread stopper([&] {
    reader.join();
    loop.stop();
  });
  loop.run();
  stopper.join();
  ::close(file);
  std::string want;
  for (int i = 0; i < 100; ++i) want += "line " + std::to_string(i) + "\n";
  want += "gathered pieces\n" + body;
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}
