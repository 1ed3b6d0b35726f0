// SPDX-License-Identifier: MIT
// `soket addrinfo` against Python's own socket.getaddrinfo: the same query must print the
// same detailsocket.py blocks, and --json must describe the same results.
#include <gtest/gtest.h>
#include <ostream>
#include <string>
#include <vector>

#include "support/support.hpp"
#include "support/test_resolver.hpp"

using soket::test::Child;

namespace {

// detailsocket.py for Python 3, with the query taken from argv:
//   host service family type flags   ("" = None / 0)
const char* const detailsocket_py = R"(
import socket, sys
def get_protnumber(prefix):
    return dict((getattr(socket, a), a) for a in dir(socket) if a.startswith(prefix))
proto_fam = get_protnumber('AF_')
types = get_protnumber('SOCK_')
protocols = get_protnumber('IPPROTO_')
host, service, family, socktype, flags = sys.argv[1:6]
families = {'': 0, 'inet': socket.AF_INET, 'inet6': socket.AF_INET6, 'unix': socket.AF_UNIX}
kinds = {'': 0, 'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM, 'raw': socket.SOCK_RAW}
bits = 0
for f in filter(None, flags.split(',')):
    bits |= getattr(socket, 'AI_' + f.upper())
try:
    results = socket.getaddrinfo(host or None, service or None, families[family], kinds[socktype], 0, bits)
except socket.gaierror as e:
    print('gaierror:', e.args[1])
    sys.exit(0)
for res in results:
    family, socktype, proto, canonname, sockaddr = res
    print('Family :', proto_fam[family])
    print('Type :', types[socktype])
    print('Protocol :', protocols[proto])
    print('Canonical name:', canonname)
    print('Socket address:', sockaddr)
)";

// Checks a --json document (stdin) against Python's getaddrinfo for the same query; prints
// "ok N" or the first difference.
const char* const check_json_py = R"(
import json, socket, sys
host, service, family, socktype, flags = sys.argv[1:6]
families = {'': 0, 'inet': socket.AF_INET, 'inet6': socket.AF_INET6}
kinds = {'': 0, 'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM}
bits = 0
for f in filter(None, flags.split(',')):
    bits |= getattr(socket, 'AI_' + f.upper())
doc = json.load(sys.stdin)
want = socket.getaddrinfo(host or None, service or None, families[family], kinds[socktype], 0, bits)
if not isinstance(doc, list) or len(doc) != len(want):
    print('length', len(doc), 'want', len(want)); sys.exit(0)
for got, (fam, kind, proto, canon, sa) in zip(doc, want):
    expect = {'family': fam.name, 'type': kind.name, 'proto': proto, 'canonname': canon,
              'host': sa[0], 'port': sa[1], 'sockaddr': repr(sa)}
    if fam == socket.AF_INET6:
        expect['flowinfo'], expect['scope_id'] = sa[2], sa[3]
    for key, value in expect.items():
        if got.get(key) != value:
            print('field', key, repr(got.get(key)), '!=', repr(value)); sys.exit(0)
print('ok', len(doc))
)";

struct Query {
  std::string host, service, family, type, flags;
};

// Shown by gtest in failure messages: the command line's arguments.
void PrintTo(const Query& q, std::ostream* os) {
  *os << "addrinfo '" << q.host << "' '" << q.service << "' family=" << q.family
      << " type=" << q.type << " flags=" << q.flags;
}

std::vector<std::string> tool_argv(const Query& q) {
  std::vector<std::string> argv{soket::test::built_program("tools/soket"), "addrinfo", q.host};
  if (!q.service.empty()) argv.push_back(q.service);
  if (!q.family.empty()) argv.insert(argv.end(), {"--family", q.family});
  if (!q.type.empty()) argv.insert(argv.end(), {"--type", q.type});
  if (!q.flags.empty()) argv.insert(argv.end(), {"--flags", q.flags});
  return argv;
}

std::string python_blocks(const Query& q) {
  Child py(
      soket::test::python_argv(detailsocket_py, {q.host, q.service, q.family, q.type, q.flags}));
  std::string out = py.read_all();
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  return out;
}

class AddrinfoInterop : public ::testing::TestWithParam<Query> {};

}  // namespace

TEST_P(AddrinfoInterop, PrintsWhatDetailsocketPyPrints) {
  const Query& q = GetParam();
  std::string expected = python_blocks(q);
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(expected.rfind("gaierror", 0), std::string::npos) << expected;
  Child tool(tool_argv(q));
  std::string got = tool.read_all();
  EXPECT_EQ(tool.wait(), 0) << tool.read_stderr();
  EXPECT_EQ(got, expected);
}

TEST_P(AddrinfoInterop, JsonDescribesTheSameResults) {
  const Query& q = GetParam();
  std::vector<std::string> argv = tool_argv(q);
  argv.push_back("--json");
  Child tool(argv);
  std::string json = tool.read_all();
  ASSERT_EQ(tool.wait(), 0) << tool.read_stderr();
  Child py(soket::test::python_argv(check_json_py, {q.host, q.service, q.family, q.type, q.flags}));
  py.write_stdin(json);
  py.close_stdin();
  std::string verdict = py.read_all();
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  EXPECT_EQ(verdict.rfind("ok ", 0), 0u) << verdict << "\njson:\n" << json;
}

INSTANTIATE_TEST_SUITE_P(Queries, AddrinfoInterop,
                         ::testing::Values(Query{"localhost", "http", "", "", ""},
                                           Query{"127.0.0.1", "80", "", "", ""},
                                           Query{"::1", "80", "inet6", "", ""},
                                           Query{"localhost", "domain", "", "dgram", ""},
                                           Query{"127.0.0.1", "53", "inet", "dgram", ""},
                                           Query{"localhost", "", "inet", "stream", "canonname"},
                                           Query{"", "8080", "inet", "stream", "passive"}));

TEST(AddrinfoTool, UnknownHostFailsWithGaierrorOnStderr) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  Child tool({soket::test::built_program("tools/soket"), "addrinfo", "nosuch.invalid", "http"});
  std::string out = tool.read_all();
  EXPECT_EQ(tool.wait(), 1);  // a runtime failure, not a usage error
  EXPECT_EQ(out, "");
  EXPECT_EQ(tool.read_stderr(),
            "soket addrinfo: getaddrinfo nosuch.invalid, service http: Name or service not "
            "known\n");
}

TEST(AddrinfoTool, ServiceTypeMismatchMatchesPythonsMessage) {
  std::string python = python_blocks({"localhost", "http", "", "dgram", ""});
  ASSERT_EQ(python, "gaierror: Servname not supported for ai_socktype\n");
  Child tool({soket::test::built_program("tools/soket"), "addrinfo", "localhost", "http", "--type",
              "dgram"});
  EXPECT_EQ(tool.read_all(), "");
  EXPECT_EQ(tool.wait(), 1);  // a runtime failure, not a usage error
  EXPECT_EQ(tool.read_stderr(),
            "soket addrinfo: getaddrinfo localhost, service http: Servname not supported for "
            "ai_socktype\n");
}

TEST(AddrinfoTool, RejectsUnknownOptionValues) {
  Child bad_family(
      {soket::test::built_program("tools/soket"), "addrinfo", "localhost", "--family", "ipx"});
  bad_family.read_all();
  EXPECT_NE(bad_family.wait(), 0);
  EXPECT_NE(bad_family.read_stderr().find("--family"), std::string::npos);
  Child bad_flag({soket::test::built_program("tools/soket"), "addrinfo", "localhost", "--flags",
                  "canonname,bogus"});
  bad_flag.read_all();
  EXPECT_NE(bad_flag.wait(), 0);
  EXPECT_NE(bad_flag.read_stderr().find("bogus"), std::string::npos);
}

#ifdef SOKET_HAVE_DETAILSOCKET
TEST(AddrinfoTool, DetailsocketExampleMatchesPython) {
  Child example({soket::test::built_program("examples/detailsocket")});
  std::string got = example.read_all();
  EXPECT_EQ(example.wait(), 0) << example.read_stderr();
  EXPECT_EQ(got, python_blocks({"localhost", "http", "", "", ""}));
}
#endif
