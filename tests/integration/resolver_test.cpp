// SPDX-License-Identifier: MIT
#include <soket/resolver.hpp>

#include <gtest/gtest.h>
#include <algorithm>
#include <sstream>
#include <string>

#include <soket/error.hpp>

#include "support/support.hpp"
#include "support/test_resolver.hpp"

using soket::Address;
using soket::Family;
using soket::Type;

namespace {

using soket::test::error_of;

// Python's repr of a list of str: ['a', 'b'].
std::string py_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out.append(i ? ", '" : "'").append(items[i]).append("'");
  return out + "]";
}

std::string py_host_entry(const soket::HostEntry& h) {
  return "('" + h.name + "', " + py_list(h.aliases) + ", " + py_list(h.addresses) + ")";
}

// Runs `code` in Python 3 and returns its stdout.
std::string python(const std::string& code) {
  soket::test::Child child(soket::test::python_argv(code));
  std::string out = child.read_all();
  EXPECT_EQ(child.wait(), 0) << child.read_stderr();
  return out;
}

}  // namespace

TEST(Resolver, GetaddrinfoNumericHosts) {
  std::vector<soket::AddrInfo> v4 = soket::getaddrinfo("127.0.0.1", 80, Family::inet, Type::stream);
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0].family, Family::inet);
  EXPECT_EQ(v4[0].type, Type::stream);
  EXPECT_EQ(v4[0].proto, soket::ipproto::tcp);
  EXPECT_EQ(v4[0].canonname, "");
  EXPECT_EQ(v4[0].address.repr(), "('127.0.0.1', 80)");

  auto v6 = soket::getaddrinfo("::1", "53", Family::inet6, Type::dgram);
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].proto, soket::ipproto::udp);
  EXPECT_EQ(v6[0].address.repr(), "('::1', 53, 0, 0)");

  // No type: one result per type, as Python lists them.
  auto any = soket::getaddrinfo("127.0.0.1", 7);
  EXPECT_GE(any.size(), 2u);
}

TEST(Resolver, GetaddrinfoLocalhostAndServiceNames) {
  auto res = soket::getaddrinfo("localhost", "http", Family::inet);
  ASSERT_FALSE(res.empty());
  auto tcp =
      std::find_if(res.begin(), res.end(), [](const auto& r) { return r.type == Type::stream; });
  ASSERT_NE(tcp, res.end());
  EXPECT_EQ(tcp->address.repr(), "('127.0.0.1', 80)");
  EXPECT_TRUE(tcp->address.is_resolved());

  auto canon =
      soket::getaddrinfo("localhost", "", Family::inet, Type::stream, 0, soket::ai::canonname);
  ASSERT_FALSE(canon.empty());
  EXPECT_EQ(canon[0].canonname, "localhost");
}

TEST(Resolver, V4MappedAndAddrconfigFlags) {
  // AF_INET6 with AI_V4MAPPED turns an IPv4-only answer into ::ffff:a.b.c.d, as in Python.
  auto mapped =
      soket::getaddrinfo("127.0.0.1", 80, Family::inet6, Type::stream, 0, soket::ai::v4mapped);
  ASSERT_FALSE(mapped.empty());
  EXPECT_EQ(mapped[0].address.repr(), "('::ffff:127.0.0.1', 80, 0, 0)");
  EXPECT_THROW(soket::getaddrinfo("127.0.0.1", 80, Family::inet6, Type::stream), soket::gaierror);
  // AI_ADDRCONFIG depends on the machine's addresses (inside `unshare -n`, only lo: no
  // answer): the same as Python's on this machine, whichever it is.
  std::error_code ec;
  auto configured = soket::getaddrinfo("127.0.0.1", "80", Family::inet, Type::stream, 0,
                                       soket::ai::addrconfig | soket::ai::all, ec);
  const std::string ours = ec ? "gaierror" : std::to_string(configured.size());
  EXPECT_EQ(ours + "\n", python("import socket\n"
                                "try:\n"
                                "    print(len(socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET,"
                                " socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG | socket.AI_ALL)))\n"
                                "except socket.gaierror:\n"
                                "    print('gaierror')\n"));
}

TEST(Resolver, GetaddrinfoEmptyHostIsNone) {
  auto passive = soket::getaddrinfo("", 8080, Family::inet, Type::stream, 0, soket::ai::passive);
  ASSERT_EQ(passive.size(), 1u);
  EXPECT_EQ(passive[0].address.repr(), "('0.0.0.0', 8080)");
  auto active = soket::getaddrinfo("", 8080, Family::inet, Type::stream);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].address.repr(), "('127.0.0.1', 8080)");
}

TEST(Resolver, UnknownNamesAreGaierrorsNamingTheName) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  try {
    soket::getaddrinfo("nosuch.invalid", 80);
    FAIL() << "no error";
  } catch (const soket::gaierror& e) {
    EXPECT_EQ(e.code().category(), soket::gai_category());
    EXPECT_STREQ(e.what(), "getaddrinfo nosuch.invalid: Name or service not known");
    EXPECT_EQ(e.code().value(), soket::eai::noname);
  }
  std::error_code ec;
  auto res = soket::getaddrinfo("nosuch.invalid", "", Family::unspec, Type{}, 0, 0, ec);
  EXPECT_TRUE(res.empty());
  EXPECT_EQ(ec.category(), soket::gai_category());

  EXPECT_EQ(error_of([] {
              soket::getaddrinfo("localhost", 80, Family::unspec, Type::stream, 0,
                                 soket::ai::numerichost);
            }),
            "getaddrinfo localhost: Name or service not known");
  EXPECT_EQ(error_of([] { soket::getaddrinfo("localhost", "nosuchservice", Family::inet); }),
            "getaddrinfo localhost: Servname not supported for ai_socktype");
  soket::getaddrinfo("localhost", "http", Family::inet, Type::dgram, 0, 0, ec);
  EXPECT_EQ(ec.value(), soket::eai::service);
  soket::getaddrinfo("localhost", "80", Family::inet, Type::stream, 0, 0x7fff0000, ec);
  EXPECT_EQ(ec.value(), soket::eai::badflags);
  EXPECT_EQ(error_of([] { soket::getaddrinfo("", ""); }),
            "getaddrinfo : Name or service not known");
}

TEST(Resolver, GetnameinfoNumericAndNamed) {
  soket::NameInfo n =
      soket::getnameinfo(Address{"127.0.0.1", 80}, soket::ni::numerichost | soket::ni::numericserv);
  EXPECT_EQ(n.host, "127.0.0.1");
  EXPECT_EQ(n.service, "80");
  auto named = soket::getnameinfo(Address{"127.0.0.1", 80});
  EXPECT_EQ(named.service, "http");
  EXPECT_EQ(
      soket::getnameinfo(Address{"::1", 53}, soket::ni::numerichost | soket::ni::dgram).service,
      "domain");
  // Python passes AI_NUMERICHOST: a name is refused, not looked up.
  std::string what = error_of([] { soket::getnameinfo(Address{"localhost", 80}); });
  EXPECT_EQ(what, "getnameinfo localhost:80: Name or service not known");
  EXPECT_THROW(soket::getnameinfo(Address{"127.0.0.1", 80}, soket::ni::namereqd | 0x4000),
               soket::gaierror);
  EXPECT_EQ(soket::getnameinfo(Address{"127.0.0.1", 22}, soket::ni::nofqdn).host, "localhost");
  // The buffers hold the longest answers libc gives.
  EXPECT_LE(named.host.size(), static_cast<std::size_t>(soket::ni::maxhost));
  EXPECT_LE(named.service.size(), static_cast<std::size_t>(soket::ni::maxserv));
}

TEST(Resolver, HostFunctionsMatchPython) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  std::string expected = python(
      "import socket\n"
      "print(socket.gethostname())\n"
      "print(socket.getfqdn())\n"
      "print(socket.getfqdn('localhost'))\n"
      "print(socket.gethostbyname('localhost'), socket.gethostbyname(''), "
      "socket.gethostbyname('<broadcast>'))\n"
      "print(socket.getfqdn(' localhost '), socket.getfqdn('::') == socket.getfqdn())\n"
      "print(socket.gethostbyname_ex('localhost'))\n"
      "print(socket.gethostbyaddr('127.0.0.1'))\n"
      "print(socket.getnameinfo(('127.0.0.1', 80), 0))\n"
      "print(socket.getservbyport(80), socket.getservbyport(53, 'udp'))\n"
      "print(socket.getservbyname('http'), socket.getservbyname('domain', 'udp'))\n"
      "print(socket.getprotobyname('tcp'), socket.getprotobyname('udp'), "
      "socket.getprotobyname('icmp'))\n"
      "print(socket.if_nameindex())\n"
      "print(socket.has_ipv6, socket.has_dualstack_ipv6())\n");
  std::ostringstream got;
  auto b = [](bool v) { return v ? "True" : "False"; };
  auto ni = soket::getnameinfo(Address{"127.0.0.1", 80});
  got << soket::gethostname() << '\n'
      << soket::getfqdn() << '\n'
      << soket::getfqdn("localhost") << '\n'
      << soket::gethostbyname("localhost") << ' ' << soket::gethostbyname("") << ' '
      << soket::gethostbyname("<broadcast>") << '\n'
      << soket::getfqdn(" localhost ") << ' ' << b(soket::getfqdn("::") == soket::getfqdn()) << '\n'
      << py_host_entry(soket::gethostbyname_ex("localhost")) << '\n'
      << py_host_entry(soket::gethostbyaddr("127.0.0.1")) << '\n'
      << "('" << ni.host << "', '" << ni.service << "')\n"
      << soket::getservbyport(80) << ' ' << soket::getservbyport(53, "udp") << '\n'
      << soket::getservbyname("http") << ' ' << soket::getservbyname("domain", "udp") << '\n'
      << soket::getprotobyname("tcp") << ' ' << soket::getprotobyname("udp") << ' '
      << soket::getprotobyname("icmp") << '\n';
  got << '[';
  auto ifs = soket::if_nameindex();
  for (std::size_t i = 0; i < ifs.size(); ++i)
    got << (i ? ", " : "") << '(' << ifs[i].first << ", '" << ifs[i].second << "')";
  got << "]\n" << b(soket::has_ipv6) << ' ' << b(soket::has_dualstack_ipv6()) << '\n';
  EXPECT_EQ(got.str(), expected);
}

TEST(Resolver, HostLookupFailures) {
  SOKET_USE_TEST_RESOLVER();  // hermetic: names fail at a responder this test runs
  EXPECT_EQ(soket::gethostbyname("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(error_of([] { soket::gethostbyname("nosuch.invalid"); }),
            "gethostbyname nosuch.invalid: Name or service not known");
  EXPECT_THROW(soket::gethostbyname_ex("nosuch.invalid"), soket::gaierror);
  try {
    soket::gethostbyaddr("10.255.255.1");
    FAIL() << "no error";
  } catch (const soket::herror& e) {
    EXPECT_EQ(e.code().category(), soket::herror_category());
    EXPECT_STREQ(e.what(), "gethostbyaddr 10.255.255.1: Unknown host");
  }
  EXPECT_EQ(soket::getfqdn("nosuch.invalid"), "nosuch.invalid");
}

TEST(Resolver, ServicesAndProtocols) {
  EXPECT_EQ(soket::getservbyname("http"), 80);
  EXPECT_EQ(soket::getservbyname("http", "tcp"), 80);
  EXPECT_EQ(soket::getservbyport(22, "tcp"), "ssh");
  EXPECT_EQ(soket::getprotobyname("ipv6"), soket::ipproto::ipv6);
  EXPECT_EQ(error_of([] { soket::getservbyname("nosuch"); }),
            "getservbyname nosuch: service/proto not found");
  EXPECT_EQ(error_of([] { soket::getservbyname("http", "nosuchproto"); }),
            "getservbyname http/nosuchproto: service/proto not found");
  EXPECT_EQ(error_of([] { soket::getservbyport(1, "udp"); }),
            "getservbyport 1/udp: port/proto not found");
  // The error_code twins (noexcept) report the same failures.
  std::error_code ec;
  EXPECT_EQ(soket::getservbyname("nosuch", "", ec), 0);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(soket::getservbyname("http", "tcp", ec), 80);
  EXPECT_FALSE(ec);
  soket::getservbyport(65549, "", ec);
  EXPECT_EQ(ec, std::errc::value_too_large);
  soket::getprotobyname("nosuch", ec);
  EXPECT_TRUE(ec);
  soket::if_indextoname(999999, ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(soket::if_nameindex(ec).empty());
  EXPECT_FALSE(ec);
  EXPECT_EQ(soket::gethostbyname("10.1.2.3", ec), "10.1.2.3");
  EXPECT_FALSE(ec);
  static_assert(noexcept(soket::gethostbyaddr("", ec)));
  // Python: OverflowError, not a wrapped port (65549 would be 13, "daytime").
  EXPECT_THROW(soket::getservbyport(65549), soket::OverflowError);
  EXPECT_EQ(error_of([] { soket::getservbyport(-1); }),
            "getservbyport: port must be 0-65535, not -1");
  EXPECT_EQ(error_of([] { soket::getaddrinfo("127.0.0.1", 70000); }),
            "port must be 0-65535, not 70000");
  EXPECT_EQ(soket::getaddrinfo("127.0.0.1", 65535, Family::inet, Type::stream)[0].address.port(),
            65535);
  EXPECT_EQ(error_of([] { soket::getprotobyname("nosuch"); }),
            "getprotobyname nosuch: protocol not found");
  try {
    soket::getservbyname("nosuch");
  } catch (const soket::Error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_argument);  // a plain OSError in Python
  }
}

TEST(Resolver, InterfaceNamesAndIndexes) {
  unsigned lo = soket::if_nametoindex("lo");
  EXPECT_GT(lo, 0u);
  EXPECT_EQ(soket::if_indextoname(lo), "lo");
  auto all = soket::if_nameindex();
  EXPECT_NE(std::find(all.begin(), all.end(), std::pair<unsigned, std::string>(lo, "lo")),
            all.end());
  EXPECT_EQ(error_of([] { soket::if_nametoindex("nosuch0"); }),
            "if_nametoindex nosuch0: no interface with this name");
  std::error_code ec;
  EXPECT_EQ(soket::if_nametoindex("a-name-longer-than-ifnamsiz", ec), 0u);
  EXPECT_TRUE(ec);
  try {
    soket::if_indextoname(99999);
    FAIL() << "no error";
  } catch (const soket::Error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_device_or_address);
    EXPECT_STREQ(e.what(), "if_indextoname 99999: No such device or address");
  }
}

TEST(Resolver, ProtocolNamesAreDetailsocketsTable) {
  EXPECT_EQ(soket::ipproto_name(6), "IPPROTO_TCP");
  EXPECT_EQ(soket::ipproto_name(17), "IPPROTO_UDP");
  EXPECT_EQ(soket::ipproto_name(0), "IPPROTO_IP");
  EXPECT_EQ(soket::ipproto_name(9999), "");
}
