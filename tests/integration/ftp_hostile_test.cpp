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
#include <sstream>
#include <thread>

#include "support/support.hpp"

namespace ftp = soket::proto::ftp;
using soket::Socket;
using soket::io::SocketFile;

namespace {

// One connection served by `script` on a thread; the destructor joins it.
class FakeServer {
 public:
  using Script = std::function<void(Socket&, SocketFile&)>;
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
        script(conn, file);
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

void send(Socket& s, std::string_view text) {
  s.sendall(text);
}

// Reads one command line; "" when the client closed.
std::string command(SocketFile& f) {
  std::string line = f.readline();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

ftp::FTP client(const FakeServer& server) {
  ftp::FTP f(std::chrono::seconds(10));
  f.connect(server.host(), server.port());
  return f;
}

}  // namespace

TEST(FtpHostile, MultiLineBannerEndsOnlyAtItsOwnCode) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220-Welcome\r\n230-not the end\r\n 220 indented\r\n220 done\r\n");
    EXPECT_EQ(command(f), "QUIT");
    send(s, "221 bye\r\n");
  });
  ftp::FTP f = client(server);
  EXPECT_EQ(f.getwelcome(), "220-Welcome\n230-not the end\n 220 indented\n220 done");
  EXPECT_EQ(f.quit(), "221 bye");
}

TEST(FtpHostile, GarbageIsErrorProto) {
  FakeServer server([](Socket& s, SocketFile&) { send(s, "hello there\r\n"); });
  ftp::FTP f(std::chrono::seconds(10));
  try {
    f.connect(server.host(), server.port());
    FAIL() << "garbage accepted";
  } catch (const ftp::error_proto& e) {
    EXPECT_EQ(e.reply(), "hello there");
    EXPECT_STREQ(e.what(), "connect: hello there");
  }
}

TEST(FtpHostile, HugeLineIsRefused) {
  FakeServer server(
      [](Socket& s, SocketFile&) { send(s, "220 " + std::string(100000, 'a') + "\r\n"); });
  ftp::FTP f(std::chrono::seconds(10));
  try {
    f.connect(server.host(), server.port());
    FAIL() << "huge line accepted";
  } catch (const ftp::error_line_too_long& e) {
    EXPECT_STREQ(e.what(), "connect: got more than 8192 bytes");
  }
}

TEST(FtpHostile, EndlessMultiLineReplyIsBounded) {
  FakeServer server([](Socket& s, SocketFile&) {
    send(s, "220-start\r\n");
    std::string lines;
    for (int i = 0; i < 100; ++i) lines += "220-" + std::string(1000, 'x') + "\r\n";
    try {
      for (int i = 0; i < 100; ++i) send(s, lines);
    } catch (const std::exception&) {
    }
  });
  ftp::FTP f(std::chrono::seconds(10));
  f.max_reply_size(64 * 1024);
  EXPECT_THROW(f.connect(server.host(), server.port()), ftp::error_proto);
}

TEST(FtpHostile, CloseMidReplyIsErrorEof) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "USER anonymous");
    send(s, "331-first line of a reply that never ends\r\n");
  });
  ftp::FTP f = client(server);
  try {
    f.login();
    FAIL() << "no error";
  } catch (const ftp::error_eof& e) {
    EXPECT_STREQ(e.what(), "USER anonymous: connection closed before the reply ended");
  }
}

TEST(FtpHostile, SilentServerTimesOut) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    command(f);  // NOOP: never answered
    command(f);  // waits for the client to go
  });
  ftp::FTP f = client(server);
  f.sock().settimeout(0.2);
  EXPECT_THROW(f.voidcmd("NOOP"), soket::TimeoutError);
  f.close();
}

TEST(FtpHostile, ReplyCodesMapToErrorKinds) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "SIZE a");
    send(s, "450 busy\r\n");
    EXPECT_EQ(command(f), "SIZE b");
    send(s, "550 no such file\r\n");
    EXPECT_EQ(command(f), "DELE c");
    send(s, "331 odd\r\n");
    EXPECT_EQ(command(f), "USER u");
    send(s, "331 password\r\n");
    EXPECT_EQ(command(f), "PASS pw");
    send(s, "530 Login incorrect.\r\n");
    EXPECT_EQ(command(f), "SIZE d");
    send(s, "213 not-a-number\r\n");
  });
  ftp::FTP f = client(server);
  try {
    f.size("a");
    FAIL();
  } catch (const ftp::error_temp& e) {
    EXPECT_EQ(e.code(), "450");
  }
  try {
    f.size("b");
    FAIL();
  } catch (const ftp::error_perm& e) {
    EXPECT_STREQ(e.what(), "SIZE b: 550 no such file");
  }
  EXPECT_THROW(f.delete_("c"), ftp::error_reply);
  try {
    f.login("u", "pw");
    FAIL();
  } catch (const ftp::error_perm& e) {
    EXPECT_STREQ(e.what(), "PASS **: 530 Login incorrect.");  // the password masked
  }
  EXPECT_THROW(f.size("d"), ftp::error_proto);
}

TEST(FtpHostile, NewlineInACommandIsRefusedBeforeSending) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "NOOP");  // the injected DELE never arrived
    send(s, "200 ok\r\n");
  });
  ftp::FTP f = client(server);
  EXPECT_THROW(f.size("a\r\nDELE important"), std::invalid_argument);
  EXPECT_THROW(f.cwd("x\ny"), std::invalid_argument);
  EXPECT_EQ(f.voidcmd("NOOP"), "200 ok");
}

TEST(FtpHostile, SendcmdReturnsAnyPositiveReplyVoidcmdOnly2xx) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "RNFR a");
    send(s, "350 ready for RNTO\r\n");
    EXPECT_EQ(command(f), "RNFR b");
    send(s, "350 ready for RNTO\r\n");
    EXPECT_EQ(command(f), "SITE x");
    send(s, "500 unknown\r\n");
  });
  ftp::FTP f = client(server);
  EXPECT_EQ(f.sendcmd("RNFR a"), "350 ready for RNTO");
  EXPECT_THROW(f.voidcmd("RNFR b"), ftp::error_reply);
  EXPECT_THROW(f.sendcmd("SITE x"), ftp::error_perm);
  EXPECT_THROW(f.sendcmd("NOOP\r\nDELE important"), std::invalid_argument);
}

// A 227 naming another host: the data connection still goes to the control peer (Python's
// trust_server_pasv_ipv4_address=False), so a hostile server cannot aim it elsewhere.
TEST(FtpHostile, PasvAddressIsIgnored) {
  Socket data = soket::test::listen_ephemeral();
  data.settimeout(20.0);
  std::uint16_t p = data.getsockname().port();
  FakeServer server([&](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "TYPE I");
    send(s, "200 ok\r\n");
    EXPECT_EQ(command(f), "PASV");
    send(s, "227 Entering Passive Mode (10,9,8,7," + std::to_string(p / 256) + "," +
                std::to_string(p % 256) + ").\r\n");
    auto [conn, peer] = data.accept();
    EXPECT_EQ(peer.host(), "127.0.0.1");
    EXPECT_EQ(command(f), "RETR x");
    send(s, "150 Opening (5 bytes)\r\n");
    conn.sendall("hello");
    conn.close();
    send(s, "226 done\r\n");
  });
  ftp::FTP f = client(server);
  std::string got;
  EXPECT_EQ(f.retrbinary("RETR x", [&](std::string_view b) { got += b; }), "226 done");
  EXPECT_EQ(got, "hello");
}

// Trusted (opt-in), the 227's address is used: 127.0.0.2 is loopback too.
TEST(FtpHostile, PasvAddressTrustedWhenAsked) {
  Socket data = soket::test::listen_ephemeral(soket::Family::inet, "127.0.0.2");
  data.settimeout(20.0);
  std::uint16_t p = data.getsockname().port();
  FakeServer server([&](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "PASV");
    send(s, "227 (127,0,0,2," + std::to_string(p / 256) + "," + std::to_string(p % 256) + ")\r\n");
    auto [conn, peer] = data.accept();
    EXPECT_EQ(command(f), "NLST");
    send(s, "150 here\r\n");
    conn.sendall("a\r\nb\n");
    conn.close();
    send(s, "226 done\r\n");
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
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "PASV");
    send(s, "227 Entering Passive Mode (300,1,1,1,1,1)\r\n");
    EXPECT_EQ(command(f), "PASV");
    send(s, "227 no numbers\r\n");
  });
  ftp::FTP f = client(server);
  EXPECT_THROW(f.makepasv(), ftp::error_proto);
  EXPECT_THROW(f.makepasv(), ftp::error_proto);
}

TEST(FtpHostile, EndlessListingLineIsRefused) {
  Socket data = soket::test::listen_ephemeral();
  data.settimeout(20.0);
  std::uint16_t p = data.getsockname().port();
  FakeServer server([&](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    command(f);  // TYPE A
    send(s, "200 ok\r\n");
    command(f);  // PASV
    send(s, "227 (127,0,0,1," + std::to_string(p / 256) + "," + std::to_string(p % 256) + ")\r\n");
    auto [conn, peer] = data.accept();
    command(f);  // NLST
    send(s, "150 here\r\n");
    try {
      for (int i = 0; i < 64; ++i) conn.sendall(std::string(4096, 'n'));
    } catch (const std::exception&) {
    }
  });
  ftp::FTP f = client(server);
  try {
    f.nlst();
    FAIL();
  } catch (const ftp::error_line_too_long& e) {
    EXPECT_STREQ(e.what(), "NLST: got more than 8192 bytes");
  }
  f.close();
}

TEST(FtpHostile, RefusedTransferClosesTheDataConnection) {
  Socket data = soket::test::listen_ephemeral();
  data.settimeout(20.0);
  std::uint16_t p = data.getsockname().port();
  FakeServer server([&](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    command(f);  // TYPE I
    send(s, "200 ok\r\n");
    command(f);  // PASV
    send(s, "227 (127,0,0,1," + std::to_string(p / 256) + "," + std::to_string(p % 256) + ")\r\n");
    auto [conn, peer] = data.accept();
    EXPECT_EQ(command(f), "REST 10");
    send(s, "350 Restarting at 10\r\n");
    EXPECT_EQ(command(f), "RETR missing");
    send(s, "550 Failed to open file.\r\n");
    EXPECT_EQ(conn.recv(10), "");  // the client closed its end
  });
  ftp::FTP f = client(server);
  EXPECT_THROW(f.retrbinary(
                   "RETR missing", [](std::string_view) {}, 8192, 10),
               ftp::error_perm);
}

TEST(FtpHostile, BytesAfterAuthTlsAreRefused) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "AUTH TLS");
    send(s, "234 go ahead\r\n230 injected before the handshake\r\n");
    command(f);
  });
  ftp::FTP_TLS f(soket::tls::create_unverified_context(), std::chrono::seconds(10));
  f.connect(server.host(), server.port());
  try {
    f.auth();
    FAIL() << "injected bytes accepted";
  } catch (const ftp::error_proto& e) {
    EXPECT_STREQ(e.what(), "AUTH TLS: clear-text data after the reply to AUTH TLS refused");
  }
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
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "ABOR");
    send(s, "426 Connection closed; transfer aborted.\r\n226 Abort successful\r\n");
    EXPECT_EQ(command(f), "ABOR");
    send(s, "200 what?\r\n");
  });
  ftp::FTP f = client(server);
  EXPECT_EQ(f.abort(), "426 Connection closed; transfer aborted.");
  EXPECT_EQ(f.getresp(), "226 Abort successful");
  EXPECT_THROW(f.abort(), ftp::error_proto);
}

// "Some servers apparently send a 200 reply to a LIST or STOR command, before the 150 reply":
// transfercmd reads one more reply then; a 2xx without a 1xx after it is error_reply.
TEST(FtpHostile, TwoHundredBeforeOneFifty) {
  Socket data = soket::test::listen_ephemeral();
  data.settimeout(20.0);
  std::uint16_t p = data.getsockname().port();
  std::string pasv =
      "227 (127,0,0,1," + std::to_string(p / 256) + "," + std::to_string(p % 256) + ")\r\n";
  FakeServer server([&](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "PASV");
    send(s, pasv);
    auto first = data.accept();
    EXPECT_EQ(command(f), "LIST");
    send(s, "200 fine\r\n125 already open\r\n");
    first.conn.close();
    EXPECT_EQ(command(f), "PASV");
    send(s, pasv);
    auto second = data.accept();
    EXPECT_EQ(command(f), "LIST");
    send(s, "200 fine\r\n250 done without data\r\n");
  });
  ftp::FTP f = client(server);
  ftp::DataConnection conn = f.transfercmd("LIST");
  EXPECT_FALSE(conn.secure());
  conn.close();
  EXPECT_THROW(f.transfercmd("LIST"), ftp::error_reply);
}

// Active mode: PORT names the control connection's local address and a port that accepts.
TEST(FtpHostile, ActiveModeSendsPort) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "TYPE A");
    send(s, "200 ok\r\n");
    std::string port = command(f);
    ASSERT_TRUE(port.starts_with("PORT 127,0,0,1,")) << port;
    int p1 = 0, p2 = 0;
    ASSERT_EQ(std::sscanf(port.c_str(), "PORT 127,0,0,1,%d,%d", &p1, &p2), 2);
    send(s, "200 PORT ok\r\n");
    EXPECT_EQ(command(f), "NLST");
    send(s, "150 connecting\r\n");
    Socket out(soket::Family::inet);
    out.connect(soket::Address("127.0.0.1", p1 * 256 + p2));
    out.sendall("only\r\n");
    out.close();
    send(s, "226 done\r\n");
  });
  ftp::FTP f = client(server);
  f.set_pasv(false);
  EXPECT_EQ(f.nlst(), std::vector<std::string>{"only"});
}

TEST(FtpHostile, SendportAndSendeprtWords) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "PORT 10,1,2,3,4,1");
    send(s, "200 ok\r\n");
    EXPECT_EQ(command(f), "EPRT |2|::1|1025|");
    send(s, "200 ok\r\n");
    EXPECT_EQ(command(f), "EPRT |1|10.1.2.3|1025|");
    send(s, "500 no\r\n");
  });
  ftp::FTP f = client(server);
  f.sendport("10.1.2.3", 1025);
  f.sendeprt("::1", 1025);
  EXPECT_THROW(f.sendeprt("10.1.2.3", 1025), ftp::error_perm);
}

TEST(FtpHostile, TlsCallsNeedTls) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "AUTH TLS");
    send(s, "504 AUTH TLS not supported\r\n");
  });
  ftp::FTP_TLS f(soket::tls::create_unverified_context(), std::chrono::seconds(10));
  f.connect(server.host(), server.port());
  EXPECT_THROW(f.ccc(), std::invalid_argument);  // not using TLS
  EXPECT_THROW(f.login("u", "p"), ftp::error_perm);
  EXPECT_FALSE(f.data_protected());
}

// set_debuglevel(2) shows commands, lines put and replies, with the password masked; maxline
// is per instance; makeport announces its listener; lastresp is the last code.
TEST(FtpHostile, DebugOutputMasksThePassword) {
  FakeServer server([](Socket& s, SocketFile& f) {
    send(s, "220 hi\r\n");
    EXPECT_EQ(command(f), "USER u");
    send(s, "331 password please\r\n");
    EXPECT_EQ(command(f), "PASS hunter2");
    send(s, "230 in\r\n");
    EXPECT_TRUE(command(f).starts_with("PORT 127,0,0,1,"));
    send(s, "200 ok\r\n");
    EXPECT_EQ(command(f), "NOOP");
    send(s, "200 " + std::string(200, 'x') + "\r\n");
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
