// SPDX-License-Identifier: MIT
#include <soket/address.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <ostream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>

#include "linux/packet.hpp"

namespace soket {
namespace {

constexpr std::size_t sun_path_offset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t sun_path_max = sizeof(sockaddr_un::sun_path);

[[noreturn]] void reject(std::string_view input, std::string_view why) {
  std::string msg = "invalid address \"";
  msg.append(input).append("\": ").append(why);
  throw std::invalid_argument(msg);
}

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_';
  });
}

// "80" -> 80; "http" -> 80 from /etc/services; anything else rejects `input`.
std::uint16_t parse_port(std::string_view input, std::string_view text) {
  if (text.empty()) reject(input, "missing port");
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    unsigned value = 0;
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc{} || end != text.data() + text.size() || value > 65535)
      reject(input, "port out of range (0-65535)");
    return static_cast<std::uint16_t>(value);
  }
  std::string name(text);
  servent entry{};
  servent* found = nullptr;
  char buf[1024];
  // Try TCP first, then any protocol: "domain" and friends are listed for both.
  if (::getservbyname_r(name.c_str(), "tcp", &entry, buf, sizeof buf, &found) != 0 || !found)
    ::getservbyname_r(name.c_str(), nullptr, &entry, buf, sizeof buf, &found);
  if (!found) reject(input, "unknown port or service name '" + name + "'");
  return ntohs(static_cast<std::uint16_t>(found->s_port));
}

std::uint32_t parse_scope(std::string_view input, std::string_view scope) {
  if (scope.empty()) reject(input, "empty IPv6 scope after '%'");
  unsigned value = 0;
  auto [end, err] = std::from_chars(scope.data(), scope.data() + scope.size(), value);
  if (err == std::errc{} && end == scope.data() + scope.size()) return value;
  std::string name(scope);
  unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) reject(input, "unknown network interface '" + name + "'");
  return index;
}

}  // namespace

Address::Address(std::string_view host, std::uint16_t port) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  std::string h(host);
  if (h.empty()) {
    v4.sin_addr.s_addr = htonl(INADDR_ANY);  // Python: '' is INADDR_ANY
  } else if (h == "<broadcast>") {
    v4.sin_addr.s_addr = htonl(INADDR_BROADCAST);  // Python's spelling of 255.255.255.255
  } else if (::inet_pton(AF_INET, h.c_str(), &v4.sin_addr) != 1) {
    if (h.find(':') != std::string::npos) {
      *this = Address(host, port, 0, 0);
      return;
    }
    if (!valid_host_name(h)) reject(host, "not an IP address or host name");
    host_name_ = std::move(h);
    name_port_ = port;
    return;
  }
  std::memcpy(storage_.data(), &v4, sizeof v4);
  size_ = sizeof v4;
}

Address::Address(std::string_view host, std::uint16_t port, std::uint32_t flowinfo,
                 std::uint32_t scope_id) {
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  v6.sin6_flowinfo = htonl(flowinfo);
  v6.sin6_scope_id = scope_id;
  std::string_view literal = host;
  if (auto pct = host.find('%'); pct != std::string_view::npos) {
    literal = host.substr(0, pct);
    std::uint32_t scope = parse_scope(host, host.substr(pct + 1));
    if (scope_id == 0) v6.sin6_scope_id = scope;
  }
  std::string l(literal);
  if (l.empty()) {
    v6.sin6_addr = in6addr_any;
  } else if (::inet_pton(AF_INET6, l.c_str(), &v6.sin6_addr) != 1) {
    reject(host, "not an IPv6 address");
  }
  std::memcpy(storage_.data(), &v6, sizeof v6);
  size_ = sizeof v6;
}

Address Address::unix_path(std::string_view path) {
  if (path.empty()) reject(path, "empty Unix socket path");
  if (path.size() > sun_path_max)
    reject(path, "Unix socket path too long (" + std::to_string(path.size()) +
                     " bytes; sun_path holds " + std::to_string(sun_path_max) + ")");
  if (path.find('\0') != std::string_view::npos) reject(path, "NUL byte in Unix socket path");
  Address a;
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  std::memcpy(a.storage_.data(), &un, sizeof un);
  a.size_ = sun_path_offset + path.size();
  return a;
}

Address Address::abstract(std::string_view name) {
  if (name.size() + 1 > sun_path_max)
    reject(name, "abstract socket name too long (" + std::to_string(name.size()) +
                     " bytes; at most " + std::to_string(sun_path_max - 1) + ")");
  Address a;
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path + 1, name.data(), name.size());  // sun_path[0] == '\0'
  std::memcpy(a.storage_.data(), &un, sizeof un);
  a.size_ = sun_path_offset + 1 + name.size();
  return a;
}

// -- AF_PACKET ---------------------------------------------------------------------------------

namespace {
// Python's bytes repr: b'\x00\x11' (printable ASCII shown as is).
std::string bytes_repr(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "b'";
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + "'";
}

sys::PacketFields packet_fields(const Address& a) noexcept {
  sys::PacketFields f;
  if (a.family() == Family::packet) sys::decode_packet(a.data(), a.size(), f);
  return f;
}
}  // namespace

Address Address::packet(std::string_view ifname, std::uint16_t protocol, int pkttype, int hatype,
                        std::string_view hwaddr) {
  sys::PacketFields f;
  if (hwaddr.size() > f.hwaddr.size())
    throw std::invalid_argument("packet address: hardware address must be 8 bytes or less");
  std::string name(ifname);
  f.ifindex = name.empty() ? 0 : static_cast<int>(::if_nametoindex(name.c_str()));
  if (!name.empty() && f.ifindex == 0)
    throw std::invalid_argument("packet address: unknown network interface '" + name + "'");
  f.protocol = protocol;
  f.pkttype = pkttype;
  f.hatype = hatype;
  f.halen = hwaddr.size();
  if (!hwaddr.empty()) std::memcpy(f.hwaddr.data(), hwaddr.data(), hwaddr.size());
  Address a;
  a.size_ = sys::encode_packet(f, a.storage_.data());
  return a;
}

int Address::ifindex() const noexcept { return packet_fields(*this).ifindex; }
std::uint16_t Address::protocol() const noexcept { return packet_fields(*this).protocol; }
int Address::pkttype() const noexcept { return packet_fields(*this).pkttype; }
int Address::hatype() const noexcept { return packet_fields(*this).hatype; }

std::string Address::hwaddr() const {
  auto f = packet_fields(*this);
  return std::string(reinterpret_cast<const char*>(f.hwaddr.data()), f.halen);
}

std::string Address::ifname() const {
  int index = ifindex();
  if (index == 0) return {};
  char name[IF_NAMESIZE] = {};
  // An interface that vanished keeps its number, as Python would fail: show the index.
  return ::if_indextoname(static_cast<unsigned>(index), name) ? std::string(name)
                                                             : std::to_string(index);
}

Address Address::parse(std::string_view text) {
  if (text.empty()) reject(text, "empty address");
  if (text.starts_with("unix:")) {
    std::string_view rest = text.substr(5);
    if (rest.starts_with('@')) return abstract(rest.substr(1));
    return unix_path(rest);
  }
  if (text.starts_with('@')) return abstract(text.substr(1));
  if (text.starts_with('/') || text.starts_with("./") || text.starts_with("../"))
    return unix_path(text);

  std::string_view host, port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) reject(text, "missing ']' after IPv6 address");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) reject(text, "expected ':port' after ']'");
    port = rest.substr(1);
    if (host.empty()) reject(text, "empty host");
    if (host.find(':') == std::string_view::npos) reject(text, "not an IPv6 address in [...]");
    return Address(host, parse_port(text, port), 0, 0);
  }
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) reject(text, "missing ':port' (try host:port)");
  host = text.substr(0, colon);
  port = text.substr(colon + 1);
  if (host.find(':') != std::string_view::npos)
    reject(text, "IPv6 addresses need brackets, as in [::1]:80");
  if (host.empty()) reject(text, "empty host");
  return Address(host, parse_port(text, port));
}

Address Address::parse(std::string_view text, std::error_code& ec) noexcept {
  try {
    Address a = parse(text);
    ec.clear();
    return a;
  } catch (const std::exception&) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
}

Address Address::from_sockaddr(const void* sa, std::size_t len) noexcept {
  Address a;
  std::memcpy(a.storage_.data(), sa, std::min(len, max_size));
  a.resize(len);
  return a;
}

void Address::resize(std::size_t len) noexcept {
  size_ = std::min(len, max_size);
  // The kernel may count a Unix path's trailing NUL; drop it so equal paths compare equal.
  if (family() == Family::unix && size_ > sun_path_offset && !is_abstract()) {
    const char* p = reinterpret_cast<const char*>(storage_.data()) + sun_path_offset;
    size_ = sun_path_offset + strnlen(p, size_ - sun_path_offset);
  }
}

Family Address::family() const noexcept {
  if (size_ < sizeof(sa_family_t)) return Family::unspec;
  sa_family_t f;
  std::memcpy(&f, storage_.data(), sizeof f);
  return static_cast<Family>(f);
}

std::string Address::host() const {
  if (!is_resolved()) return host_name_;
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1] = {};
  if (family() == Family::inet) {
    sockaddr_in v4;
    std::memcpy(&v4, storage_.data(), sizeof v4);
    ::inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
    return buf;
  }
  if (family() == Family::inet6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, storage_.data(), sizeof v6);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
    std::string h = buf;
    if (v6.sin6_scope_id != 0) {
      char name[IF_NAMESIZE] = {};
      h += '%';
      h += ::if_indextoname(v6.sin6_scope_id, name) ? std::string(name)
                                                      : std::to_string(v6.sin6_scope_id);
    }
    return h;
  }
  return {};
}

std::uint16_t Address::port() const noexcept {
  if (!is_resolved()) return name_port_;
  if (family() == Family::inet) {
    sockaddr_in v4;
    std::memcpy(&v4, storage_.data(), sizeof v4);
    return ntohs(v4.sin_port);
  }
  if (family() == Family::inet6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, storage_.data(), sizeof v6);
    return ntohs(v6.sin6_port);
  }
  return 0;
}

std::uint32_t Address::flowinfo() const noexcept {
  if (family() != Family::inet6) return 0;
  sockaddr_in6 v6;
  std::memcpy(&v6, storage_.data(), sizeof v6);
  return ntohl(v6.sin6_flowinfo);
}

std::uint32_t Address::scope_id() const noexcept {
  if (family() != Family::inet6) return 0;
  sockaddr_in6 v6;
  std::memcpy(&v6, storage_.data(), sizeof v6);
  return v6.sin6_scope_id;
}

bool Address::is_abstract() const noexcept {
  return family() == Family::unix && size_ > sun_path_offset &&
         storage_[sun_path_offset] == std::byte{0};
}

std::string Address::path() const {
  if (family() != Family::unix || size_ <= sun_path_offset) return {};
  const char* p = reinterpret_cast<const char*>(storage_.data()) + sun_path_offset;
  std::size_t n = size_ - sun_path_offset;
  if (is_abstract()) return std::string(p + 1, n - 1);
  return std::string(p, strnlen(p, n));  // the kernel may count a trailing NUL
}

std::string Address::repr() const {
  auto quoted = [](const std::string& s) { return "'" + s + "'"; };
  if (!is_resolved()) return "(" + quoted(host_name_) + ", " + std::to_string(name_port_) + ")";
  switch (family()) {
    case Family::inet:
      return "(" + quoted(host()) + ", " + std::to_string(port()) + ")";
    case Family::inet6:
      return "(" + quoted(host()) + ", " + std::to_string(port()) + ", " +
             std::to_string(flowinfo()) + ", " + std::to_string(scope_id()) + ")";
    case Family::unix: {
      if (!is_abstract()) return quoted(path());
      // Python shows abstract names as bytes: b'\x00name'.
      std::string out = "b'\\x00";
      for (unsigned char c : path()) {
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
          out += static_cast<char>(c);
        } else {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        }
      }
      return out + "'";
    }
    case Family::packet:
      return "(" + quoted(ifname()) + ", " + std::to_string(protocol()) + ", " +
             std::to_string(pkttype()) + ", " + std::to_string(hatype()) + ", " +
             bytes_repr(hwaddr()) + ")";
    case Family::unspec:
      return "None";
    default:
      return "<" + std::string(short_name(family())) + " address>";
  }
}

std::string Address::to_string() const {
  if (!is_resolved()) return host_name_ + ":" + std::to_string(name_port_);
  switch (family()) {
    case Family::inet:
      return host() + ":" + std::to_string(port());
    case Family::inet6:
      return "[" + host() + "]:" + std::to_string(port());
    case Family::unix:
      if (is_abstract()) return "@" + path();
      return path().empty() ? std::string("(unnamed)") : path();
    case Family::unspec:
      return "(none)";
    default:
      return repr();
  }
}

bool operator==(const Address& a, const Address& b) noexcept {
  return a.size_ == b.size_ && a.host_name_ == b.host_name_ && a.name_port_ == b.name_port_ &&
         std::memcmp(a.storage_.data(), b.storage_.data(), a.size_) == 0;
}

std::ostream& operator<<(std::ostream& os, const Address& address) {
  return os << address.repr();
}

}  // namespace soket
