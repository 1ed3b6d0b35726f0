// SPDX-License-Identifier: MIT
// FTP against fake servers the test scripts: garbage, huge lines, closing mid-reply, silence,
// PASV replies aimed elsewhere, injected bytes after AUTH TLS. Each must be a typed error
// naming the command (or, for PASV, the address ignored), never a hang or a crash.
#include <soket/io/socket_file.hpp>
#include <soket/proto/ftp/ftp.hpp>
#include <soket/soket.hpp>

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/support.hpp"

namespace ftp = soket::proto::ftp;
using soket::Socket;
using soket::io::SocketFile;

namespace {

// The fake server's side of the control connection: commands in, replies out (CRLF added).
struct Peer {
  Socket& sock;
  SocketFile& file;
  void say(std::string_view reply) { sock.sendall(std::string(reply) + "\r\n"); }
  // Reads one command line; "" when the client closed.
  std::string command() {
    std::string line = file.readline();
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
  }
  // The next command must be `expected`; `reply` answers it.
  void answer(std::string_view expected, std::string_view reply) {
    EXPECT_EQ(command(), expected);
    say(reply);
  }
};

// One connection served by `script` on a thread; the destructor joins it.
class FakeServer {
 public:
  using Script = std::function<void(Peer&)>;
  explicit FakeServer(Script script, soket::Family family = soket::Family::inet)
      : listener_(soket::test::listen_ephemeral(
            family, family == soket::Family::inet6 ? "::1" : "127.0.0.1")) {
    listener_.settimeout(20.0);
    thread_ = std::thread([this, script = std::move(script)] {
      try {
        auto [conn, peer] = listener_.accept();
        conn.settimeout(20.0);
        // ABOR's last byte comes as TCP urgent data: read it in line, as FTP servers do.
        conn.setsockopt(SOL_SOCKET, SO_OOBINLINE, 1);
        SocketFile file(conn);
        Peer p{conn, file};
        script(p);
      } catch (const std::exception& e) {
        error_ = e.what();  // the client hung up first: fine for most scripts
      }
    });
  }
  ~FakeServer() { thread_.join(); }
  std::uint16_t port() const { return listener_.getsockname().port(); }
  std::string host() const { return listener_.getsockname().host(); }

 private:
  Socket listener_;
  std::thread thread_;
  std::string error_;
};

// The commonest script: greet with "220 hi", then each command must come in turn and gets
// its reply.
FakeServer::Script dialogue(std::vector<std::pair<std::string, std::string>> steps) {
  return [steps = std::move(steps)](Peer& p) {
    p.say("220 hi");
    for (const auto& [command, reply] : steps) p.answer(command, reply);
  };
}

// The listener of a data connection, and the six numbers a 227 reply gives for it.
struct DataListener {
  Socket sock;
  explicit DataListener(const char* host = "127.0.0.1")
      : sock(soket::test::listen_ephemeral(soket::Family::inet, host)) {
    sock.settimeout(20.0);
  }
  // "h1,h2,h3,h4,p1,p2", the host given as its four numbers (where the reply points).
  std::string numbers(std::string_view host = "127,0,0,1") const {
    const std::uint16_t p = sock.getsockname().port();
    return std::string(host) + "," + std::to_string(p / 256) + "," + std::to_string(p % 256);
  }
};

ftp::FTP client(const FakeServer& server) {
  ftp::FTP f(std::chrono::seconds(10));
  f.connect(server.host(), server.port());
  return f;
}

// `op` must throw E with exactly the message `what`; `more` checks the rest of the error.
template <class E>
void expect_error(const std::function<void()>& op, std::string_view what,
                  const std::function<void(const E&)>& more = {}) {
  try {
    op();
    ADD_FAILURE() << "no error; expected: " << what;
  } catch (const E& e) {
    EXPECT_EQ(std::string_view(e.what()), what);
    if (more) more(e);
  }
}

}  // namespace

TEST(FtpHostile, MultiLineBannerEndsOnlyAtItsOwnCode) {
  FakeServer server([](Peer& p) {
    p.say("220-Welcome\r\n230-not the end\r\n 220 indented\r\n220 done");
    p.answer("QUIT", "221 bye");
  });
  ftp::FTP f = client(server);
  EXPECT_EQ(f.getwelcome(), "220-Welcome\n230-not the end\n 220 indented\n220 done");
  EXPECT_EQ(f.quit(), "221 bye");
}

TEST(FtpHostile, GarbageIsErrorProto) {
  FakeServer server([](Peer& p) { p.say("hello there"); });
  ftp::FTP f(std::chrono::seconds(10));
  expect_error<ftp::error_proto>([&] { f.connect(server.host(), server.port()); },
                                 "connect: hello there",
                                 [](const auto& e) { EXPECT_EQ(e.reply(), "hello there"); });
}

TEST(FtpHostile, HugeLineIsRefused) {
  FakeServer server([](Peer& p) { p.say("220 " + std::string(100000, 'a')); });
  ftp::FTP f(std::chrono::seconds(10));
  expect_error<ftp::error_line_too_long>([&] { f.connect(server.host(), server.port()); },
                                         "connect: got more than 8192 bytes");
}

TEST(FtpHostile, EndlessMultiLineReplyIsBounded) {
  FakeServer server([](Peer& p) {
    p.say("220-start");
    std::string lines;
    for (int i = 0; i < 100; ++i) lines += "220-" + std::string(1000, 'x') + "\r\n";
    try {
      for (int i = 0; i < 100; ++i) p.sock.sendall(lines);
    } catch (const std::exception&) {
    }
  });
  ftp::FTP f(std::chrono::seconds(10));
  f.max_reply_size(64 * 1024);
  EXPECT_THROW(f.connect(server.host(), server.port()), ftp::error_proto);
}

TEST(FtpHostile, CloseMidReplyIsErrorEof) {
  FakeServer server(dialogue({{"USER anonymous", "331-first line of a reply that never ends"}}));
  ftp::FTP f = client(server);
  expect_error<ftp::error_eof>([&] { f.login(); },
                               "USER anonymous: connection closed before the reply ended");
}

TEST(FtpHostile, SilentServerTimesOut) {
  FakeServer server([](Peer& p) {
    p.say("220 hi");
    p.command();  // NOOP: never answered
    p.command();  // waits for the client to go
  });
  ftp::FTP f = client(server);
  f.sock().settimeout(0.2);
  EXPECT_THROW(f.voidcmd("NOOP"), soket::TimeoutError);
  f.close();
}

TEST(FtpHostile, ReplyCodesMapToErrorKinds) {
  FakeServer server(dialogue({{"SIZE a", "450 busy"},
                              {"SIZE b", "550 no such file"},
                              {"DELE c", "331 odd"},
                              {"USER u", "331 password"},
                              {"PASS pw", "530 Login incorrect."},
                              {"SIZE d", "213 not-a-number"}}));
  ftp::FTP f = client(server);
  expect_error<ftp::error_temp>([&] { f.size("a"); }, "SIZE a: 450 busy",
                                [](const auto& e) { EXPECT_EQ(e.code(), "450"); });
  expect_error<ftp::error_perm>([&] { f.size("b"); }, "SIZE b: 550 no such file");
  EXPECT_THROW(f.delete_("c"), ftp::error_reply);
  expect_error<ftp::error_perm>([&] { f.login("u", "pw"); },
                                "PASS **: 530 Login incorrect.");  // the password masked
  EXPECT_THROW(f.size("d"), ftp::error_proto);
}

TEST(FtpHostile, NewlineInACommandIsRefusedBeforeSending) {
  FakeServer server(dialogue({{"NOOP", "200 ok"}}));  // the injected DELE never arrived
  ftp::FTP f = client(server);
  EXPECT_THROW(f.size("a\r\nDELE important"), std::invalid_argument);
  EXPECT_THROW(f.cwd("x\ny"), std::invalid_argument);
  EXPECT_EQ(f.voidcmd("NOOP"), "200 ok");
}

TEST(FtpHostile, SendcmdReturnsAnyPositiveReplyVoidcmdOnly2xx) {
  FakeServer server(dialogue({{"RNFR a", "350 ready for RNTO"},
                              {"RNFR b", "350 ready for RNTO"},
                              {"SITE x", "500 unknown"}}));
  ftp::FTP f = client(server);
  EXPECT_EQ(f.sendcmd("RNFR a"), "350 ready for RNTO");
  EXPECT_THROW(f.voidcmd("RNFR b"), ftp::error_reply);
  EXPECT_THROW(f.sendcmd("SITE x"), ftp::error_perm);
  EXPECT_THROW(f.sendcmd("NOOP\r\nDELE important"), std::invalid_argument);
}

// A 227 naming another host: the data connection still goes to the control peer (Python's
// trust_server_pasv_ipv4_address=False), so a hostile server cannot aim it elsewhere.
TEST(FtpHostile, PasvAddressIsIgnored) {
  DataListener data;
  FakeServer server([&](Peer& p) {
    p.say("220 hi");
    p.answer("TYPE I", "200 ok");
    p.answer("PASV", "227 Entering Passive Mode (" + data.numbers("10,9,8,7") + ").");
    auto [conn, peer] = data.sock.accept();
    EXPECT_EQ(peer.host(), "127.0.0.1");
    p.answer("RETR x", "150 Opening (5 bytes)");
    conn.sendall("hello");
    conn.close();
    p.say("226 done");
  });
  ftp::FTP f = client(server);
  std::string got;
  EXPECT_EQ(f.retrbinary("RETR x", [&](std::string_view b) { got += b; }), "226 done");
  EXPECT_EQ(got, "hello");
}

// Trusted (opt-in), the 227's address is used: 127.0.0.2 is loopback too.
TEST(FtpHostile, PasvAddressTrustedWhenAsked) {
  DataListener data("127.0.0.2");
  FakeServer server([&](Peer& p) {
    p.say("220 hi");
    p.answer("PASV", "227 (" + data.numbers("127,0,0,2") + ")");
    auto [conn, peer] = data.sock.accept();
    p.answer("NLST", "150 here");
    conn.sendall("a\r\nb\n");
    conn.close();
    p.say("226 done");
  });
  ftp::FTP f = client(server);
  f.trust_server_pasv_ipv4_address(true);
  auto [conn, size] = f.ntransfercmd("NLST");
  std::string all;
  std::array<std::byte, 64> buf{};
  while (std::size_t n = conn.read_some(buf)) all.append(reinterpret_cast<char*>(buf.data()), n);
  conn.close();
  EXPECT_EQ(f.voidresp(), "226 done");
  EXPECT_EQ(all, "a\r\nb\n");
  EXPECT_EQ(size, std::nullopt);
}

TEST(FtpHostile, MalformedPassiveRepliesAreErrorProto) {
  FakeServer server(dialogue(
      {{"PASV", "227 Entering Passive Mode (300,1,1,1,1,1)"}, {"PASV", "227 no numbers"}}));
  ftp::FTP f = client(server);
  EXPECT_THROW(f.makepasv(), ftp::error_proto);
  EXPECT_THROW(f.makepasv(), ftp::error_proto);
}

TEST(FtpHostile, EndlessListingLineIsRefused) {
  DataListener data;
  FakeServer server([&](Peer& p) {
    p.say("220 hi");
    p.answer("TYPE A", "200 ok");
    p.answer("PASV", "227 (" + data.numbers() + ")");
    auto [conn, peer] = data.sock.accept();
    p.answer("NLST", "150 here");
    try {
      for (int i = 0; i < 64; ++i) conn.sendall(std::string(4096, 'n'));
    } catch (const std::exception&) {
    }
  });
  ftp::FTP f = client(server);
  expect_error<ftp::error_line_too_long>([&] { f.nlst(); }, "NLST: got more than 8192 bytes");
  f.close();
}

TEST(FtpHostile, RefusedTransferClosesTheDataConnection) {
  DataListener data;
  FakeServer server([&](Peer& p) {
    p.say("220 hi");
    p.answer("TYPE I", "200 ok");
    p.answer("PASV", "227 (" + data.numbers() + ")");
    auto [conn, peer] = data.sock.accept();
    p.answer("REST 10", "350 Restarting at 10");
    p.answer("RETR missing", "550 Failed to open file.");
    EXPECT_EQ(conn.recv(10), "");  // the client closed its end
  });
  ftp::FTP f = client(server);
  EXPECT_THROW(f.retrbinary(
                   "RETR missing", [](std::string_view) {}, 8192, 10),
               ftp::error_perm);
}

TEST(FtpHostile, BytesAfterAuthTlsAreRefused) {
  FakeServer server([](Peer& p) {
    p.say("220 hi");
    p.answer("AUTH TLS", "234 go ahead\r\n230 injected before the handshake");
    p.command();
  });
  ftp::FTP_TLS f(soket::tls::create_unverified_context(), std::chrono::seconds(10));
  f.connect(server.host(), server.port());
  expect_error<ftp::error_proto>([&] { f.auth(); },
                                 "AUTH TLS: clear-text data after the reply to AUTH TLS refused");
  f.close();
}

TEST(FtpHostile, ZeroTimeoutIsRefused) {
  ftp::FTP f(std::chrono::seconds(0));
  EXPECT_THROW(f.connect("127.0.0.1", soket::test::closed_port()), std::invalid_argument);
}

TEST(FtpHostile, NotConnected) {
  ftp::FTP f;
  EXPECT_THROW(f.voidcmd("NOOP"), ftp::Error);
}

// ABOR goes as urgent data; a 426 is accepted and the 226 after it is the caller's to read.
TEST(FtpHostile, AbortAcceptsOnlyItsReplies) {
  FakeServer server(
      dialogue({{"ABOR", "426 Connection closed; transfer aborted.\r\n226 Abort successful"},
                {"ABOR", "200 what?"}}));
  ftp::FTP f = client(server);
  EXPECT_EQ(f.abort(), "426 Connection closed; transfer aborted.");
  EXPECT_EQ(f.getresp(), "226 Abort successful");
  EXPECT_THROW(f.abort(), ftp::error_proto);
}

// "Some servers apparently send a 200 reply to a LIST or STOR command, before the 150 reply":
// transfercmd reads one more reply then; a 2xx without a 1xx after it is error_reply.
TEST(FtpHostile, TwoHundredBeforeOneFifty) {
  DataListener data;
  const std::string pasv = "227 (" + data.numbers() + ")";
  FakeServer server([&](Peer& p) {
    p.say("220 hi");
    p.answer("PASV", pasv);
    auto first = data.sock.accept();
    p.answer("LIST", "200 fine\r\n125 already open");
    first.conn.close();
    p.answer("PASV", pasv);
    auto second = data.sock.accept();
    p.answer("LIST", "200 fine\r\n250 done without data");
  });
  ftp::FTP f = client(server);
  ftp::DataConnection conn = f.transfercmd("LIST");
  EXPECT_FALSE(conn.secure());
  conn.close();
  EXPECT_THROW(f.transfercmd("LIST"), ftp::error_reply);
}

// Active mode: PORT names the control connection's local address and a port that accepts.
TEST(FtpHostile, ActiveModeSendsPort) {
  FakeServer server([](Peer& p) {
    p.say("220 hi");
    p.answer("TYPE A", "200 ok");
    std::string port = p.command();
    ASSERT_TRUE(port.starts_with("PORT 127,0,0,1,")) << port;
    int p1 = 0, p2 = 0;
    ASSERT_EQ(std::sscanf(port.c_str(), "PORT 127,0,0,1,%d,%d", &p1, &p2), 2);
    p.say("200 PORT ok");
    p.answer("NLST", "150 connecting");
    Socket out(soket::Family::inet);
    out.connect(soket::Address("127.0.0.1", p1 * 256 + p2));
    out.sendall("only\r\n");
    out.close();
    p.say("226 done");
  });
  ftp::FTP f = client(server);
  f.set_pasv(false);
  EXPECT_EQ(f.nlst(), std::vector<std::string>{"only"});
}

TEST(FtpHostile, SendportAndSendeprtWords) {
  FakeServer server(dialogue({{"PORT 10,1,2,3,4,1", "200 ok"},
                              {"EPRT |2|::1|1025|", "200 ok"},
                              {"EPRT |1|10.1.2.3|1025|", "500 no"}}));
  ftp::FTP f = client(server);
  f.sendport("10.1.2.3", 1025);
  f.sendeprt("::1", 1025);
  EXPECT_THROW(f.sendeprt("10.1.2.3", 1025), ftp::error_perm);
}

TEST(FtpHostile, TlsCallsNeedTls) {
  FakeServer server(dialogue({{"AUTH TLS", "504 AUTH TLS not supported"}}));
  ftp::FTP_TLS f(soket::tls::create_unverified_context(), std::chrono::seconds(10));
  f.connect(server.host(), server.port());
  EXPECT_THROW(f.ccc(), std::invalid_argument);  // not using TLS
  EXPECT_THROW(f.login("u", "p"), ftp::error_perm);
  EXPECT_FALSE(f.data_protected());
}

// set_debuglevel(2) shows commands, lines put and replies, with the password masked; maxline
// is per instance; makeport announces its listener; lastresp is the last code.
TEST(FtpHostile, DebugOutputMasksThePassword) {
  FakeServer server([](Peer& p) {
    p.say("220 hi");
    p.answer("USER u", "331 password please");
    p.answer("PASS hunter2", "230 in");
    EXPECT_TRUE(p.command().starts_with("PORT 127,0,0,1,"));
    p.say("200 ok");
    p.answer("NOOP", "200 " + std::string(200, 'x'));
  });
  ftp::FTP f = client(server);
  EXPECT_EQ(f.maxline(), ftp::MAXLINE);
  EXPECT_EQ(f.port(), server.port());
  EXPECT_NE(f.port(), ftp::FTP_PORT);
  testing::internal::CaptureStderr();
  f.set_debuglevel(2);
  f.login("u", "hunter2");
  std::string debug = testing::internal::GetCapturedStderr();
  EXPECT_NE(debug.find("*cmd* PASS *******\n"), std::string::npos) << debug;
  EXPECT_NE(debug.find("*put* USER u\n"), std::string::npos) << debug;
  EXPECT_NE(debug.find("*resp* 230 in\n"), std::string::npos) << debug;
  EXPECT_EQ(debug.find("hunter2"), std::string::npos);
  f.set_debuglevel(0);
  EXPECT_EQ(f.lastresp(), "230");
  Socket listener = f.makeport();
  EXPECT_EQ(listener.getsockname().host(), "127.0.0.1");
  f.maxline(100);
  EXPECT_THROW(f.voidcmd("NOOP"), ftp::error_line_too_long);
}
