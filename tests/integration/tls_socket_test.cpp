// SPDX-License-Identifier: MIT
// SSLSocket between two soket ends over loopback: the handshake, data both ways, Python's
// timeout model (one deadline for the whole handshake), non-blocking want-read/want-write,
// truncation → SSLEOFError, verification failures with Python's codes and messages, SNI, ALPN,
// resumption, unwrap, hostile bytes instead of a ClientHello.
#include <soket/tls/ssl_socket.hpp>

#include <gtest/gtest.h>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>

#include <soket/io/selector.hpp>
#include <soket/tls.hpp>
#include <soket/tls/relay_stream.hpp>

#include "tls/pki.hpp"
#include "tls/tls_support.hpp"

namespace soket::tls {
namespace {

using test::connect_to;
using test::error_of;
using test::OneShotServer;
using namespace std::chrono_literals;

class TLSSocket : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new test::TestPKI; }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static test::TestPKI* pki_;
};
test::TestPKI* TLSSocket::pki_ = nullptr;

// An echo server: wraps, echoes until EOF, then closes (without close_notify, as Python).
std::function<void(Socket)> echo(SSLContext ctx) {
  return [ctx](Socket conn) {
    SSLSocket s = ctx.wrap_socket(std::move(conn), true);
    for (;;) {
      std::string data = s.recv(65536);
      if (data.empty()) break;
      s.sendall(data);
    }
  };
}

TEST_F(TLSSocket, HandshakeEchoAndConnectionFacts) {
  SSLContext server = pki_->server();
  OneShotServer srv(echo(server));
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  EXPECT_EQ(s.version(), "TLSv1.3");
  auto cipher = s.cipher();
  ASSERT_TRUE(cipher);
  EXPECT_EQ(std::get<1>(*cipher), "TLSv1.3");
  EXPECT_EQ(std::get<2>(*cipher), 256);  // TLS_AES_256_GCM_SHA384 first, as Python
  EXPECT_EQ(s.server_hostname(), "localhost");
  EXPECT_FALSE(s.server_side());
  EXPECT_FALSE(s.selected_alpn_protocol());
  auto cert = s.getpeercert();
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->subject_field("commonName"), "localhost");
  ASSERT_GE(cert->subject_alt_name.size(), 3u);
  EXPECT_EQ(cert->subject_alt_name[2].second, "0:0:0:0:0:0:0:1");
  EXPECT_EQ(s.get_unverified_chain().size(), 1u);
  EXPECT_TRUE(s.get_channel_binding());
  s.sendall("hello over TLS");
  EXPECT_EQ(s.recv(1024), "hello over TLS");
  EXPECT_EQ(s.pending(), 0u);
  s.close();
  EXPECT_EQ(srv.error(), "");
}

TEST_F(TLSSocket, TLS12AndBigTransfersBothWays) {
  SSLContext server = pki_->server();
  OneShotServer srv(echo(server));
  SSLContext client = pki_->client();
  client.maximum_version(TLSVersion::tlsv1_2);
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  EXPECT_EQ(s.version(), "TLSv1.2");
  std::string big(3 << 20, '\0');
  std::mt19937 rng(7);
  for (auto& ch : big) ch = static_cast<char>(rng());
  // One thread: an SSL object is not safe for a read and a write at once (OpenSSL, and
  // Python's ssl), so each 256 KiB piece is sent and then read back from the echo.
  std::string back;
  std::vector<std::byte> buf(70000);
  constexpr std::size_t piece = 256 << 10;
  for (std::size_t at = 0; at < big.size(); at += piece) {
    s.sendall(std::string_view(big).substr(at, piece));
    std::size_t want = std::min(big.size(), at + piece);
    while (back.size() < want) {
      std::size_t n = s.recv_into(buf);
      ASSERT_GT(n, 0u);
      back.append(reinterpret_cast<const char*>(buf.data()), n);
    }
  }
  EXPECT_TRUE(back == big);
  s.close();
  EXPECT_EQ(srv.error(), "");
}

struct VerifyCase {
  const char* cert;
  const char* hostname;
  long code;
  const char* message;
};

TEST_F(TLSSocket, VerificationFailuresArePythons) {
  const VerifyCase cases[] = {
      {"other", "localhost", 62, "Hostname mismatch, certificate is not valid for 'localhost'."},
      {"localhost", "127.0.0.2", 64,
       "IP address mismatch, certificate is not valid for '127.0.0.2'."},
      {"expired", "localhost", 10, "certificate has expired"},
      {"future", "localhost", 9, "certificate is not yet valid"},
      {"selfsigned", "localhost", 18, "self-signed certificate"},
      {"unknown", "localhost", 20, "unable to get local issuer certificate"},
      {"leaf_only", "localhost", 20, "unable to get local issuer certificate"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.cert);
    SSLContext server = pki_->server(c.cert);
    OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
    SSLContext client = pki_->client();
    try {
      client.wrap_socket(connect_to(srv.address()), false, c.hostname);
      ADD_FAILURE() << "handshake succeeded";
    } catch (const SSLCertVerificationError& e) {
      EXPECT_EQ(e.verify_code(), c.code);
      EXPECT_EQ(e.verify_message(), c.message);
      EXPECT_EQ(e.reason(), "CERTIFICATE_VERIFY_FAILED");
      std::string what = e.what();
      EXPECT_EQ(what,
                "handshake with 127.0.0.1:" + std::to_string(srv.port()) +
                    ": [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " + c.message);
    }
    // The server saw the client's alert.
    EXPECT_NE(srv.error().find("alert"), std::string::npos) << srv.error();
  }
}

TEST_F(TLSSocket, FullChainAndIpHostnameVerify) {
  SSLContext server = pki_->server("chained");
  OneShotServer srv(echo(server));
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  EXPECT_EQ(s.get_unverified_chain().size(), 2u);
  s.close();
  SSLContext server2 = pki_->server();
  OneShotServer srv2(echo(server2));
  SSLSocket s2 = client.wrap_socket(connect_to(srv2.address()), false, "127.0.0.1");
  EXPECT_EQ(s2.getpeercert()->subject_field("commonName"), "localhost");
}

TEST_F(TLSSocket, InsecureContextConnectsAndGetpeercertIsEmpty) {
  SSLContext server = pki_->server("selfsigned");
  OneShotServer srv(echo(server));
  SSLContext client = create_unverified_context();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()));
  auto cert = s.getpeercert();
  ASSERT_TRUE(cert);  // Python's {}: present but not validated
  EXPECT_TRUE(cert->subject.empty());
  EXPECT_TRUE(s.getpeercert_der());
}

TEST_F(TLSSocket, SilentPeerTimesOutTheHandshake) {
  std::atomic<bool> done{false};
  OneShotServer srv([&](Socket) {
    while (!done) std::this_thread::sleep_for(10ms);  // accepts TCP, never answers
  });
  SSLContext client = pki_->client();
  Socket sock = connect_to(srv.address());
  sock.settimeout(0.3);
  EXPECT_EQ(error_of([&] { client.wrap_socket(std::move(sock), false, "localhost"); }),
            "handshake with 127.0.0.1:" + std::to_string(srv.port()) + ": timed out");
  done = true;
}

TEST_F(TLSSocket, TrickledHandshakeStillHasOneDeadline) {
  // A peer that keeps sending bytes of a never-ending handshake record: each wait succeeds,
  // so only a deadline for the whole handshake (Python's) can end it with TimeoutError.
  std::atomic<bool> done{false};
  OneShotServer srv([&](Socket conn) {
    conn.recv(4096);                                       // the ClientHello
    const char header[] = {0x16, 0x03, 0x03, 0x40, 0x00};  // handshake record, 16 KiB
    conn.sendall(std::string_view(header, sizeof header));
    for (int i = 0; i < 16000 && !done; ++i) {
      conn.sendall(std::string_view("\x02", 1));
      std::this_thread::sleep_for(20ms);
    }
  });
  SSLContext client = pki_->client();
  Socket sock = connect_to(srv.address());
  sock.settimeout(0.5);
  try {
    client.wrap_socket(std::move(sock), false, "localhost");
    ADD_FAILURE() << "handshake succeeded";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("handshake with"), std::string::npos);
  }
  done = true;
}

TEST_F(TLSSocket, RecvAndSendHaveTheirOwnTimeouts) {
  std::atomic<bool> done{false};
  SSLContext server = pki_->server();
  OneShotServer srv([&](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    while (!done) std::this_thread::sleep_for(10ms);  // never reads, never writes
  });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  s.settimeout(0.2);
  const std::string port = std::to_string(srv.port());
  EXPECT_EQ(error_of([&] { s.recv(10); }), "recv from 127.0.0.1:" + port + ": timed out");
  // Fill the peer's buffers: a send that cannot finish times out too.
  EXPECT_EQ(error_of([&] {
              std::string chunk(1 << 20, 'x');
              for (int i = 0; i < 256; ++i) s.sendall(chunk);
            }),
            "send with 127.0.0.1:" + port + ": timed out");
  done = true;
}

TEST_F(TLSSocket, NonBlockingRaisesWantReadAndCompletesOnRetry) {
  SSLContext server = pki_->server();
  OneShotServer srv(echo(server));
  SSLContext client = pki_->client();
  Socket sock = connect_to(srv.address());
  sock.setblocking(false);
  SSLSocket s = client.wrap_socket(std::move(sock), false, "localhost", false);
  int wants = 0;
  for (;;) {
    try {
      s.do_handshake();
      break;
    } catch (const SSLWantReadError& e) {
      ++wants;
      EXPECT_EQ(e.code(), SSLErrorNumber::want_read);
      EXPECT_EQ(e.strerror(), "The operation did not complete (read)");
      selectors::DefaultSelector sel;
      sel.register_(s.fileno(), selectors::EVENT_READ);
      sel.select(std::chrono::seconds(20));
    } catch (const SSLWantWriteError&) {
      ++wants;
      selectors::DefaultSelector sel;
      sel.register_(s.fileno(), selectors::EVENT_WRITE);
      sel.select(std::chrono::seconds(20));
    }
  }
  // (How many waits the handshake needed depends on scheduling: usually one, none if the
  // server answered before the first read. The recv below is the deterministic case.)
  EXPECT_LE(wants, 100);
  EXPECT_THROW(s.recv(10), SSLWantReadError);  // no data: never "" (that is EOF)
  s.send("ping");
  std::string got;
  while (got.empty()) {
    try {
      got = s.recv(10);
    } catch (const SSLWantReadError&) {
      selectors::DefaultSelector sel;
      sel.register_(s.fileno(), selectors::EVENT_READ);
      sel.select(std::chrono::seconds(20));
    }
  }
  EXPECT_EQ(got, "ping");
}

TEST_F(TLSSocket, TruncationIsSSLEOFErrorUnlessSuppressed) {
  for (bool suppress : {false, true}) {
    SCOPED_TRACE(suppress);
    SSLContext server = pki_->server();
    OneShotServer srv([server](Socket conn) {
      SSLSocket s = server.wrap_socket(std::move(conn), true);
      s.sendall("partial");
      s.close();  // TCP FIN without close_notify
    });
    SSLContext client = pki_->client();
    SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost", true, suppress);
    std::string got;
    while (got.size() < 7) got += s.recv(100);
    EXPECT_EQ(got, "partial");
    if (suppress) {
      EXPECT_EQ(s.recv(100), "");
    } else {
      try {
        s.recv(100);
        ADD_FAILURE() << "no error";
      } catch (const SSLEOFError& e) {
        EXPECT_EQ(e.code(), SSLErrorNumber::eof);
        EXPECT_EQ(e.reason(), "UNEXPECTED_EOF_WHILE_READING");
        EXPECT_NE(std::string(e.what()).find("recv from 127.0.0.1:"), std::string::npos);
      }
    }
  }
}

TEST_F(TLSSocket, CloseNotifyIsACleanEndAndUnwrapReturnsThePlainSocket) {
  SSLContext server = pki_->server();
  OneShotServer srv([server](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    EXPECT_EQ(s.recv(100), "bye");
    Socket plain = s.unwrap();
    plain.sendall("plain text now");
  });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost", true, false);
  s.sendall("bye");
  Socket plain = s.unwrap();  // sends close_notify, waits for the server's
  std::string got;
  for (std::string part; (part = plain.recv(100)).size();) got += part;
  EXPECT_EQ(got, "plain text now");
  EXPECT_EQ(srv.error(), "");
}

TEST_F(TLSSocket, PeerCloseNotifyMakesRecvEmptyEvenUnsuppressed) {
  SSLContext server = pki_->server();
  OneShotServer srv([server](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    s.sendall("last words");
    try {
      s.unwrap();
    } catch (const std::exception&) {
    }
  });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost", true, false);
  std::string got;
  for (std::string part; (part = s.recv(100)).size();) got += part;
  EXPECT_EQ(got, "last words");
}

TEST_F(TLSSocket, GarbageInsteadOfClientHello) {
  struct Case {
    std::string bytes;
    const char* reason;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP_REQUEST"},
      {std::string(64, '\x16'), "UNSUPPORTED_PROTOCOL"},
      {std::string("\x16\x03\x01\x00\x05hello", 10), "RECORD_LAYER_FAILURE"},
  };
  for (const auto& c : cases) {
    SSLContext server = pki_->server();
    OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
    Socket raw = connect_to(srv.address());
    raw.sendall(c.bytes);
    srv.join();
    try {
      std::rethrow_exception(srv.exception());
    } catch (const SSLError& e) {
      EXPECT_EQ(e.code(), SSLErrorNumber::ssl) << e.what();
      EXPECT_FALSE(e.reason().empty()) << e.what();
      EXPECT_NE(std::string(e.what()).find("handshake with 127.0.0.1:"), std::string::npos);
    } catch (...) {
      ADD_FAILURE() << "not an SSLError: " << srv.error();
    }
  }
}

TEST_F(TLSSocket, PeerVanishingMidHandshakeIsSSLEOFError) {
  SSLContext server = pki_->server();
  OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
  {
    Socket raw = connect_to(srv.address());
    raw.sendall(std::string_view("\x16\x03\x01\x02\x00\x01", 6));  // a ClientHello's start
  }                                                                // then FIN
  srv.join();
  EXPECT_THROW(std::rethrow_exception(srv.exception()), SSLEOFError) << srv.error();
}

TEST_F(TLSSocket, SniCallbackSeesTheNameAndSwitchesContext) {
  SSLContext other = pki_->server("other");
  SSLContext server = pki_->server();
  std::optional<std::string> seen = std::string("(not called)");
  server.sni_callback([&](SNIHello& hello) -> std::optional<AlertDescription> {
    seen = hello.server_name() ? std::optional<std::string>(*hello.server_name()) : std::nullopt;
    if (seen == "other.example") hello.set_context(other);
    if (seen == "refused.example") return AlertDescription::unrecognized_name;
    if (seen == "throws.example") throw std::runtime_error("callback bug");
    return std::nullopt;
  });
  SSLContext client = pki_->client();
  {
    OneShotServer srv([server](Socket conn) {
      SSLSocket s = server.wrap_socket(std::move(conn), true);
      // The socket now uses the context the callback chose.
      EXPECT_EQ(s.context().native_handle(), s.context().native_handle());
      s.sendall("x");
    });
    SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "other.example");
    EXPECT_EQ(seen, "other.example");
    EXPECT_EQ(s.getpeercert()->subject_field("commonName"), "other.example");
  }
  {
    OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
    SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "127.0.0.1");
    EXPECT_EQ(seen, std::nullopt);  // no SNI for an IP address
  }
  for (auto [name, reason] : {std::pair{"refused.example", "TLSV1_UNRECOGNIZED_NAME"},
                              std::pair{"throws.example", "SSLV3_ALERT_HANDSHAKE_FAILURE"}}) {
    OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
    try {
      client.wrap_socket(connect_to(srv.address()), false, name);
      ADD_FAILURE() << name;
    } catch (const SSLError& e) {
      EXPECT_EQ(e.reason(), reason) << e.what();
    }
    EXPECT_NE(srv.error().find("CALLBACK_FAILED"), std::string::npos) << srv.error();
  }
}

TEST_F(TLSSocket, AlpnServerOrderWinsAndNoOverlapIsNoProtocol) {
  SSLContext server = pki_->server();
  server.set_alpn_protocols({"h2", "http/1.1"});
  std::optional<std::string> server_saw;
  SSLContext client = pki_->client();
  client.set_alpn_protocols({"http/1.1", "h2"});
  {
    OneShotServer srv([&](Socket conn) {
      SSLSocket s = server.wrap_socket(std::move(conn), true);
      server_saw = s.selected_alpn_protocol();
    });
    SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
    EXPECT_EQ(s.selected_alpn_protocol(), "h2");
    srv.join();
    EXPECT_EQ(server_saw, "h2");
  }
  client.set_alpn_protocols({"spdy/1"});
  OneShotServer srv([&](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    server_saw = s.selected_alpn_protocol();
  });
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  EXPECT_EQ(s.selected_alpn_protocol(), std::nullopt);
  srv.join();
  EXPECT_EQ(server_saw, std::nullopt);
}

TEST_F(TLSSocket, SessionsResumeOnTheSameServerContextOnly) {
  for (TLSVersion v : {TLSVersion::tlsv1_3, TLSVersion::tlsv1_2}) {
    SCOPED_TRACE(to_string(v));
    SSLContext server = pki_->server();
    SSLContext client = pki_->client();
    client.maximum_version(v);
    auto connect_once = [&](const SSLContext& srv_ctx, const SSLSession* session) {
      OneShotServer srv([srv_ctx](Socket conn) {
        SSLSocket s = srv_ctx.wrap_socket(std::move(conn), true);
        s.sendall("ticket time");
        s.recv(10);
      });
      SSLSocket s =
          client.wrap_socket(connect_to(srv.address()), false, "localhost", true, true, session);
      EXPECT_EQ(s.recv(100), "ticket time");  // TLS 1.3 tickets arrive with data
      bool reused = s.session_reused();
      SSLSession out = s.session();
      s.sendall("done");
      return std::pair{reused, out};
    };
    auto [first_reused, session] = connect_once(server, nullptr);
    EXPECT_FALSE(first_reused);
    ASSERT_TRUE(session);
    EXPECT_TRUE(session.is_resumable());
    if (v == TLSVersion::tlsv1_3) {
      EXPECT_TRUE(session.has_ticket());
      EXPECT_EQ(session.ticket_lifetime_hint(), 7200u);
    }
    auto [reused, again] = connect_once(server, &session);
    EXPECT_TRUE(reused);
    EXPECT_GE(server.session_stats().hits, 1);
    SSLContext fresh = pki_->server();  // new ticket keys: no resumption
    auto [fresh_reused, unused] = connect_once(fresh, &again);
    EXPECT_FALSE(fresh_reused);
  }
}

TEST_F(TLSSocket, ClientCertificates) {
  SSLContext server = pki_->server();
  server.verify_mode(CERT_REQUIRED);
  server.load_verify_locations(pki_->ca());
  std::optional<std::string> client_cn;
  {
    OneShotServer srv([&](Socket conn) {
      SSLSocket s = server.wrap_socket(std::move(conn), true);
      client_cn = s.getpeercert()->subject_field("commonName");
      s.sendall("ok");
    });
    SSLContext client = pki_->client();
    client.load_cert_chain(pki_->cert("other"), pki_->key("other"));
    SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
    EXPECT_EQ(s.recv(10), "ok");
    srv.join();
    EXPECT_EQ(client_cn, "other.example");
  }
  // No client certificate: TLS 1.3 finishes the handshake, the first read fails.
  OneShotServer srv([&](Socket conn) { server.wrap_socket(std::move(conn), true); });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost", true, false);
  EXPECT_THROW(s.recv(10), SSLError);
  EXPECT_NE(srv.error().find("PEER_DID_NOT_RETURN_A_CERTIFICATE"), std::string::npos)
      << srv.error();
}

TEST_F(TLSSocket, MisuseIsValueError) {
  SSLContext client = pki_->client();
  SSLContext server = pki_->server();
  auto [a, b] = test::loopback_pair();
  EXPECT_EQ(error_of([&] { client.wrap_socket(std::move(a)); }),
            "check_hostname requires server_hostname");
  EXPECT_EQ(error_of([&] { server.wrap_socket(std::move(b), true, "localhost"); }),
            "server_hostname can only be specified in client mode");
  EXPECT_THROW(client.wrap_socket(Socket(Family::inet, Type::dgram), false, "x"),
               std::invalid_argument);
  EXPECT_THROW(client.wrap_socket(Socket(Family::inet), false, ""), std::invalid_argument);
  EXPECT_THROW(client.wrap_socket(Socket(Family::inet), false, ".lead"), std::invalid_argument);
  // An unconnected socket: no handshake yet, and I/O is ENOTCONN.
  SSLSocket s = client.wrap_socket(Socket(Family::inet), false, "localhost");
  EXPECT_EQ(error_of([&] { s.getpeercert(); }), "handshake not done yet");
  EXPECT_FALSE(s.version());
  EXPECT_FALSE(s.cipher());
  try {
    s.recv(10);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), std::errc::not_connected);
  }
  EXPECT_THROW(s.recv(10, 1), std::invalid_argument);
  std::vector<std::byte> small(4);
  EXPECT_THROW(s.recv_into(small, 5), std::invalid_argument);
}

TEST_F(TLSSocket, ConnectAndAcceptDoTheHandshake) {
  SSLContext server = pki_->server();
  SSLSocket listener = server.wrap_socket(test::listen_ephemeral(), true);
  Address addr = listener.getsockname();
  std::thread t([&] {
    auto [conn, peer] = listener.accept();
    EXPECT_EQ(conn.version(), "TLSv1.3");  // handshaken by accept
    conn.sendall("accepted");
  });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(Socket(Family::inet), false, "localhost");
  s.settimeout(20.0);
  s.connect(addr);
  EXPECT_EQ(s.version(), "TLSv1.3");
  EXPECT_EQ(s.recv(100), "accepted");
  t.join();
  EXPECT_THROW(s.connect(addr), std::invalid_argument);
}

TEST_F(TLSSocket, WritingToAClosedPeerIsAnErrorNotSIGPIPE) {
  SSLContext server = pki_->server();
  OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  srv.join();  // the server has closed its end
  EXPECT_THROW(
      {
        for (int i = 0; i < 1000; ++i) s.sendall(std::string(65536, 'x'));
      },
      Error);
}

TEST_F(TLSSocket, MakefileReadsLinesOverTLS) {
  SSLContext server = pki_->server();
  OneShotServer srv([server](Socket conn) {
    SSLSocket s = server.wrap_socket(std::move(conn), true);
    io::SocketFile f = s.makefile();
    std::string line = f.readline();
    f.write("you said: " + line);
    f.write("second line\n");
    f.flush();
    EXPECT_THROW(f.socket(), std::logic_error);  // not over a plain Socket
  });
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  io::ByteStream& stream = s;  // what SocketFile reads and writes through
  stream.write_all(std::as_bytes(std::span<const char>("hello\n", 6)));
  io::SocketFile f = s.makefile(0);  // unbuffered, as Python's buffering=0
  EXPECT_EQ(f.readline(), "you said: hello\n");
  EXPECT_EQ(f.readline(), "second line\n");
  EXPECT_EQ(f.readline(), "");  // the server closed
  EXPECT_EQ(srv.error(), "");
}

TEST_F(TLSSocket, GetServerCertificateIsThePem) {
  SSLContext server = pki_->server();
  OneShotServer srv([server](Socket conn) { server.wrap_socket(std::move(conn), true); });
  std::string pem = get_server_certificate(srv.address(), pki_->ca());
  std::ifstream in(pki_->cert("localhost"));
  EXPECT_EQ(pem, std::string(std::istreambuf_iterator<char>(in), {}));
  // Verified against other CAs, the same server fails.
  SSLContext server2 = pki_->server("unknown");
  OneShotServer srv2([server2](Socket conn) { server2.wrap_socket(std::move(conn), true); });
  EXPECT_THROW(get_server_certificate(srv2.address(), pki_->ca()), SSLCertVerificationError);
}

TEST_F(TLSSocket, ReadWriteAndTimeoutShortcuts) {
  SSLContext server = pki_->server();
  OneShotServer srv(echo(server));
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  EXPECT_EQ(s.gettimeout(), std::chrono::nanoseconds(std::chrono::seconds(20)));
  s.settimeout(std::nullopt);
  EXPECT_FALSE(s.gettimeout());
  EXPECT_EQ(s.getpeername(), srv.address());
  s.write("abc");
  EXPECT_EQ(s.read(3), "abc");
  EXPECT_EQ(s.session().id().size(), 32u);  // TLS 1.3: a session id once the ticket came
}

TEST_F(TLSSocket, NoDescriptorLeaks) {
  test::FdLeakGuard guard;
  {
    SSLContext server = pki_->server();
    OneShotServer srv(echo(server));
    SSLContext client = pki_->client();
    SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
    s.sendall("x");
    EXPECT_EQ(s.recv(10), "x");
  }
  EXPECT_EQ(guard.leaked(), 0);
}

TEST_F(TLSSocket, RelayStreamCarriesBytesAndHalfClosesWithCloseNotify) {
  SSLContext server = pki_->server();
  OneShotServer srv(echo(server));  // echoes until it reads the end, then closes
  SSLContext client = pki_->client();
  SSLSocket s = client.wrap_socket(connect_to(srv.address()), false, "localhost");
  SSLRelayStream stream(s);
  EXPECT_EQ(stream.fileno(), s.fileno());
  const std::string ping = "ping over tls";
  stream.write_all(std::as_bytes(std::span(ping)));
  std::string back;
  std::vector<std::byte> buf(1024);
  while (back.size() < ping.size()) {
    const std::size_t n = stream.read_some(buf);
    ASSERT_GT(n, 0u);
    back.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  EXPECT_EQ(back, ping);
  EXPECT_FALSE(stream.buffered());
  // Our direction ends: the echo server reads the end and closes; we then read the end too.
  stream.shutdown_write();
  EXPECT_EQ(stream.read_some(buf), 0u);
  EXPECT_EQ(srv.error(), "");
}

}  // namespace
}  // namespace soket::tls
