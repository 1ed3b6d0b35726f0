// SPDX-License-Identifier: MIT
// `soket netstat` against iproute2's `ss`: the sockets this test opens (a listener with a full
// accept queue, a connection holding unread bytes, a UDP socket holding a datagram, Unix
// streams) must appear with the same state, queues and addresses in both, field by field;
// --json must parse and say the same; -p must name this process as ss does.
#include <gtest/gtest.h>
#include <unistd.h>
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "interop/tool_support.hpp"
#include "support/support.hpp"

using soket::test::Child;
using soket::test::soket_tool;

namespace {

using Row = std::vector<std::string>;

std::string run(std::vector<std::string> argv, int* status = nullptr) {
  Child c(std::move(argv));
  std::string out = c.read_all();
  int rc = c.wait();
  if (status != nullptr) *status = rc;
  return out;
}

bool have_ss() {
  return ::access("/usr/bin/ss", X_OK) == 0 || ::access("/bin/ss", X_OK) == 0;
}

// The table's rows split on whitespace, header dropped, the Process column left out.
std::vector<Row> rows_of(const std::string& table) {
  std::vector<Row> rows;
  std::istringstream lines(table);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    Row row;
    for (std::string w; words >> w;)
      if (w.rfind("users:", 0) != 0) row.push_back(w);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

// Rows whose local or peer column (index `local`, `local + 1`) contains `needle`.
std::multiset<Row> mentioning(const std::vector<Row>& rows, const std::string& needle,
                              std::size_t local) {
  std::multiset<Row> picked;
  for (const auto& r : rows)
    if (r.size() > local + 1 && (r[local].find(needle) != std::string::npos ||
                                 r[local + 1].find(needle) != std::string::npos))
      picked.insert(r);
  return picked;
}

std::string print(const std::multiset<Row>& rows) {
  std::string text;
  for (const auto& r : rows) {
    for (const auto& w : r) text += w + " ";
    text += "\n";
  }
  return text;
}

class NetstatVsSs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_ss()) GTEST_SKIP() << "ss (iproute2) is not installed";
  }
};

TEST_F(NetstatVsSs, TcpStatesQueuesAndAddressesMatch) {
  // A listener whose accept queue holds two connections, and a connection with unread bytes.
  soket::Socket listener(soket::Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(8);
  auto port = std::to_string(listener.getsockname().port());
  soket::Socket c1(soket::Family::inet), c2(soket::Family::inet);
  c1.connect(listener.getsockname());
  c2.connect(listener.getsockname());
  soket::Socket c3(soket::Family::inet);
  c3.connect(listener.getsockname());
  auto [served, peer] = listener.accept();
  c3.sendall(std::string(1000, 'x'));  // stays unread in `served`
  std::string ss_out = run({"ss", "-tan"});
  std::string ours = run({soket_tool(), "netstat", "-tan"});
  auto want = mentioning(rows_of(ss_out), ":" + port, 3);
  auto got = mentioning(rows_of(ours), ":" + port, 3);
  EXPECT_EQ(want.size(), 7u) << ss_out;  // listener + 3 clients + 3 server sides (2 unaccepted)
  EXPECT_EQ(print(got), print(want)) << "soket:\n" << ours << "\nss:\n" << ss_out;
}

TEST_F(NetstatVsSs, UdpQueuesMatch) {
  soket::Socket a(soket::Family::inet, soket::Type::dgram),
      b(soket::Family::inet, soket::Type::dgram);
  a.bind({"127.0.0.1", 0});
  b.bind({"127.0.0.1", 0});
  b.connect(a.getsockname());     // ESTAB, as ss calls a connected datagram socket
  b.send(std::string(300, 'y'));  // unread: a's Recv-Q
  auto port = ":" + std::to_string(a.getsockname().port());
  std::string ss_out = run({"ss", "-uan"});
  std::string ours = run({soket_tool(), "netstat", "-uan"});
  auto want = mentioning(rows_of(ss_out), port, 3);
  EXPECT_EQ(want.size(), 2u) << ss_out;
  EXPECT_EQ(print(mentioning(rows_of(ours), port, 3)), print(want)) << ours << "\n" << ss_out;
}

TEST_F(NetstatVsSs, RawSocketsMatch) {
  // Raw sockets need root or CAP_NET_RAW. Protocols 253 and 254 (RFC 3692's experiments) so
  // that no other process's raw socket (a ping) comes and goes between the two listings.
  std::optional<soket::Socket> v4, v6;
  try {
    v4.emplace(soket::Family::inet, soket::Type::raw, 253);
    v4->bind({"127.0.0.1", 0});
    v6.emplace(soket::Family::inet6, soket::Type::raw, 254);
  } catch (const soket::PermissionError& e) {
    GTEST_SKIP() << "raw sockets need root or CAP_NET_RAW: " << e.what();
  }
  std::string ss_out = run({"ss", "-wan"});
  std::string ours = run({soket_tool(), "netstat", "-wan"});
  auto pick = [](const std::vector<Row>& rows) {
    std::multiset<Row> picked = mentioning(rows, "127.0.0.1:253", 3);
    for (const auto& r : mentioning(rows, ":254", 3)) picked.insert(r);
    return picked;
  };
  auto want = pick(rows_of(ss_out));
  EXPECT_EQ(want.size(), 2u) << ss_out;
  EXPECT_EQ(print(pick(rows_of(ours))), print(want)) << ours << ss_out;
}

TEST_F(NetstatVsSs, DualStackAndV6onlyWildcards) {
  soket::Socket dual(soket::Family::inet6), v6only(soket::Family::inet6);
  v6only.setsockopt(soket::opt::v6_only, true);
  dual.bind({"::", 0});
  v6only.bind({"::", 0});
  dual.listen(1);
  v6only.listen(1);
  std::string ss_out = run({"ss", "-tln"});
  std::string ours = run({soket_tool(), "netstat", "-tln"});
  for (auto port : {dual.getsockname().port(), v6only.getsockname().port()}) {
    auto want = mentioning(rows_of(ss_out), ":" + std::to_string(port), 3);
    EXPECT_EQ(want.size(), 1u) << ss_out;
    EXPECT_EQ(print(mentioning(rows_of(ours), ":" + std::to_string(port), 3)), print(want))
        << ours << ss_out;
  }
}

TEST_F(NetstatVsSs, UnixStreamsMatch) {
  soket::test::TempUnixPath path;
  soket::Socket listener(soket::Family::unix);
  listener.bind(soket::Address::unix_path(path.path()));
  listener.listen(4);
  soket::Socket client(soket::Family::unix);
  client.connect(soket::Address::unix_path(path.path()));
  soket::Socket pending(soket::Family::unix);  // its server side stays in the accept queue
  pending.connect(soket::Address::unix_path(path.path()));
  auto [served, from] = listener.accept();  // client's
  client.sendall(std::string(777, 'z'));    // unread: served's Recv-Q
  std::string ss_out = run({"ss", "-xan"});
  std::string ours = run({soket_tool(), "netstat", "-xan"});
  // Rows naming the path, then the rows whose peer is one of them (the unnamed clients).
  auto pick = [&](const std::vector<Row>& rows) {
    std::multiset<Row> picked;
    std::set<std::string> inodes;
    for (const auto& r : rows)
      if (r.size() >= 8 && r[4] == path.path()) picked.insert(r), inodes.insert(r[5]);
    for (const auto& r : rows)
      if (r.size() >= 8 && r[4] != path.path() && inodes.count(r[7])) picked.insert(r);
    return picked;
  };
  auto want = pick(rows_of(ss_out));
  // The listener (one connection queued), the served side and its client. (`pending` shows no
  // peer: its server side is not in the table until accepted.)
  EXPECT_EQ(want.size(), 3u) << ss_out;
  EXPECT_EQ(print(pick(rows_of(ours))), print(want)) << ours << "\n" << ss_out;
}

TEST_F(NetstatVsSs, ListeningAndProcessesMatch) {
  soket::Socket listener(soket::Family::inet6);
  listener.bind({"::1", 0});
  listener.listen(3);
  auto port = "]:" + std::to_string(listener.getsockname().port());
  std::string ss_out = run({"ss", "-tlnp"});
  std::string ours = run({soket_tool(), "netstat", "-tlnp"});
  auto want = mentioning(rows_of(ss_out), port, 3);
  ASSERT_EQ(want.size(), 1u) << ss_out;
  EXPECT_EQ(print(mentioning(rows_of(ours), port, 3)), print(want)) << ours;
  // The Process column: users:(("name",pid=N,fd=M)) for this very process, in both.
  auto users = [&](const std::string& table) {
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);)
      if (line.find(port) != std::string::npos) return line.substr(line.find("users:"));
    return std::string("(none)");
  };
  EXPECT_EQ(users(ours), users(ss_out));
  EXPECT_NE(users(ours).find("pid=" + std::to_string(::getpid()) +
                             ",fd=" + std::to_string(listener.fileno()) + ")"),
            std::string::npos)
      << ours;
}

TEST(NetstatTool, DefaultListsConnectedOnlyAndStateFilterNarrows) {
  soket::Socket listener(soket::Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(2);
  auto port = ":" + std::to_string(listener.getsockname().port());
  soket::Socket client(soket::Family::inet);
  client.connect(listener.getsockname());
  auto connected = rows_of(run({soket_tool(), "netstat", "-tn"}));
  auto rows = mentioning(connected, port, 3);
  ASSERT_EQ(rows.size(), 2u) << print(rows);  // both ends, no listener without -a/-l
  for (const auto& r : rows) EXPECT_EQ(r[0], "ESTAB");
  auto listening =
      mentioning(rows_of(run({soket_tool(), "netstat", "-tn", "--state", "listening"})), port, 3);
  ASSERT_EQ(listening.size(), 1u);
  EXPECT_EQ(listening.begin()->at(0), "LISTEN");
  // Several kinds: the Netid column comes first, as in ss.
  auto mixed = mentioning(rows_of(run({soket_tool(), "netstat", "-tuan"})), port, 4);
  ASSERT_EQ(mixed.size(), 3u);
  for (const auto& r : mixed) EXPECT_EQ(r[0], "tcp");
}

TEST(NetstatTool, JsonParsesAndAgreesWithTheTable) {
  soket::Socket listener(soket::Family::inet);
  listener.bind({"127.0.0.1", 0});
  listener.listen(5);
  soket::Socket client(soket::Family::inet);
  client.connect(listener.getsockname());
  int port = listener.getsockname().port();
  std::string doc = run({soket_tool(), "netstat", "-tan", "--json"});
  // Python's json module checks the document and picks out our rows.
  Child py(soket::test::python_argv(R"(
import json, sys
rows = json.loads(sys.stdin.read())
port = int(sys.argv[1])
mine = sorted((r['state'], r['local']['port'], r['recv_q'], r['send_q'], r['local']['address'],
               r['peer']['address'], r['peer']['port']) for r in rows
              if r['local']['port'] == port or r['peer']['port'] == port)
for row in mine: print(*row)
)",
                                    {std::to_string(port)}));
  py.write_stdin(doc);
  py.close_stdin();
  std::string got = py.read_all();
  EXPECT_EQ(py.wait(), 0) << doc;
  int cport = client.getsockname().port();
  // Both ends of the (unaccepted) connection, ordered by local port, then the listener with
  // that connection in its queue and its backlog of 5.
  std::string client_row =
      "ESTAB " + std::to_string(cport) + " 0 0 127.0.0.1 127.0.0.1 " + std::to_string(port) + "\n";
  std::string server_row =
      "ESTAB " + std::to_string(port) + " 0 0 127.0.0.1 127.0.0.1 " + std::to_string(cport) + "\n";
  std::string want = cport < port ? client_row + server_row : server_row + client_row;
  want += "LISTEN " + std::to_string(port) + " 1 5 127.0.0.1 0.0.0.0 0\n";
  EXPECT_EQ(got, want);
}

TEST(NetstatTool, WatchPrintsATablePerInterval) {
  int status = -1;
  std::string out =
      run({soket_tool(), "netstat", "-tln", "--watch", "0.05", "--count", "3"}, &status);
  EXPECT_EQ(status, 0);
  std::size_t headers = 0;
  for (std::size_t at = 0; (at = out.find("State", at)) != std::string::npos; ++at) ++headers;
  EXPECT_EQ(headers, 3u) << out;
  // With --json: one document per line.
  out =
      run({soket_tool(), "netstat", "-tln", "--json", "--watch", "0.05", "--count", "2"}, &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  EXPECT_EQ(out.front(), '[');
}

TEST(NetstatTool, BadOptionsAreUsageErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--state", "sleepy"},
                                        {"--watch", "-1"},
                                        {"--watch", "nan"},
                                        {"--watch", "1e400"},
                                        {"--count", "2"},
                                        {"-a", "-l"},
                                        {"--watch", "1", "--count", "0"}}) {
    args.insert(args.begin(), {soket_tool(), "netstat"});
    Child c(args);
    std::string out = c.read_all();
    std::string err = c.read_stderr();
    EXPECT_EQ(c.wait(), 2) << args[2] << " " << err;
    EXPECT_EQ(err.rfind("soket: ", 0), 0u) << err;  // one line naming what is wrong
    EXPECT_TRUE(out.empty()) << out;
  }
}

}  // namespace
