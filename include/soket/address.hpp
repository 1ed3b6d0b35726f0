// SPDX-License-Identifier: MIT
// Address: a socket address as Python spells it — (host, port), (host, port, flowinfo,
// scope_id), a Unix path or a Linux abstract name — holding the kernel's sockaddr bytes.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <system_error>

#include <soket/constants.hpp>
#include <soket/error.hpp>

namespace soket {

/// A value type: copyable, comparable, no resources.
///
/// Numeric hosts ("127.0.0.1", "::1") are converted at construction. A host name ("localhost")
/// is kept as written and resolved by the socket that uses it, with that socket's family, as
/// Python does for `s.connect(("localhost", 80))`; is_resolved() tells the two apart.
///
///   Address a{"127.0.0.1", 8080};           // ('127.0.0.1', 8080)
///   Address b{"::1", 80};                   // ('::1', 80, 0, 0)
///   Address u = Address::unix_path("/tmp/sock");          // '/tmp/sock'
///   Address n = Address::abstract("name");                // b'\x00name'
///   Address p = Address::parse("[::1]:80");               // what users type
class Address {
 public:
  /// Room for any sockaddr the kernel returns (sizeof(sockaddr_storage)).
  static constexpr std::size_t max_size = 128;

  /// An empty address: family() == Family::unspec, as from a recvfrom on a connected socket.
  Address() noexcept = default;

  /// (host, port). host is an IPv4 or IPv6 literal (an IPv6 literal may carry "%scope"), or a
  /// host name kept for the socket to resolve; "" means INADDR_ANY, as in Python.
  /// Throws std::invalid_argument for a malformed literal, and OverflowError "port must be
  /// 0-65535, not 70000" for a port that does not fit, whatever integer type holds it (C++
  /// would wrap 70000 to 4464 and -1 to 65535; Python raises OverflowError).
  template <std::integral Port>
  Address(std::string_view host, Port port)
      : Address(Checked{}, host, checked_narrow<std::uint16_t>(port, "port")) {}

  /// IPv6 with flow info and scope id: Python's 4-tuple. host must be an IPv6 literal.
  /// OverflowError for a port over 65535, flowinfo over 0xfffff (20 bits) or a scope_id over
  /// 32 bits.
  template <std::integral Port, std::integral Flow, std::integral Scope>
  Address(std::string_view host, Port port, Flow flowinfo, Scope scope_id)
      : Address(Checked{}, host, checked_narrow<std::uint16_t>(port, "port"),
                checked_narrow<std::uint32_t>(flowinfo, "flowinfo", 0xfffff),
                checked_narrow<std::uint32_t>(scope_id, "scope_id")) {}

  /// A Unix socket file. Throws std::invalid_argument if the path does not fit in sun_path
  /// (108 bytes) or holds a NUL. An empty path is Python's bind(''): the kernel picks a free
  /// abstract name (Linux autobind); it is also what getsockname() of an unbound socket gives.
  static Address unix_path(std::string_view path);
  /// A Linux abstract Unix name (no file; sun_path starts with a NUL byte).
  static Address abstract(std::string_view name);
  /// AF_PACKET: Python's (ifname, proto[, pkttype[, hatype[, addr]]]). `protocol` is the
  /// ethertype in host order (0x0800 for IPv4, 0x0003 ETH_P_ALL); hwaddr is at most 8 bytes.
  /// Throws std::invalid_argument for an unknown interface or a hardware address over 8 bytes.
  static Address packet(std::string_view ifname, std::uint16_t protocol, int pkttype = 0,
                        int hatype = 0, std::string_view hwaddr = {});

  /// Parses what users type: "127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:80", "localhost:8080",
  /// "localhost:http" (service names from /etc/services), "unix:/tmp/sock", "/tmp/sock",
  /// "./sock", "@name" (abstract). Throws std::invalid_argument naming the input and the fault.
  static Address parse(std::string_view text);
  /// As parse(), reporting failure as std::errc::invalid_argument instead of throwing.
  static Address parse(std::string_view text, std::error_code& ec) noexcept;

  /// Wraps kernel sockaddr bytes (from accept, recvfrom, getsockname). Lengths over max_size
  /// are truncated.
  static Address from_sockaddr(const void* sa, std::size_t len) noexcept;

  Family family() const noexcept;
  bool is_resolved() const noexcept { return host_name_.empty(); }
  bool is_inet() const noexcept { return family() == Family::inet || family() == Family::inet6; }

  /// The host as text: "127.0.0.1", "::1" (with "%scope" if scoped), or the unresolved name.
  std::string host() const;
  std::uint16_t port() const noexcept;
  std::uint32_t flowinfo() const noexcept;
  std::uint32_t scope_id() const noexcept;
  /// A Unix address's path or abstract name (without the leading NUL).
  std::string path() const;
  bool is_abstract() const noexcept;
  /// An AF_PACKET address's fields (empty/zero for other families): interface name and index,
  /// ethertype (host order), packet type (0 host, 4 outgoing, ...), ARPHRD_* hardware type and
  /// hardware address bytes.
  std::string ifname() const;
  int ifindex() const noexcept;
  std::uint16_t protocol() const noexcept;
  int pkttype() const noexcept;
  int hatype() const noexcept;
  std::string hwaddr() const;

  /// Python's repr: ('127.0.0.1', 48437) · ('::1', 80, 0, 0) · '/tmp/sock' · b'\x00name'.
  /// AF_PACKET: ('lo', 2048, 0, 772, b'\x00\x00\x00\x00\x00\x00'). Byte for byte as Python
  /// prints it: a scoped IPv6 host without "%scope" (the 4th item holds it), Python's quote
  /// choice and escapes, paths decoded as UTF-8 with surrogateescape ('/tmp/bad\udcff').
  std::string repr() const;
  /// The form users type and error messages use: 127.0.0.1:80 · [::1]:80 · [fe80::1%lo]:80 ·
  /// /tmp/sock · unix:relative/sock · @name. parse(to_string()) gives back an equal Address
  /// for whatever parse() accepts (fuzz/address_parse_fuzz.cpp checks it).
  std::string to_string() const;

  /// The kernel's sockaddr bytes (valid while this Address lives) and their length.
  const void* data() const noexcept { return storage_.data(); }
  void* data() noexcept { return storage_.data(); }
  std::size_t size() const noexcept { return size_; }
  /// Sets the length after the kernel filled data() (as accept() and recvfrom() do).
  void resize(std::size_t len) noexcept;

  friend bool operator==(const Address& a, const Address& b) noexcept;

 private:
  struct Checked {};  // the integers were range-checked by the public constructors
  Address(Checked, std::string_view host, std::uint16_t port);
  Address(Checked, std::string_view host, std::uint16_t port, std::uint32_t flowinfo,
          std::uint32_t scope_id);

  alignas(8) std::array<std::byte, max_size> storage_{};
  std::size_t size_ = 0;
  std::string host_name_;  // unresolved host name; storage_ then holds only the port
  std::uint16_t name_port_ = 0;
};

/// Prints repr(), as Python's print(addr) does: Got connection from ('127.0.0.1', 48437).
std::ostream& operator<<(std::ostream& os, const Address& address);

}  // namespace soket
