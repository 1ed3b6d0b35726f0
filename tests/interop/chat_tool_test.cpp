// SPDX-License-Identifier: MIT
// `soket chat-server` and `soket chat`: 200 clients over every loop each get every other
// client's messages in order per sender; nicknames are unique and validated; the commands;
// a client that never reads is dropped while the room goes on and the server's memory stays
// bounded; the chat client end to end; usage and runtime errors.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <soket/io/selector.hpp>
#include <soket/io/socket_file.hpp>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

// `soket chat-server ARGS... 0` on an ephemeral port.
struct ChatServer {
  explicit ChatServer(std::vector<std::string> args) : child(argv(std::move(args))) {
    port = read_listening(child, "chat-server").port;
  }
  static std::vector<std::string> argv(std::vector<std::string> args) {
    args.insert(args.begin(), {soket_tool(), "chat-server"});
    args.emplace_back("0");
    return args;
  }
  Address address() const { return Address("127.0.0.1", port); }
  // Resident memory of the server process, in KiB.
  long rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(child.pid()) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
  }
  int stop() {
    child.signal(SIGTERM);
    return child.wait();
  }
  Child child;
  std::uint16_t port = 0;
};

// A blocking chat client over a real socket.
struct Member {
  explicit Member(const Address& a) : sock(Family::inet, Type::stream), file(sock) {
    sock.settimeout(30s);
    sock.connect(a);
    EXPECT_EQ(line().substr(0, 24), "* welcome to soket chat:");
  }
  void say(const std::string& text) { sock.sendall(text + "\n"); }
  std::string line() {
    std::string l = file.readline();
    if (!l.empty() && l.back() == '\n') l.pop_back();
    return l;
  }
  // The next line that is not a notice about someone else (joined, left, renamed, dropped).
  std::string reply() {
    static const std::regex notice(
        R"(^\* \S+ (joined|left|dropped \(not reading\)|is now known as \S+)$)");
    for (;;) {
      std::string l = line();
      if (!std::regex_match(l, notice)) return l;
    }
  }
  void join(const std::string& nick) {
    say("/nick " + nick);
    EXPECT_EQ(reply().substr(0, 11 + nick.size()), "* you are " + nick + ";") << nick;
  }
  Socket sock;
  io::SocketFile file;
};

TEST(ChatTool, TwoHundredClientsOverEveryLoopGetEveryMessageInOrderPerSender) {
  ChatServer server({"--threads", "4"});
  constexpr int clients = 200, messages = 5;
  std::vector<std::unique_ptr<Member>> members;
  for (int i = 0; i < clients; ++i) {
    members.push_back(std::make_unique<Member>(server.address()));
    members.back()->join("u" + std::to_string(i));
  }
  for (int round = 0; round < messages; ++round)
    for (int i = 0; i < clients; ++i) members[i]->say("m" + std::to_string(round));

  // Read every client at once (a selector), until each has every other client's messages.
  selectors::DefaultSelector sel;
  std::vector<std::string> partial(clients);
  std::vector<std::map<std::string, int>> next(clients);  // per sender: next round expected
  std::vector<int> got(clients, 0);
  std::vector<std::size_t> received(clients, 0);
  int complete = 0, disorder = 0;
  for (int i = 0; i < clients; ++i) {
    members[i]->sock.setblocking(false);
    // What the blocking file read ahead is the start of the stream.
    partial[i] = members[i]->file.read1(members[i]->file.buffered());
    sel.register_(members[i]->sock, selectors::EVENT_READ, i);
  }
  // Plain parsing, no regex per line: 200,000 lines must not take longer than the server.
  auto consume = [&](int i) {
    std::size_t start = 0, nl;
    while ((nl = partial[i].find('\n', start)) != std::string::npos) {
      std::string_view l(partial[i].data() + start, nl - start);
      start = nl + 1;
      // "<uN> mK": a message; anything else is a notice.
      std::size_t close = l.find("> m");
      if (!l.starts_with("<u") || close == std::string_view::npos) continue;
      std::string sender(l.substr(1, close - 1));
      int round = std::stoi(std::string(l.substr(close + 3)));
      if (next[i][sender]++ != round) ++disorder;
      if (sender == "u" + std::to_string(i)) ++disorder;  // one's own message echoed
      if (++got[i] == (clients - 1) * messages) ++complete;
    }
    partial[i].erase(0, start);
  };
  for (int i = 0; i < clients; ++i) consume(i);
  auto deadline = std::chrono::steady_clock::now() + 120s;
  while (complete < clients && std::chrono::steady_clock::now() < deadline) {
    for (auto [key, events] : sel.select(std::chrono::seconds(1))) {
      int i = std::any_cast<int>(key.data);
      char buf[65536];
      std::error_code ec;
      std::size_t n = members[i]->sock.recv_into(std::as_writable_bytes(std::span(buf)), 0, 0, ec);
      if (ec || n == 0) {
        ADD_FAILURE() << "client " << i << " lost its connection: " << ec.message();
        sel.unregister(members[i]->sock);
        continue;
      }
      partial[i].append(buf, n);
      received[i] += n;
      consume(i);
    }
  }
  EXPECT_EQ(complete, clients);
  EXPECT_EQ(disorder, 0);
  for (int i = 0; i < clients; ++i)
    ASSERT_EQ(got[i], (clients - 1) * messages) << "client " << i << ", received " << received[i]
                                                << ", unparsed: " << partial[i].substr(0, 300);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ChatTool, NicknamesAreUniqueAndValidatedAndCommandsWork) {
  ChatServer server({"--threads", "2"});
  Member ana(server.address()), bob(server.address()), eve(server.address());
  eve.say("hello before a nick");
  EXPECT_EQ(eve.reply(), "! choose a nickname first: /nick NAME");
  ana.join("ana");
  bob.say("/nick ana");
  EXPECT_EQ(bob.reply(), "! nickname ana is taken");
  bob.say("/nick b o b");
  EXPECT_EQ(bob.reply(), "! invalid nickname: only letters, digits, '_', '-' and '.' are allowed");
  bob.say("/nick " + std::string(33, 'x'));
  EXPECT_EQ(bob.reply(), "! invalid nickname: it is longer than 32 bytes");
  bob.say("/nick");
  EXPECT_EQ(bob.reply(), "! invalid nickname: it is empty");
  bob.join("bob");
  eve.join("eve");
  bob.say("/who");
  EXPECT_EQ(bob.reply(), "* 3 here: ana, bob, eve");
  // A private message reaches only its target.
  ana.say("/msg bob psst");
  EXPECT_EQ(ana.reply(), "-> *bob* psst");
  EXPECT_EQ(bob.reply(), "*ana* psst");
  ana.say("/msg nobody hi");
  EXPECT_EQ(ana.reply(), "! no such nickname: nobody");
  ana.say("public\r");  // telnet's CRLF
  EXPECT_EQ(bob.reply(), "<ana> public");
  EXPECT_EQ(eve.reply(), "<ana> public");  // eve never saw "psst"
  // Renaming frees the old name and tells the room.
  bob.say("/nick robert");
  EXPECT_EQ(bob.reply(), "* you are now robert");
  EXPECT_EQ(ana.line(), "* bob is now known as robert");
  eve.say("/nick bob");
  EXPECT_EQ(eve.reply(), "* you are now bob");
  EXPECT_EQ(ana.line(), "* eve is now known as bob");
  ana.say("/dance");
  EXPECT_EQ(ana.reply(), "! unknown command /dance (/help: commands)");
  // /quit: a goodbye, the end of the stream, and a notice to the room.
  eve.say("/quit");
  EXPECT_EQ(eve.line(), "* bye");
  EXPECT_EQ(eve.line(), "");
  EXPECT_EQ(ana.line(), "* bob left");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ChatTool, OverlongLineEndsThatClientOnly) {
  ChatServer server({"--threads", "1", "--max-line", "100"});
  Member ana(server.address()), bob(server.address());
  ana.join("ana");
  bob.join("bob");
  bob.say(std::string(101, 'x'));
  EXPECT_EQ(bob.reply(), "! line longer than 100 bytes: goodbye");
  EXPECT_EQ(bob.line(), "");  // closed
  EXPECT_EQ(ana.line(), "* bob joined");
  EXPECT_EQ(ana.line(), "* bob left");
  ana.say("/who");
  EXPECT_EQ(ana.reply(), "* 1 here: ana");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ChatTool, ClientThatNeverReadsIsDroppedAndMemoryStaysBounded) {
  ChatServer server({"--threads", "2", "--max-output", "262144"});
  Member talker(server.address()), listener(server.address());
  // A client with a small receive window that never reads after joining.
  Socket slow(Family::inet, Type::stream);
  slow.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
  slow.settimeout(30s);
  slow.connect(server.address());
  slow.sendall("/nick slow\n");
  talker.join("talker");
  listener.join("listener");
  const long rss_before = server.rss_kib();
  ASSERT_GT(rss_before, 0);

  // 40 MiB through the room: kept for `slow`, it would grow the server by as much. The
  // listener keeps up (the talker waits for it after each batch), so only `slow` lags.
  constexpr int lines = 80000, per_batch = 128;
  const std::string text(500, 'z');
  std::atomic<int> heard{0};
  std::atomic<bool> dropped_seen{false}, listener_gone{false};
  std::thread reader([&] {
    for (;;) {
      std::string l = listener.line();
      if (l.empty()) {
        listener_gone = true;
        break;
      }
      if (l == "* slow dropped (not reading)") dropped_seen = true;
      if (l.starts_with("<talker> ") && ++heard == lines) break;
    }
  });
  std::string batch;
  for (int i = 1; i <= lines && !listener_gone; ++i) {
    batch += text + "\n";
    if (i % per_batch == 0 || i == lines) {
      talker.sock.sendall(batch);
      batch.clear();
      for (int k = 0; k < 20000 && heard < i && !listener_gone; ++k)
        std::this_thread::sleep_for(1ms);
    }
  }
  reader.join();
  EXPECT_EQ(heard.load(), lines);
  EXPECT_TRUE(dropped_seen.load());
  const long rss_after = server.rss_kib();
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed buffers resident: RSS says nothing
  EXPECT_LT(rss_after - rss_before, 16 * 1024)
      << "server grew from " << rss_before << " KiB to " << rss_after << " KiB";
#else
  (void)rss_after;
#endif
  // The room goes on without it.
  talker.say("/who");
  EXPECT_EQ(talker.reply(), "* 2 here: listener, talker");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ChatTool, ChatClientsTalkThroughTheServerAndLeaveOnEndOfInput) {
  ChatServer server({"--threads", "2"});
  const std::string port = std::to_string(server.port);
  Child ana({soket_tool(), "chat", "127.0.0.1", port, "--nick", "ana"});
  ASSERT_EQ(ana.read_line()->substr(0, 24), "* welcome to soket chat:");
  EXPECT_EQ(ana.read_line(), "* you are ana; 1 here: ana");
  Child bob({soket_tool(), "chat", "127.0.0.1", port, "-n", "bob"});
  ASSERT_EQ(bob.read_line()->substr(0, 24), "* welcome to soket chat:");
  EXPECT_EQ(bob.read_line(), "* you are bob; 2 here: ana, bob");
  EXPECT_EQ(ana.read_line(), "* bob joined");
  ana.write_stdin("hello bob\n");
  EXPECT_EQ(bob.read_line(), "<ana> hello bob");
  bob.write_stdin("hi ana, bye");  // no '\n': still sent at end of input
  bob.close_stdin();
  EXPECT_EQ(ana.read_line(), "<bob> hi ana, bye");
  EXPECT_EQ(ana.read_line(), "* bob left");
  EXPECT_EQ(bob.wait(), 0);
  ana.close_stdin();
  EXPECT_EQ(ana.wait(), 0);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ChatTool, UsageAndRuntimeErrors) {
  auto run = [](std::vector<std::string> args, std::string* err) {
    args.insert(args.begin(), soket_tool());
    Child c(args);
    *err = c.read_stderr(20s);
    return c.wait();
  };
  std::string err;
  EXPECT_EQ(run({"chat-server", "99999"}, &err), 2);
  EXPECT_NE(err.find("PORT must be a number from 0 to 65535"), std::string::npos) << err;
  EXPECT_EQ(run({"chat-server", "--max-line", "-1", "7000"}, &err), 2);
  EXPECT_EQ(run({"chat-server", "--max-output", "nan", "7000"}, &err), 2);
  EXPECT_EQ(run({"chat-server", "--threads", "1e400", "7000"}, &err), 2);
  EXPECT_EQ(run({"chat", "127.0.0.1", "0"}, &err), 2);
  EXPECT_EQ(run({"chat", "127.0.0.1"}, &err), 2);
  EXPECT_EQ(run({"chat", "127.0.0.1", std::to_string(closed_port())}, &err), 1);
  EXPECT_TRUE(err.starts_with("soket chat: ")) << err;
  EXPECT_NE(err.find("Connection refused"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  // A busy port: the server says which address it could not take.
  Socket taken = listen_ephemeral();
  EXPECT_EQ(run({"chat-server", "127.0.0.1", std::to_string(taken.getsockname().port())}, &err), 1);
  EXPECT_TRUE(err.starts_with("soket chat-server: ")) << err;
  EXPECT_NE(err.find("Address already in use"), std::string::npos) << err;
}

}  // namespace
}  // namespace soket::test
