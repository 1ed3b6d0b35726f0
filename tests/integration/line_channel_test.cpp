// SPDX-License-Identifier: MIT
// LineChannel against real loopback peers: line caps, early closes, dot-stuffing both ways
// (compared with Python's smtplib.quotedata), literals, timeouts, STARTTLS and the
// plaintext-injection refusal, debug output.
#include <soket/proto/line_channel.hpp>

#include <gtest/gtest.h>
#include <chrono>
#include <string>
#include <thread>

#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/tls.hpp>

#include "support/support.hpp"
#include "tls/pki.hpp"

using namespace soket;
using namespace std::chrono_literals;
using proto::ChannelOptions;
using proto::LineChannel;

namespace {

// A channel whose peer is the returned server-side socket.
std::pair<LineChannel, Socket> channel_pair(ChannelOptions options = {}) {
  auto [client, server] = test::loopback_pair();
  client.settimeout(10s);
  server.settimeout(10s);
  return {LineChannel(std::move(client), std::move(options)), std::move(server)};
}

ChannelOptions named(std::string name, std::size_t max_line = 8192,
                     std::size_t max_block = 1 << 20) {
  ChannelOptions o;
  o.name = std::move(name);
  o.max_line = max_line;
  o.max_block = max_block;
  return o;
}

std::string recv_all(Socket& s) {
  std::string out;
  for (;;) {
    std::string chunk = s.recv(65536);
    if (chunk.empty()) return out;
    out += chunk;
  }
}

}  // namespace

TEST(LineChannel, ReadsCrlfAndBareLfLines) {
  auto [ch, peer] = channel_pair();
  peer.sendall("220 hello\r\n250 bare\n\r\n");
  EXPECT_EQ(ch.readline(), "220 hello\r\n");
  EXPECT_EQ(ch.getline(), "250 bare");
  EXPECT_EQ(ch.getline(), "");
}

TEST(LineChannel, LineAtTheCapPassesOneMoreByteIsRefused) {
  auto [ch, peer] = channel_pair(named("smtp", 10));
  peer.sendall("12345678\r\n123456789\r\n");
  EXPECT_EQ(ch.getline(), "12345678");
  try {
    ch.getline();
    FAIL() << "no LineTooLongError";
  } catch (const proto::LineTooLongError& e) {
    EXPECT_EQ(e.limit(), 10u);
    EXPECT_STREQ(e.what(), "smtp: line longer than 10 bytes");
  }
}

TEST(LineChannel, EndlessLineWithoutNewlineIsBounded) {
  auto [ch, peer] = channel_pair(named("pop3", 2048));
  std::thread flood([&peer] {
    std::string junk(4096, 'a');
    try {
      for (int i = 0; i < 64; ++i) peer.sendall(junk);
    } catch (const std::exception&) {
    }
  });
  EXPECT_THROW(ch.getline(), proto::LineTooLongError);
  ch.close();
  flood.join();
}

TEST(LineChannel, CloseBeforeReplyNamesTheCommand) {
  auto [ch, peer] = channel_pair(named("smtp"));
  ch.write_line("noop");
  EXPECT_EQ(peer.recv(100), "noop\r\n");
  peer.close();
  EXPECT_EQ(test::error_of([&] { ch.getline(); }),
            "smtp: reply to NOOP: connection closed by the server");
  EXPECT_THROW(ch.getline(), proto::EOFError);
}

TEST(LineChannel, CloseMidLineIsEOFError) {
  auto [ch, peer] = channel_pair(named("imap"));
  peer.sendall("* OK partial");
  peer.close();
  EXPECT_EQ(test::error_of([&] { ch.getline(); }), "imap: connection closed mid-line");
}

TEST(LineChannel, WriteLineRefusesNewlinesAndSendsCrlf) {
  auto [ch, peer] = channel_pair(named("smtp"));
  EXPECT_THROW(ch.write_line("RCPT TO:<a@b>\r\nDATA"), std::invalid_argument);
  EXPECT_THROW(ch.write_line("x\ny"), std::invalid_argument);
  ch.write_line("MAIL FROM:<a@b>");
  ch.send("raw");
  ch.close();
  EXPECT_TRUE(ch.closed());
  EXPECT_EQ(recv_all(peer), "MAIL FROM:<a@b>\r\nraw");
  EXPECT_THROW(ch.getline(), proto::ProtocolError);
  EXPECT_THROW(ch.write_line("QUIT"), proto::ProtocolError);
}

TEST(LineChannel, DotBlockIsUnstuffedAndEndsAtTheDot) {
  auto [ch, peer] = channel_pair();
  peer.sendall("line1\r\n..dot line\r\n...\r\n.x\r\n\r\n.\r\nnext\r\n");
  const auto lines = ch.read_dot_block();
  EXPECT_EQ(lines, (std::vector<std::string>{"line1", ".dot line", "..", ".x", ""}));
  EXPECT_EQ(ch.getline(), "next");
}

TEST(LineChannel, DotBlockOverTheCapIsRefused) {
  auto [ch, peer] = channel_pair(named("nntp", 2048, 100));
  std::string block;
  for (int i = 0; i < 20; ++i) block += "0123456789\r\n";
  block += ".\r\n";
  peer.sendall(block);
  EXPECT_EQ(test::error_of([&] { ch.read_dot_block(); }),
            "nntp: multi-line reply exceeds 100 bytes");
}

TEST(LineChannel, DotBlockCutShortIsEOFError) {
  auto [ch, peer] = channel_pair(named("pop3"));
  ch.write_line("RETR 1");
  EXPECT_EQ(peer.recv(100), "RETR 1\r\n");  // read, so that close() sends FIN, not RST
  peer.sendall("a\r\nb\r\n");
  peer.close();
  std::size_t seen = 0;
  EXPECT_THROW(ch.read_dot_block([&](std::string_view) { ++seen; }), proto::EOFError);
  EXPECT_EQ(seen, 2u);
}

TEST(LineChannel, WriteDotBlockStuffsAndTerminates) {
  auto [ch, peer] = channel_pair();
  ch.write_dot_block("Subject: t\r\n\r\n.leading\nbare\rend");
  ch.close();
  EXPECT_EQ(recv_all(peer), "Subject: t\r\n\r\n..leading\r\nbare\r\nend\r\n.\r\n");
}

// The same bodies through Python's own smtplib rules: quotedata (str messages) and
// _quote_periods + the CRLF smtplib.data adds (bytes messages).
TEST(LineChannel, DotStuffMatchesPythonSmtplib) {
  const std::vector<std::string> bodies = {
      "", ".", "..", "a", "a\r\n", ".a\r\n.b", "x\n.y\r.z\r\n", "\r\n.\r\n", "end\r", "a\n\n.",
  };
  std::string script =
      "import smtplib,sys\n"
      "for h in sys.argv[1:]:\n"
      "    b = bytes.fromhex(h)\n"
      "    s = smtplib.quotedata(b.decode('latin-1'))\n"
      "    s = s if s.endswith('\\r\\n') else s + '\\r\\n'\n"
      "    q = smtplib._quote_periods(b)\n"
      "    q = q if q.endswith(b'\\r\\n') else q + b'\\r\\n'\n"
      "    print((s + '.\\r\\n').encode('latin-1').hex(), (q + b'.\\r\\n').hex())\n";
  std::vector<std::string> args;
  auto hex = [](std::string_view s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return out;
  };
  for (const auto& b : bodies) args.push_back(hex(b));
  test::Child py(test::python_argv(script, args));
  for (const auto& b : bodies) {
    auto line = py.read_line();
    ASSERT_TRUE(line) << "python gave no answer";
    const auto space = line->find(' ');
    EXPECT_EQ(hex(proto::dot_stuff(b, true)), line->substr(0, space)) << "body: " << b;
    EXPECT_EQ(hex(proto::dot_stuff(b, false)), line->substr(space + 1)) << "body: " << b;
  }
  EXPECT_EQ(py.wait(), 0);
}

TEST(LineChannel, ReadExactTakesLiteralBytesVerbatim) {
  auto [ch, peer] = channel_pair(named("imap", 8192, 64));
  const std::string literal("a\r\n\0b)\r\n", 8);
  peer.sendall("* 1 FETCH (BODY[] {8}\r\n" + literal + ")\r\n");
  EXPECT_EQ(ch.getline(), "* 1 FETCH (BODY[] {8}");
  EXPECT_EQ(ch.read_exact(8), literal);
  EXPECT_EQ(ch.getline(), ")");
  EXPECT_EQ(test::error_of([&] { ch.read_exact(65); }),
            "imap: literal of 65 bytes exceeds the limit of 64");
  peer.sendall("abc");
  peer.close();
  EXPECT_EQ(test::error_of([&] { ch.read_exact(10); }),
            "imap: connection closed after 3 of 10 bytes");
}

TEST(LineChannel, SilentServerTimesOut) {
  auto [ch, peer] = channel_pair();
  ch.settimeout(200ms);
  EXPECT_THROW(ch.getline(), TimeoutError);
}

TEST(LineChannel, GetlineWithinKeepsPartialLineAndRestoresTimeout) {
  auto [ch, peer] = channel_pair();
  ch.settimeout(7s);
  peer.sendall("* 3 EXI");
  EXPECT_EQ(ch.getline_within(100ms), std::nullopt);
  EXPECT_EQ(ch.socket().gettimeout(), Timeout(7s));
  peer.sendall("STS\r\n");
  EXPECT_EQ(ch.getline_within(10s), "* 3 EXISTS");
  EXPECT_EQ(ch.socket().gettimeout(), Timeout(7s));
}

TEST(LineChannel, ConnectRefusesZeroTimeoutAndReportsRefusal) {
  EXPECT_THROW(LineChannel::connect(Address("127.0.0.1", 1), Timeout(0ns)), std::invalid_argument);
  EXPECT_THROW(LineChannel::connect(Address("127.0.0.1", test::closed_port()), Timeout(5s)),
               ConnectionRefusedError);
  auto listener = test::listen_ephemeral();
  auto ch = LineChannel::connect(listener.getsockname(), Timeout(5s), named("ftp"));
  auto [conn, from] = listener.accept();
  conn.sendall("220 ready\r\n");
  EXPECT_EQ(ch.getline(), "220 ready");
  EXPECT_EQ(ch.options().name, "ftp");
}

TEST(LineChannel, DebugShowsTrafficButNotSecrets) {
  auto [ch, peer] = channel_pair(named("pop3"));
  std::string log;
  ch.set_debug_sink([&](std::string_view s) { log += s; });
  ch.set_debuglevel(1);
  ch.write_line("USER joe");
  ch.write_secret_line("PASS hunter2", "PASS");
  peer.sendall("+OK \x01\r\n");
  ch.getline();
  EXPECT_EQ(log,
            "pop3 send: 'USER joe\\r\\n'\n"
            "pop3 send: 'PASS ****\\r\\n'\n"
            "pop3 recv: '+OK \\x01\\r\\n'\n");
  EXPECT_EQ(ch.last_command(), "PASS");
  ch.set_debuglevel(0);
  ch.write_line("QUIT");
  EXPECT_EQ(log.find("QUIT"), std::string::npos);
}

namespace {

// A STARTTLS server: answers "220 go" (plus `extra` in the same write), then the handshake,
// then echoes one line over TLS.
struct StartTLSPeer {
  test::TestPKI pki;
  Socket listener = test::listen_ephemeral();
  std::thread thread;
  std::string error;

  void run(std::string extra) {
    thread = std::thread([this, extra] {
      try {
        auto [conn, from] = listener.accept();
        conn.settimeout(10s);
        std::string cmd = conn.recv(100);
        conn.sendall("220 go\r\n" + extra);
        auto tls = pki.server().wrap_socket(std::move(conn), true);
        std::string line = tls.recv(100);
        tls.sendall("echo " + line);
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
  }
  ~StartTLSPeer() {
    if (thread.joinable()) thread.join();
  }
};

}  // namespace

TEST(LineChannel, StartTLSUpgradesMidStream) {
  StartTLSPeer peer;
  peer.run("");
  auto ch = LineChannel::connect(peer.listener.getsockname(), Timeout(10s), named("smtp"));
  ch.write_line("STARTTLS");
  EXPECT_EQ(ch.getline(), "220 go");
  ch.starttls(peer.pki.client(), "localhost");
  EXPECT_TRUE(ch.is_tls());
  EXPECT_TRUE(ch.tls_socket().version().has_value());
  ch.write_line("EHLO me");
  EXPECT_EQ(ch.getline(), "echo EHLO me");
  EXPECT_THROW(ch.starttls(peer.pki.client(), "localhost"), proto::ProtocolError);
  peer.thread.join();
  EXPECT_EQ(peer.error, "");
}

TEST(LineChannel, StartTLSRefusesBytesInjectedBeforeTheHandshake) {
  StartTLSPeer peer;
  peer.run("250 injected\r\n");
  auto ch = LineChannel::connect(peer.listener.getsockname(), Timeout(10s), named("smtp"));
  ch.write_line("STARTTLS");
  // Both lines arrive in one segment; even if not, the test reads the first only.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(ch.getline(), "220 go");
  if (ch.buffered() == 0) GTEST_SKIP() << "the peer's two writes arrived apart";
  try {
    ch.starttls(peer.pki.client(), "localhost");
    FAIL() << "no TLSInjectionError";
  } catch (const proto::TLSInjectionError& e) {
    EXPECT_STREQ(e.what(),
                 "smtp: reply to STARTTLS: 14 bytes arrived in plain text after the go-ahead for "
                 "TLS (possible injection); connection closed");
  }
  EXPECT_TRUE(ch.closed());
}

TEST(LineChannel, StartTLSWithAWrongNameFailsTheHandshake) {
  StartTLSPeer peer;
  peer.run("");
  auto ch = LineChannel::connect(peer.listener.getsockname(), Timeout(10s));
  ch.write_line("STLS");
  EXPECT_EQ(ch.getline(), "220 go");
  EXPECT_THROW(ch.starttls(peer.pki.client(), "wrong.example"), tls::SSLCertVerificationError);
  EXPECT_TRUE(ch.closed());
}
