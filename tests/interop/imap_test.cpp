// SPDX-License-Identifier: MIT
// imap::IMAP4 against Dovecot (login, select, search, fetch with literals, store, copy,
// expunge, list, append, STARTTLS, IDLE woken by a second client's APPEND) and against hostile
// fake servers.
#include <soket/proto/imap/imap4.hpp>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <thread>

#include <soket/io/socket_file.hpp>
#include <soket/tls.hpp>

#include "support/servers/dovecot.hpp"
#include "support/support.hpp"

using namespace soket;
using namespace soket::proto::imap;
using namespace std::chrono_literals;

namespace {

IMAP4 logged_in(const test::Dovecot& server) {
  IMAP4 imap("127.0.0.1", server.imap_port(), Timeout(20s));
  imap.login("tester", "secret");
  return imap;
}

}  // namespace

TEST(IMAP4, LoginSelectSearchFetchAgainstDovecot) {
  START_DOVECOT(server);
  IMAP4 imap("127.0.0.1", server.imap_port(), Timeout(20s));
  EXPECT_EQ(imap.state(), "NONAUTH");
  EXPECT_TRUE(imap.has_capability("IMAP4rev1"));
  EXPECT_TRUE(imap.welcome().ends_with("Dovecot test server ready.")) << imap.welcome();
  EXPECT_THROW(imap.select(), IMAP4::error);  // illegal in NONAUTH
  EXPECT_EQ(imap.login("tester", "secret").type, "OK");
  EXPECT_EQ(imap.state(), "AUTH");
  EXPECT_EQ(imap.select("INBOX").type, "OK");
  EXPECT_EQ(imap.state(), "SELECTED");
  EXPECT_EQ(imap.exists(), 1u);
  EXPECT_EQ(imap.search("ALL"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(imap.search("SUBJECT \"no such thing\""), std::vector<std::uint32_t>{});
  const Result f = imap.fetch("1", "(FLAGS BODY.PEEK[] RFC822.SIZE)");
  ASSERT_EQ(f.type, "OK");
  const auto fetched = f.responses("FETCH");
  ASSERT_EQ(fetched.size(), 1u);
  const auto items = fetched[0]->fetch_items();
  EXPECT_EQ(items.at("BODY[]").text, test::Dovecot::first_message());
  EXPECT_EQ(items.at("RFC822.SIZE").number, test::Dovecot::first_message().size());
  const auto uids = imap.search("ALL", std::nullopt, true);
  ASSERT_EQ(uids.size(), 1u);
  const Result by_uid = imap.fetch(std::to_string(uids[0]), "(UID FLAGS)", true);
  EXPECT_EQ(by_uid.responses("FETCH").at(0)->fetch_items().at("UID").number, uids[0]);
  EXPECT_EQ(imap.logout().type, "BYE");
}

TEST(IMAP4, BadLoginIsErrorAndBadCommandIsError) {
  START_DOVECOT(server);
  IMAP4 imap("127.0.0.1", server.imap_port(), Timeout(20s));
  EXPECT_THROW(imap.login("tester", "wrong"), IMAP4::error);
  imap.login("tester", "secret");
  EXPECT_THROW(imap.simple_command("NOSUCHCOMMAND"), IMAP4::error);  // BAD
  EXPECT_EQ(imap.select("No Such Box").type, "NO");
  EXPECT_EQ(imap.state(), "AUTH");
}

TEST(IMAP4, AppendStoreCopyExpungeList) {
  START_DOVECOT(server);
  IMAP4 imap = logged_in(server);
  const std::string message = "Subject: appended\n\nbody line\n.dot line\n";
  const Result a = imap.append("Archive", "\\Flagged", "", message);
  EXPECT_EQ(a.type, "OK");
  EXPECT_EQ(a.code, "APPENDUID");
  imap.select("Archive");
  EXPECT_EQ(imap.exists(), 1u);
  const auto got = imap.fetch("1", "(FLAGS BODY[])").responses("FETCH").at(0)->fetch_items();
  // Python's append makes every line ending CRLF.
  EXPECT_EQ(got.at("BODY[]").text, "Subject: appended\r\n\r\nbody line\r\n.dot line\r\n");
  bool flagged = false;
  for (const auto& f : got.at("FLAGS").items) flagged = flagged || f.is_atom("\\Flagged");
  EXPECT_TRUE(flagged);
  EXPECT_EQ(imap.copy("1", "Sent").type, "OK");
  EXPECT_EQ(imap.store("1", "+FLAGS", "\\Deleted").type, "OK");
  const Result x = imap.expunge();
  EXPECT_EQ(x.responses("EXPUNGE").size(), 1u);
  const Result l = imap.list();
  std::vector<std::string> names;
  for (const Response* r : l.responses("LIST")) names.push_back(r->data.at(2).text);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Archive", "INBOX", "Sent"}));
  imap.select("Sent");
  EXPECT_EQ(imap.exists(), 1u);
  EXPECT_EQ(imap.create("New Box").type, "OK");
  EXPECT_EQ(imap.delete_("New Box").type, "OK");
}

TEST(IMAP4, StarttlsThenLogin) {
  START_DOVECOT(server);
  IMAP4 imap("127.0.0.1", server.imap_port(), Timeout(20s));
  tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(server.cert());
  EXPECT_EQ(imap.starttls(ctx).type, "OK");
  EXPECT_TRUE(imap.channel().is_tls());
  EXPECT_FALSE(imap.has_capability("STARTTLS"));  // asked again over TLS
  EXPECT_THROW(imap.starttls(ctx), IMAP4::abort);
  imap.login("tester", "secret");
  EXPECT_EQ(imap.select().type, "OK");
}

TEST(IMAP4, Imap4SslSelectThenCloseMailbox) {
  START_DOVECOT(server);
  tls::SSLContext ctx(tls::PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(server.cert());
  IMAP4_SSL imap("127.0.0.1", ctx, server.imaps_port(), Timeout(20s));
  EXPECT_TRUE(imap.channel().is_tls());
  EXPECT_EQ(imap.state(), "NONAUTH");
  imap.login("tester", "secret");
  EXPECT_EQ(imap.select("INBOX").type, "OK");
  EXPECT_EQ(imap.state(), "SELECTED");
  EXPECT_EQ(imap.close_mailbox().type, "OK");
  EXPECT_EQ(imap.state(), "AUTH");
  EXPECT_THROW(imap.close_mailbox(), IMAP4::error);  // CLOSE needs a selected mailbox
  // A context that does not trust the throw-away certificate is refused.
  tls::SSLContext strict(tls::PROTOCOL_TLS_CLIENT);
  EXPECT_ANY_THROW(IMAP4_SSL("127.0.0.1", strict, server.imaps_port(), Timeout(20s)));
}

// A PREAUTH server answering every command with "<its tag> <reply>" (IMAP tags are random).
class TaggingPeer {
 public:
  explicit TaggingPeer(std::string reply) : listener_(test::listen_ephemeral()) {
    thread_ = std::thread([this, reply = std::move(reply)] {
      try {
        auto conn = listener_.accept().conn;
        conn.settimeout(10.0);
        conn.sendall("* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
        io::SocketFile file(conn);
        for (std::string line; !(line = file.readline()).empty();)
          conn.sendall(line.substr(0, line.find(' ')) + " " + reply);
      } catch (const std::exception&) {
      }
    });
  }
  ~TaggingPeer() { thread_.join(); }
  std::uint16_t port() const { return listener_.getsockname().port(); }

 private:
  Socket listener_;
  std::thread thread_;
};

TEST(IMAP4, SelectOfAReadOnlyMailboxIsReadonly) {
  {
    TaggingPeer fake("OK [READ-ONLY] selected\r\n");
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(imap.state(), "AUTH");
    EXPECT_THROW(imap.select("INBOX"), IMAP4::readonly);
  }
  {
    TaggingPeer fake("OK [READ-ONLY] examined\r\n");
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(imap.examine("INBOX").code, "READ-ONLY");  // asked for read-only: no error
  }
}

TEST(IMAP4, AuthenticatePlain) {
  START_DOVECOT(server);
  IMAP4 imap("127.0.0.1", server.imap_port(), Timeout(20s));
  EXPECT_EQ(imap.authenticate_plain("tester", "secret").type, "OK");
  EXPECT_EQ(imap.state(), "AUTH");
}

TEST(IMAP4, IdleTimesOutQuietlyThenSeesANewMessage) {
  START_DOVECOT(server);
  IMAP4 imap = logged_in(server);
  imap.select();
  EXPECT_TRUE(imap.idle(300ms).empty());
  EXPECT_EQ(imap.noop().type, "OK");  // IDLE was ended with DONE
  std::thread other([&] {
    std::this_thread::sleep_for(300ms);
    IMAP4 second = logged_in(server);
    second.append("INBOX", "", "", "Subject: pushed\r\n\r\nx\r\n");
    second.logout();
  });
  const auto pushed = imap.idle(30s);
  other.join();
  ASSERT_FALSE(pushed.empty());
  bool exists = false;
  for (const auto& r : pushed) exists = exists || (r.type == "EXISTS" && r.number == 2u);
  EXPECT_TRUE(exists);
  EXPECT_EQ(imap.exists(), 2u);
}

TEST(IMAP4, HostileServers) {
  const std::string greeting = "* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n";
  {
    test::ScriptedPeer fake({"* BYE go away\r\n"});
    EXPECT_THROW(IMAP4("127.0.0.1", fake.port(), Timeout(10s)), IMAP4::error);
  }
  {
    test::ScriptedPeer fake({"* OK [CAPABILITY POP3] hi\r\n"});
    EXPECT_EQ(test::error_of([&] { IMAP4("127.0.0.1", fake.port(), Timeout(10s)); }),
              "imap: server not IMAP4 compliant");
  }
  {
    test::ScriptedPeer fake({"* OK [CAPABILITY IMAP4rev1] hi\n"});
    EXPECT_THROW(IMAP4("127.0.0.1", fake.port(), Timeout(10s)), IMAP4::abort);
  }
  {
    // A literal announced but cut short by the close.
    test::ScriptedPeer fake({greeting, "* 1 FETCH (BODY[] {100}\r\nonly a little"});
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(test::error_of([&] { imap.noop(); }),
              "imap: socket error: imap: reply to NOOP: connection closed after 13 of 100 bytes");
  }
  {
    test::ScriptedPeer fake({greeting, "ZZZZ1 OK not yours\r\n"});
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_THROW(imap.noop(), IMAP4::abort);
  }
  {
    test::ScriptedPeer fake({greeting, "* 1 FETCH (FLAGS (\\Seen)\r\n"});
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_THROW(imap.noop(), IMAP4::abort);
  }
  {
    test::ScriptedPeer fake({greeting, "* BYE shutting down\r\n"});
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(10s));
    EXPECT_EQ(test::error_of([&] { imap.noop(); }), "imap: NOOP: server said BYE: shutting down");
  }
  {
    test::ScriptedPeer fake({greeting}, true);
    IMAP4 imap("127.0.0.1", fake.port(), Timeout(300ms));
    EXPECT_THROW(imap.noop(), TimeoutError);
  }
}
