// SPDX-License-Identifier: MIT
#include <soket/options.hpp>

#include <gtest/gtest.h>
#include <stdexcept>
#include <string>
#include <thread>

#include <soket/error.hpp>
#include <soket/resolver.hpp>
#include <soket/socket.hpp>

#include "support/support.hpp"

using namespace std::chrono_literals;
using soket::Family;
using soket::Socket;
using soket::Type;
namespace opt = soket::opt;

namespace {

using soket::test::error_of;

}  // namespace

TEST(Options, BooleansRoundTrip) {
  Socket s(Family::inet, Type::stream);
  EXPECT_FALSE(s.getsockopt(opt::reuse_address));
  s.setsockopt(opt::reuse_address, true);
  EXPECT_TRUE(s.getsockopt(opt::reuse_address));
  // The typed option and Python's raw form read the same kernel value.
  EXPECT_EQ(s.getsockopt(opt::reuse_address.level(), opt::reuse_address.optname()), 1);
  s.setsockopt(opt::reuse_address, false);
  EXPECT_FALSE(s.getsockopt(opt::reuse_address));

  for (const auto* o : {&opt::reuse_port, &opt::keep_alive, &opt::no_delay}) {
    EXPECT_FALSE(s.getsockopt(*o)) << o->name();
    s.setsockopt(*o, true);
    EXPECT_TRUE(s.getsockopt(*o)) << o->name();
  }
}

TEST(Options, NamesAreTheKernelMacros) {
  EXPECT_EQ(opt::reuse_address.name(), "SO_REUSEADDR");
  EXPECT_EQ(opt::user_timeout.name(), "TCP_USER_TIMEOUT");
  EXPECT_EQ(opt::add_membership.name(), "IP_ADD_MEMBERSHIP");
  EXPECT_EQ(opt::no_delay.level(), soket::ipproto::tcp);
  EXPECT_EQ(opt::ttl.level(), soket::ipproto::ip);
  EXPECT_EQ(opt::v6_only.level(), soket::ipproto::ipv6);
}

TEST(Options, TcpKeepaliveTimersAndUserTimeout) {
  Socket s(Family::inet, Type::stream);
  s.setsockopt(opt::keep_idle, 30s);
  s.setsockopt(opt::keep_interval, 7s);
  s.setsockopt(opt::keep_count, 4);
  s.setsockopt(opt::user_timeout, 1500ms);
  EXPECT_EQ(s.getsockopt(opt::keep_idle), 30s);
  EXPECT_EQ(s.getsockopt(opt::keep_interval), 7s);
  EXPECT_EQ(s.getsockopt(opt::keep_count), 4);
  EXPECT_EQ(s.getsockopt(opt::user_timeout), 1500ms);
}

TEST(Options, BufferSizesAreAtLeastWhatWasAsked) {
  Socket s(Family::inet, Type::stream);
  s.setsockopt(opt::receive_buffer_size, 65536);
  s.setsockopt(opt::send_buffer_size, 65536);
  EXPECT_GE(s.getsockopt(opt::receive_buffer_size), 65536);  // Linux doubles it
  EXPECT_GE(s.getsockopt(opt::send_buffer_size), 65536);
}

TEST(Options, LingerIsAnOptionalDuration) {
  Socket s(Family::inet, Type::stream);
  EXPECT_EQ(s.getsockopt(opt::linger), std::nullopt);
  s.setsockopt(opt::linger, std::optional<std::chrono::seconds>(5s));
  EXPECT_EQ(s.getsockopt(opt::linger), std::optional<std::chrono::seconds>(5s));
  s.setsockopt(opt::linger, std::nullopt);
  EXPECT_EQ(s.getsockopt(opt::linger), std::nullopt);
}

TEST(Options, ReadOnlyOptionsDescribeTheSocket) {
  auto listener = soket::test::listen_ephemeral();
  EXPECT_TRUE(listener.getsockopt(opt::accept_connection));
  EXPECT_EQ(listener.getsockopt(opt::type), Type::stream);
  EXPECT_EQ(listener.getsockopt(opt::domain), Family::inet);
  EXPECT_EQ(listener.getsockopt(opt::protocol), soket::ipproto::tcp);
  EXPECT_FALSE(listener.getsockopt(opt::error));

  Socket u(Family::inet6, Type::dgram);
  EXPECT_FALSE(u.getsockopt(opt::accept_connection));
  EXPECT_EQ(u.getsockopt(opt::type), Type::dgram);
  EXPECT_EQ(u.getsockopt(opt::domain), Family::inet6);
  EXPECT_EQ(u.getsockopt(opt::protocol), soket::ipproto::udp);
}

TEST(Options, ErrorReportsAFailedConnect) {
  // A port that refuses: bind one, note it, close it.
  soket::Address refused;
  {
    auto l = soket::test::listen_ephemeral();
    refused = l.getsockname();
  }
  Socket s(Family::inet, Type::stream);
  s.setblocking(false);
  std::error_code ec;
  s.connect(refused, ec);
  ASSERT_TRUE(ec == std::errc::operation_in_progress || ec == std::errc::connection_refused)
      << ec.message();
  if (ec == std::errc::operation_in_progress) {
    // Wait for the refusal (bounded), then SO_ERROR reports it once and clears.
    s.settimeout(10s);
    std::error_code pending;
    for (int i = 0; i < 1000 && !pending; ++i) {
      pending = s.getsockopt(opt::error);
      if (!pending) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(pending, std::errc::connection_refused);
    EXPECT_FALSE(s.getsockopt(opt::error));
  }
}

TEST(Options, Ipv6OnlyAndTtl) {
  Socket s6(Family::inet6, Type::stream);
  s6.setsockopt(opt::v6_only, true);
  EXPECT_TRUE(s6.getsockopt(opt::v6_only));
  s6.setsockopt(opt::v6_only, false);
  EXPECT_FALSE(s6.getsockopt(opt::v6_only));

  Socket s(Family::inet, Type::stream);
  s.setsockopt(opt::ttl, 33);
  EXPECT_EQ(s.getsockopt(opt::ttl), 33);
  EXPECT_EQ(error_of([&] { s.setsockopt(opt::ttl, 0); }), "setsockopt IP_TTL: Invalid argument");
}

TEST(Options, MulticastOnLoopback) {
  Socket s(Family::inet, Type::dgram);
  s.setsockopt(opt::broadcast, true);
  EXPECT_TRUE(s.getsockopt(opt::broadcast));
  s.setsockopt(opt::multicast_ttl, 2);
  EXPECT_EQ(s.getsockopt(opt::multicast_ttl), 2);
  s.setsockopt(opt::multicast_loop, false);
  EXPECT_FALSE(s.getsockopt(opt::multicast_loop));
  s.setsockopt(opt::multicast_if, std::string("127.0.0.1"));
  EXPECT_EQ(s.getsockopt(opt::multicast_if), "127.0.0.1");
  EXPECT_THROW(s.setsockopt(opt::multicast_if, std::string("not-an-ip")), std::invalid_argument);

  opt::Membership group{"239.255.42.99", "127.0.0.1"};
  s.setsockopt(opt::add_membership, group);
  s.setsockopt(opt::drop_membership, group);
  // Leaving a group twice is the kernel's EADDRNOTAVAIL, worded with the option name.
  std::string what = error_of([&] { s.setsockopt(opt::drop_membership, group); });
  EXPECT_EQ(what.rfind("setsockopt IP_DROP_MEMBERSHIP: ", 0), 0u) << what;
  EXPECT_EQ(error_of([&] {
              s.setsockopt(opt::add_membership, {"nonsense", "0.0.0.0"});
            }),
            "setsockopt IP_ADD_MEMBERSHIP: value out of range");
}

TEST(Options, BindToDeviceTakesAnInterfaceName) {
  Socket s(Family::inet, Type::dgram);
  std::error_code ec;
  s.setsockopt(opt::bind_to_device, std::string("lo"), ec);
  if (ec == std::errc::operation_not_permitted) GTEST_SKIP() << "needs CAP_NET_RAW";
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(s.getsockopt(opt::bind_to_device), "lo");
  s.setsockopt(opt::bind_to_device, std::string("nosuchdev0"), ec);
  EXPECT_EQ(ec, std::errc::no_such_device);
  EXPECT_EQ(error_of([&] { s.setsockopt(opt::bind_to_device, std::string("nosuchdev0")); }),
            "setsockopt SO_BINDTODEVICE: No such device");
  s.setsockopt(opt::bind_to_device, std::string());
  EXPECT_EQ(s.getsockopt(opt::bind_to_device), "");
}

TEST(Options, KernelTimeoutsAreDurations) {
  Socket s(Family::inet, Type::dgram);
  EXPECT_EQ(s.getsockopt(opt::receive_timeout), 0us);
  s.setsockopt(opt::receive_timeout, 1500ms);  // a whole number of jiffies at any HZ
  s.setsockopt(opt::send_timeout, 2s);
  EXPECT_EQ(s.getsockopt(opt::receive_timeout), 1500ms);
  EXPECT_EQ(s.getsockopt(opt::send_timeout), 2s);
}

TEST(Options, FailuresNameTheOption) {
  Socket s(Family::inet, Type::stream);
  EXPECT_EQ(error_of([&] { s.setsockopt(opt::keep_idle, -1s); }),
            "setsockopt TCP_KEEPIDLE: value out of range");
  std::error_code ec;
  s.setsockopt(opt::keep_idle, -1s, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);

  Socket closed;
  EXPECT_EQ(error_of([&] { closed.setsockopt(opt::reuse_address, true); }),
            "setsockopt SO_REUSEADDR: Bad file descriptor");
  EXPECT_EQ(error_of([&] { (void)closed.getsockopt(opt::no_delay); }),
            "getsockopt TCP_NODELAY: Bad file descriptor");
  (void)closed.getsockopt(opt::reuse_port, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  // A TCP option on a UDP socket is the kernel's error.
  Socket u(Family::inet, Type::dgram);
  EXPECT_THROW(u.setsockopt(opt::no_delay, true), soket::Error);
}
