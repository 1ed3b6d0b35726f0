// SPDX-License-Identifier: MIT
// Gopher against scripted servers on loopback: the exact request bytes, menus, text with its
// dot-end, binary bytes untouched, and the hostile ones (huge line, endless reply, silence).
#include <gtest/gtest.h>

#include <thread>

#include <soket/proto/gopher/client.hpp>

#include "support/support.hpp"

namespace gopher = soket::proto::gopher;

namespace {

// Answers one request with `reply` (then closes), remembering the request's bytes. With
// `hold`, it sends the reply and keeps the connection open until the client goes.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply, bool hold = false)
      : listener_(soket::test::listen_ephemeral()), reply_(std::move(reply)) {
    port_ = listener_.getsockname().port();
    thread_ = std::thread([this, hold] {
      auto conn = listener_.accept().conn;
      conn.settimeout(10.0);
      try {
        while (request_.find('\n') == std::string::npos) {
          std::string got = conn.recv(1024);
          if (got.empty()) break;
          request_ += got;
        }
        conn.sendall(reply_);
        if (hold) conn.recv(1);  // until the client closes (or 10 s)
      } catch (const std::exception&) {
      }
    });
  }
  ~OneShotServer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return port_; }
  const std::string& request() {
    join();
    return request_;
  }

 private:
  soket::Socket listener_;
  std::string reply_, request_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

gopher::Limits quick() {
  gopher::Limits l;
  l.timeout = 10;
  return l;
}

}  // namespace

TEST(GopherClient, MenuRequestAndParse) {
  OneShotServer server("iHello\t\tnull.host\t1\r\n1Sub\t/sub\t127.0.0.1\t70\r\n.\r\n");
  auto sock = gopher::send_selector("/dir", "127.0.0.1", server.port(), quick());
  const auto items = gopher::get_directory(sock, quick());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].selector, "/sub");
  EXPECT_EQ(server.request(), "/dir\r\n");
}

TEST(GopherClient, SearchSendsSelectorTabQuery) {
  OneShotServer server("0Result\t/r\th\t70\r\n.\r\n");
  const auto r =
      gopher::fetch(gopher::parse_url("gopher://127.0.0.1:" + std::to_string(server.port()) +
                                      "/7/find%09two words"),
                    quick());
  ASSERT_EQ(r.menu.size(), 1u);
  EXPECT_EQ(r.menu[0].display, "Result");
  EXPECT_EQ(server.request(), "/find\ttwo words\r\n");
}

TEST(GopherClient, TextIsUnstuffed) {
  OneShotServer server("first\r\n..dotted\r\n.\r\n");
  const auto r = gopher::fetch(
      gopher::parse_url("gopher://127.0.0.1:" + std::to_string(server.port()) + "/0/t"), quick());
  EXPECT_EQ(r.data, "first\r\n.dotted\r\n");
}

TEST(GopherClient, BinaryKeepsEveryByte) {
  std::string blob = ".\r\n";
  for (int i = 0; i < 256; ++i) blob += static_cast<char>(i);
  blob += "\r\n.\r\n";
  OneShotServer server(blob);
  const auto r = gopher::fetch(
      gopher::parse_url("gopher://127.0.0.1:" + std::to_string(server.port()) + "/9/b"), quick());
  EXPECT_EQ(r.data, blob);
}

TEST(GopherClient, HugeLineIsAnError) {
  OneShotServer server(std::string(100000, 'x') + "\r\n");
  auto sock = gopher::send_selector("", "127.0.0.1", server.port(), quick());
  try {
    gopher::get_directory(sock, quick());
    FAIL() << "no error";
  } catch (const gopher::Error& e) {
    EXPECT_STREQ(e.what(), "gopher get_directory: a line longer than 8192 bytes");
  }
}

TEST(GopherClient, ReplyPastMaxSizeIsAnError) {
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += "iline\t\tx\t1\r\n";
  OneShotServer server(lines);
  auto limits = quick();
  limits.max_size = 4096;
  auto sock = gopher::send_selector("", "127.0.0.1", server.port(), limits);
  EXPECT_THROW(gopher::get_directory(sock, limits), gopher::Error);
  OneShotServer binary(std::string(10000, 'b'));
  auto sock2 = gopher::send_selector("", "127.0.0.1", binary.port(), limits);
  EXPECT_THROW(gopher::get_binary(sock2, limits), gopher::Error);
}

TEST(GopherClient, SilentServerTimesOut) {
  OneShotServer server("", /*hold=*/true);
  auto limits = quick();
  limits.timeout = 0.3;
  auto sock = gopher::send_selector("", "127.0.0.1", server.port(), limits);
  EXPECT_THROW(gopher::get_directory(sock, limits), soket::TimeoutError);
  sock.close();
}

TEST(GopherClient, BadSelectorsAndTimeoutsAreRefusedBeforeConnecting) {
  EXPECT_THROW(gopher::send_selector("a\r\nb", "127.0.0.1", 70), std::invalid_argument);
  EXPECT_THROW(gopher::send_query("a", "q\tx", "127.0.0.1", 70), std::invalid_argument);
  gopher::Limits bad;
  bad.timeout = -1;
  EXPECT_THROW(gopher::send_selector("", "127.0.0.1", 70, bad), std::invalid_argument);
  EXPECT_THROW(gopher::send_selector("", "127.0.0.1", soket::test::closed_port(), quick()),
               soket::ConnectionRefusedError);
}
