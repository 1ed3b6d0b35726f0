// SPDX-License-Identifier: MIT
// NNTP against scripted hostile servers on loopback: each bad reply becomes the typed error
// nntplib raises, naming the command; the bytes POST sends are checked (dot-stuffing), and a
// STARTTLS reply with plaintext smuggled after it is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <soket/io/socket_file.hpp>
#include <soket/proto/nntp/nntp.hpp>

#include "support/support.hpp"
#include "tls/self_signed.hpp"
#include "tls/tls_support.hpp"

namespace nntp = soket::proto::nntp;

namespace {

// Sends `welcome`, then answers each line it reads with answer(line): the bytes to send (may
// be empty), or nullopt to close; bytes after a leading `close_after` marker are sent and the
// connection closed. Every line received is kept (without CRLF).
constexpr std::string_view close_after = "<close>";

class ScriptedServer {
 public:
  using Answer = std::function<std::optional<std::string>(const std::string&)>;
  ScriptedServer(std::string welcome, Answer answer) : listener_(soket::test::listen_ephemeral()) {
    port_ = listener_.getsockname().port();
    thread_ = std::thread([this, welcome = std::move(welcome), answer = std::move(answer)] {
      try {
        auto conn = listener_.accept().conn;
        conn.settimeout(10.0);
        conn.sendall(welcome);
        soket::io::SocketFile file(conn);
        for (;;) {
          std::string line = file.readline();
          if (line.empty()) return;
          while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
          {
            std::lock_guard lock(mu_);
            lines_.push_back(line);
          }
          auto reply = answer(line);
          if (!reply) return;
          if (reply->starts_with(close_after)) {
            conn.sendall(reply->substr(close_after.size()));
            return;
          }
          if (!reply->empty()) conn.sendall(*reply);
        }
      } catch (const std::exception&) {
      }
    });
  }
  ~ScriptedServer() { thread_.join(); }
  std::uint16_t port() const { return port_; }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  soket::Socket listener_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

nntp::NNTPOptions quick(double seconds = 10) {
  nntp::NNTPOptions o;
  o.timeout =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
  return o;
}

// A minimal reader: CAPABILITIES refused (an RFC 977 server), QUIT answered, the rest by `more`.
ScriptedServer::Answer basic(std::function<std::optional<std::string>(const std::string&)> more) {
  return [more = std::move(more)](const std::string& line) -> std::optional<std::string> {
    if (line == "CAPABILITIES") return "500 What?\r\n";
    if (line == "QUIT") return "205 bye\r\n";
    return more(line);
  };
}

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no error of the expected type)";
}

}  // namespace

TEST(NNTPClient, WelcomeErrorsAreTyped) {
  {
    ScriptedServer server("400 service unavailable\r\n", basic([](auto&) { return std::nullopt; }));
    EXPECT_EQ(error_of<nntp::NNTPTemporaryError>(
                  [&] { nntp::NNTP("127.0.0.1", server.port(), quick()); }),
              "nntp welcome: 400 service unavailable");
  }
  {
    ScriptedServer server("hello there\r\n", basic([](auto&) { return std::nullopt; }));
    EXPECT_EQ(
        error_of<nntp::NNTPProtocolError>([&] { nntp::NNTP("127.0.0.1", server.port(), quick()); }),
        "nntp welcome: not a reply: \"hello there\"");
  }
}

TEST(NNTPClient, TooLongLineIsDataError) {
  ScriptedServer server("200 " + std::string(3000, 'x') + "\r\n",
                        basic([](auto&) { return std::nullopt; }));
  EXPECT_THROW(nntp::NNTP("127.0.0.1", server.port(), quick()), nntp::NNTPDataError);
}

TEST(NNTPClient, CloseMidListIsEOF) {
  ScriptedServer server("200 ok\r\n",
                        basic([](const std::string& line) -> std::optional<std::string> {
                          if (line == "LIST") return std::nullopt;  // close without a reply
                          return "500 no\r\n";
                        }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  EXPECT_THROW(s.list(), soket::proto::EOFError);
}

TEST(NNTPClient, CloseInsideTheBlockIsEOF) {
  ScriptedServer server("200 ok\r\n",
                        basic([](const std::string& line) -> std::optional<std::string> {
                          if (line == "LIST")
                            return std::string(close_after) + "215 list\r\nlocal.a 1 1 y\r\n";
                          return "500 no\r\n";
                        }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  try {
    s.list();
    FAIL() << "no error";
  } catch (const soket::proto::EOFError& e) {
    EXPECT_NE(std::string(e.what()).find("LIST"), std::string::npos) << e.what();
  }
}

TEST(NNTPClient, SilentServerTimesOut) {
  ScriptedServer server("200 ok\r\n",
                        basic([](const std::string& line) -> std::optional<std::string> {
                          if (line == "DATE") return std::string();  // never answers
                          return "500 no\r\n";
                        }));
  nntp::NNTP s("127.0.0.1", server.port(), quick(0.3));
  EXPECT_THROW(s.date(), soket::TimeoutError);
  s.channel().close();
}

TEST(NNTPClient, BadRepliesToGroupAndDate) {
  ScriptedServer server("201 ok\r\n",
                        basic([](const std::string& line) -> std::optional<std::string> {
                          if (line == "GROUP short") return "211 1 2\r\n";
                          if (line == "GROUP other") return "200 what\r\n";
                          if (line == "GROUP letters") return "211 a b c letters\r\n";
                          if (line == "DATE") return "111 2026130112345\r\n";
                          return "500 no\r\n";
                        }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  EXPECT_THROW(s.group("short"), nntp::NNTPDataError);
  EXPECT_EQ(error_of<nntp::NNTPReplyError>([&] { s.group("other"); }),
            "nntp GROUP: unexpected reply 200 what");
  EXPECT_THROW(s.group("letters"), nntp::NNTPDataError);
  EXPECT_THROW(s.date(), nntp::NNTPDataError);
  EXPECT_EQ(error_of<nntp::NNTPPermanentError>([&] { s.help(); }), "nntp HELP: 500 no");
  EXPECT_TRUE(s.quit().starts_with("205"));
}

TEST(NNTPClient, PostDotStuffsOnTheWire) {
  bool in_article = false;
  ScriptedServer server("200 ok\r\n",
                        basic([&](const std::string& line) -> std::optional<std::string> {
                          if (in_article) {
                            if (line == ".") {
                              in_article = false;
                              return "240 posted\r\n";
                            }
                            return std::string();
                          }
                          if (line == "POST") {
                            in_article = true;
                            return "340 send it\r\n";
                          }
                          return "500 no\r\n";
                        }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  EXPECT_EQ(s.post("Subject: x\n\n.starts with a dot\n..two\nend"), "240 posted");
  s.quit();
  const auto lines = server.lines();
  const std::vector<std::string> want = {"Subject: x", "",    "..starts with a dot",
                                         "...two",     "end", "."};
  auto post = std::find(lines.begin(), lines.end(), "POST");
  ASSERT_NE(post, lines.end());
  EXPECT_EQ(std::vector<std::string>(post + 1, post + 1 + static_cast<long>(want.size())), want);
}

TEST(NNTPClient, OversizedBlockIsDataError) {
  ScriptedServer server("200 ok\r\n",
                        basic([](const std::string& line) -> std::optional<std::string> {
                          if (line == "HELP") {
                            std::string r = "100 help\r\n";
                            for (int i = 0; i < 200; ++i) r += "a line of help text\r\n";
                            return r + ".\r\n";
                          }
                          return "500 no\r\n";
                        }));
  auto options = quick();
  options.max_block = 1024;
  nntp::NNTP s("127.0.0.1", server.port(), options);
  EXPECT_THROW(s.help(), nntp::NNTPDataError);
}

TEST(NNTPClient, StartTlsWithSmuggledPlaintextIsRefused) {
  ScriptedServer server("200 ok\r\n",
                        basic([](const std::string& line) -> std::optional<std::string> {
                          if (line == "STARTTLS") return "382 go ahead\r\n211 1 1 1 injected\r\n";
                          return "500 no\r\n";
                        }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  soket::tls::SSLContext ctx(soket::tls::PROTOCOL_TLS_CLIENT);
  EXPECT_THROW(s.starttls(ctx), soket::proto::TLSInjectionError);
  EXPECT_FALSE(s.tls_on());
}

TEST(NNTPClient, CommandWithNewlineIsRefusedBeforeSending) {
  ScriptedServer server("200 ok\r\n", basic([](auto&) { return std::string("500 no\r\n"); }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  EXPECT_THROW(s.group("a\r\nPOST"), std::invalid_argument);
  s.quit();
}

TEST(NNTPClient, GoodRepliesParseIntoTheirTypes) {
  ScriptedServer server(
      "200 ok\r\n", basic([](const std::string& line) -> std::optional<std::string> {
        if (line == "LIST") return "215 list\r\nlocal.a 5 2 y\r\nlocal.b 0 1 n\r\n.\r\n";
        if (line == "GROUP local.a") return "211 4 2 5 local.a\r\n";
        if (line == "ARTICLE 3")
          return "220 3 <m3@example.org> article\r\nSubject: s\r\n\r\n..dot\r\nend\r\n.\r\n";
        if (line == "AUTHINFO USER u") return "381 password\r\n";
        if (line == "AUTHINFO PASS p") return "281 welcome\r\n";
        return "500 no\r\n";
      }));
  nntp::NNTP s("127.0.0.1", server.port(), quick());
  const std::pair<std::string, std::vector<nntp::GroupInfo>> listed = s.list();
  ASSERT_EQ(listed.second.size(), 2u);
  const nntp::GroupInfo& a = listed.second[0];
  EXPECT_EQ(a.group, "local.a");
  EXPECT_EQ(a.last, 5);
  EXPECT_EQ(a.first, 2);
  EXPECT_EQ(a.flag, "y");
  EXPECT_EQ(listed.second[1].group, "local.b");
  const nntp::GroupReply g = s.group("local.a");
  EXPECT_EQ(g.count, 4);
  EXPECT_EQ(g.first, 2);
  EXPECT_EQ(g.last, 5);
  EXPECT_EQ(g.name, "local.a");
  const std::pair<std::string, nntp::ArticleInfo> art = s.article("3");
  EXPECT_EQ(art.second.number, 3);
  EXPECT_EQ(art.second.message_id, "<m3@example.org>");
  EXPECT_EQ(art.second.lines, (std::vector<std::string>{"Subject: s", "", ".dot", "end"}));
  // STARTTLS after login is refused before anything is sent.
  s.login("u", "p");
  EXPECT_TRUE(s.authenticated());
  soket::tls::SSLContext ctx(soket::tls::PROTOCOL_TLS_CLIENT);
  EXPECT_THROW(s.starttls(ctx), std::logic_error);
  s.quit();
  const auto lines = server.lines();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "STARTTLS"), 0);
}

TEST(NNTPClient, SslContextMeansTlsFromTheFirstByte) {
  soket::test::OneShotServer srv([](soket::Socket conn) {
    conn.settimeout(10.0);
    soket::tls::SSLSocket s =
        soket::test::cert().server_context().wrap_socket(std::move(conn), true);
    s.sendall("200 tls welcome\r\n");
    std::string in;
    for (;;) {
      std::string data = s.recv(4096);
      if (data.empty()) return;
      in += data;
      for (std::size_t eol; (eol = in.find("\r\n")) != std::string::npos; in.erase(0, eol + 2)) {
        const std::string line = in.substr(0, eol);
        if (line == "CAPABILITIES")
          s.sendall("500 What?\r\n");
        else if (line == "QUIT") {
          s.sendall("205 bye\r\n");
          return;
        } else
          s.sendall("500 no\r\n");
      }
    }
  });
  soket::tls::SSLContext ctx(soket::tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(soket::test::cert().cert);
  auto options = quick();
  options.ssl_context = &ctx;
  nntp::NNTP s("127.0.0.1", srv.port(), options);
  EXPECT_TRUE(s.tls_on());
  EXPECT_EQ(s.getwelcome(), "200 tls welcome");
  EXPECT_TRUE(s.quit().starts_with("205"));
  EXPECT_EQ(srv.error(), "");
}
