// SPDX-License-Identifier: MIT
#include <soket/address.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include "linux/packet.hpp"

namespace soket {
namespace {

constexpr std::size_t sun_path_offset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t sun_path_max = sizeof(sockaddr_un::sun_path);

[[noreturn]] void reject(std::string_view input, std::string_view why) {
  std::string msg = "invalid address \"";
  // Control bytes are shown as \xNN: a NUL would end what() and hide the rest.
  for (char ch : input) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      msg += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      msg.append("\\x").append(1, hex[c >> 4]).append(1, hex[c & 15]);
    }
  }
  msg.append("\": ").append(why);
  throw std::invalid_argument(msg);
}

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
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
  if (text.find('\0') != std::string_view::npos) reject(input, "NUL byte in port");
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

Address::Address(Checked, std::string_view host, std::uint16_t port) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  // c_str() would cut the text at a NUL and accept "127.0.0.1\0junk".
  if (host.find('\0') != std::string_view::npos) reject(host, "NUL byte in host");
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

Address::Address(Checked, std::string_view host, std::uint16_t port, std::uint32_t flowinfo,
                 std::uint32_t scope_id) {
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  v6.sin6_flowinfo = htonl(flowinfo);
  v6.sin6_scope_id = scope_id;
  if (host.find('\0') != std::string_view::npos) reject(host, "NUL byte in host");
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

// -- Python's repr of bytes and str -----------------------------------------------------------

namespace {
// Python's choice of quote for a str or bytes repr: ' unless the text holds ' and no ".
char repr_quote(std::string_view text) noexcept {
  bool single = text.find('\'') != std::string_view::npos;
  bool dbl = text.find('"') != std::string_view::npos;
  return single && !dbl ? '"' : '\'';
}

void append_hex(std::string& out, char kind, std::uint32_t value, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '\\';
  out += kind;
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += hex[(value >> shift) & 15];
}

// The escapes bytes and str reprs share: the quote, backslash, \t \n \r and ASCII controls.
// Returns false for code points it leaves to the caller.
bool append_ascii_escaped(std::string& out, std::uint32_t c, char quote) {
  if (c == static_cast<unsigned char>(quote) || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c == '\t') {
    out += "\\t";
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c < 0x20 || c == 0x7f) {
    append_hex(out, 'x', c, 2);
  } else if (c < 0x7f) {
    out += static_cast<char>(c);
  } else {
    return false;
  }
  return true;
}

// Python's bytes repr, byte for byte: b'\x00name', b"it's", b'\t\\'.
std::string bytes_repr(std::string_view bytes) {
  const char quote = repr_quote(bytes);
  std::string out = "b";
  out += quote;
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (!append_ascii_escaped(out, c, quote)) append_hex(out, 'x', c, 2);
  }
  return out + quote;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (0 if there is none) and its
// code point: no overlongs, no surrogates, nothing past U+10FFFF (Python's strict decoder).
std::size_t utf8_sequence(std::string_view s, std::uint32_t& cp) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(0);
  std::size_t n = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
  if (n == 0 || b0 > 0xf4 || s.size() < n) return 0;
  cp = b0 & (0x7f >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3f);
  }
  static constexpr std::uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

// Python's str.isprintable() for non-ASCII code points: false for controls, format
// characters, separators, surrogates and private use. Exact for Latin-1 and the common
// format/space blocks; code points unassigned in Unicode count as printable here.
bool printable(std::uint32_t c) noexcept {
  if (c <= 0xa0 || c == 0xad) return false;
  if (c < 0x600) return true;
  return !((c >= 0x600 && c <= 0x605) || c == 0x61c || c == 0x6dd || c == 0x70f || c == 0x8e2 ||
           c == 0x1680 || c == 0x180e || (c >= 0x2000 && c <= 0x200f) ||
           (c >= 0x2028 && c <= 0x202f) || (c >= 0x205f && c <= 0x206f) || c == 0x3000 ||
           (c >= 0xd800 && c <= 0xf8ff) || c == 0xfeff || (c >= 0xfff0 && c <= 0xfffb) ||
           c == 0xfffe || c == 0xffff || c == 0x110bd || c == 0x110cd ||
           (c >= 0x1bca0 && c <= 0x1bca3) || (c >= 0x1d173 && c <= 0x1d17a) || c == 0xe0001 ||
           (c >= 0xe0020 && c <= 0xe007f) || c >= 0xf0000);
}

// Python's repr of a str decoded from file-system bytes (UTF-8, surrogateescape):
// '/tmp/sock', "it's", '/tmp/\x01bad\udcff'.
std::string str_repr(std::string_view bytes) {
  std::string out;
  // The quote is chosen on the decoded text; ' and " are ASCII, so the bytes tell the same.
  const char quote = repr_quote(bytes);
  out += quote;
  for (std::size_t i = 0; i < bytes.size();) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (append_ascii_escaped(out, c, quote)) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t n = utf8_sequence(bytes.substr(i), cp);
    if (n == 0) {
      append_hex(out, 'u', 0xdc00u + c, 4);  // surrogateescape: one lone byte
      ++i;
    } else {
      if (printable(cp))
        out.append(bytes.substr(i, n));
      else if (cp <= 0xff)
        append_hex(out, 'x', cp, 2);
      else if (cp <= 0xffff)
        append_hex(out, 'u', cp, 4);
      else
        append_hex(out, 'U', cp, 8);
      i += n;
    }
  }
  return out + quote;
}

// -- AF_PACKET ---------------------------------------------------------------------------------

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

int Address::ifindex() const noexcept {
  return packet_fields(*this).ifindex;
}
std::uint16_t Address::protocol() const noexcept {
  return packet_fields(*this).protocol;
}
int Address::pkttype() const noexcept {
  return packet_fields(*this).pkttype;
}
int Address::hatype() const noexcept {
  return packet_fields(*this).hatype;
}

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
    // unix_path("") is autobind; someone typing "unix:" more likely forgot the path.
    if (rest.empty()) reject(rest, "empty Unix socket path");
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

namespace {
// Python's tuple repr of its parts: (a, b, ...). Built by append: GCC 12 at -O3 warns falsely
// (-Wrestrict, PR 105329) on "literal" + std::string&&.
std::string tuple_repr(std::initializer_list<std::string> items) {
  std::string out = "(";
  for (const auto& item : items) {
    if (out.size() > 1) out += ", ";
    out += item;
  }
  return out += ")";
}
}  // namespace

std::string Address::repr() const {
  if (!is_resolved()) return tuple_repr({str_repr(host_name_), std::to_string(name_port_)});
  switch (family()) {
    case Family::inet: return tuple_repr({str_repr(host()), std::to_string(port())});
    case Family::inet6: {
      // Python >= 3.7 (bpo-32221) leaves "%scope" out of the host: scope_id carries it.
      std::string h = host();
      if (auto pct = h.find('%'); pct != std::string::npos) h.resize(pct);
      return tuple_repr({str_repr(h), std::to_string(port()), std::to_string(flowinfo()),
                         std::to_string(scope_id())});
    }
    case Family::unix:
      // Python shows abstract names as bytes (b'\x00name'), paths as str.
      if (is_abstract()) return bytes_repr(std::string(1, '\0') + path());
      return str_repr(path());
    case Family::packet:
      return tuple_repr({str_repr(ifname()), std::to_string(protocol()), std::to_string(pkttype()),
                         std::to_string(hatype()), bytes_repr(hwaddr())});
    case Family::unspec: return "None";
    default: return std::string("<").append(short_name(family())).append(" address>");
  }
}

std::string Address::to_string() const {
  if (!is_resolved()) return host_name_ + ":" + std::to_string(name_port_);
  switch (family()) {
    case Family::inet: return host() + ":" + std::to_string(port());
    case Family::inet6:
      return std::string("[").append(host()).append("]:").append(std::to_string(port()));
    case Family::unix: {
      if (is_abstract()) return std::string("@").append(path());
      std::string p = path();
      if (p.empty()) return "(unnamed)";
      // parse() reads only these prefixes as paths; "unix:" keeps "sock" from being a host.
      if (p.starts_with('/') || p.starts_with("./") || p.starts_with("../")) return p;
      return std::string("unix:").append(p);
    }
    case Family::unspec: return "(none)";
    default: return repr();
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
