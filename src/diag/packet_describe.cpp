// SPDX-License-Identifier: MIT
// describe_packet: a bounds-checked walk down the headers, printing as tcpdump -n -S does.
// Every read goes through Bytes, which answers "not there" instead of reading past the end.
#include <soket/diag/packet.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include <soket/constants.hpp>
#include <soket/inet.hpp>

namespace soket::diag {
namespace {

class Bytes {
 public:
  explicit Bytes(std::span<const std::uint8_t> data) : data_(data) {}
  std::size_t size() const { return data_.size(); }
  bool has(std::size_t offset, std::size_t n) const {
    return offset <= data_.size() && n <= data_.size() - offset;
  }
  std::uint8_t u8(std::size_t at) const { return data_[at]; }
  std::uint16_t u16(std::size_t at) const {
    return static_cast<std::uint16_t>(data_[at] << 8 | data_[at + 1]);
  }
  std::uint32_t u32(std::size_t at) const { return std::uint32_t{u16(at)} << 16 | u16(at + 2); }
  /// Bytes from `offset` on (empty past the end); at most `limit` of them.
  Bytes from(std::size_t offset, std::size_t limit = SIZE_MAX) const {
    if (offset >= data_.size()) return Bytes({});
    return Bytes(data_.subspan(offset, std::min(limit, data_.size() - offset)));
  }
  std::string_view text(std::size_t at, std::size_t n) const {
    return {reinterpret_cast<const char*>(data_.data() + at), n};
  }

 private:
  std::span<const std::uint8_t> data_;
};

std::string ip_text(const Bytes& b, std::size_t at, bool v6) {
  return inet_ntop(v6 ? Family::inet6 : Family::inet, b.text(at, v6 ? 16 : 4));
}

std::string mac_text(const Bytes& b, std::size_t at, std::size_t n = 6) {
  std::string text;
  char hex[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, i ? ":%02x" : "%02x", b.u8(at + i));
    text += hex;
  }
  return text;
}

// TCP options in tcpdump's words; stops at the first option cut short.
std::string tcp_options(const Bytes& o) {
  std::string out;
  std::size_t i = 0;
  while (i < o.size()) {
    std::uint8_t kind = o.u8(i);
    if (!out.empty()) out += ',';
    if (kind == 0) return out + "eol";
    if (kind == 1) {
      out += "nop";
      ++i;
      continue;
    }
    if (!o.has(i, 2) || o.u8(i + 1) < 2 || !o.has(i, o.u8(i + 1))) return out + "[|tcp]";
    std::size_t len = o.u8(i + 1);
    if (kind == 2 && len == 4) {
      out += "mss " + std::to_string(o.u16(i + 2));
    } else if (kind == 3 && len == 3) {
      out += "wscale " + std::to_string(o.u8(i + 2));
    } else if (kind == 4 && len == 2) {
      out += "sackOK";
    } else if (kind == 5 && (len - 2) % 8 == 0) {
      out += "sack " + std::to_string((len - 2) / 8);
      for (std::size_t at = i + 2; at + 8 <= i + len; at += 8)
        out += " {" + std::to_string(o.u32(at)) + ":" + std::to_string(o.u32(at + 4)) + "}";
    } else if (kind == 8 && len == 10) {
      out += "TS val " + std::to_string(o.u32(i + 2)) + " ecr " + std::to_string(o.u32(i + 6));
    } else {
      out += "opt-" + std::to_string(kind) + ":" + std::to_string(len - 2);
    }
    i += len;
  }
  return out;
}

std::string tcp(const Bytes& b, const std::string& src, const std::string& dst, std::size_t len) {
  if (!b.has(0, 4)) return src + " > " + dst + ": [|tcp]";
  std::string line =
      src + "." + std::to_string(b.u16(0)) + " > " + dst + "." + std::to_string(b.u16(2)) + ": ";
  if (!b.has(0, 20)) return line + "[|tcp]";
  std::size_t hlen = std::size_t{b.u8(12)} >> 4 << 2;
  if (hlen < 20)
    return line + "tcp " + std::to_string(len) + " [bad hdr length " + std::to_string(hlen) +
           " - too short, < 20]";
  std::uint8_t flags = b.u8(13);
  static constexpr std::pair<std::uint8_t, char> names[] = {{0x01, 'F'}, {0x02, 'S'}, {0x04, 'R'},
                                                            {0x08, 'P'}, {0x10, '.'}, {0x20, 'U'},
                                                            {0x40, 'E'}, {0x80, 'W'}};
  std::string f;
  for (auto [bit, c] : names)
    if (flags & bit) f += c;
  line += "Flags [" + (f.empty() ? std::string("none") : f) + "]";
  std::size_t payload = len > hlen ? len - hlen : 0;
  std::uint32_t seq = b.u32(4);
  if (payload > 0 || (flags & 0x07) != 0) {
    line += ", seq " + std::to_string(seq);
    if (payload > 0) line += ":" + std::to_string(seq + static_cast<std::uint32_t>(payload));
  }
  if (flags & 0x10) line += ", ack " + std::to_string(b.u32(8));
  line += ", win " + std::to_string(b.u16(14));
  if (flags & 0x20) line += ", urg " + std::to_string(b.u16(18));
  if (hlen > 20) {
    if (!b.has(0, hlen)) return line + ", options [|tcp]";
    line += ", options [" + tcp_options(b.from(20, hlen - 20)) + "]";
  }
  return line + ", length " + std::to_string(payload);
}

std::string udp(const Bytes& b, const std::string& src, const std::string& dst) {
  if (!b.has(0, 8)) return src + " > " + dst + ": [|udp]";
  std::size_t ulen = b.u16(4);
  return src + "." + std::to_string(b.u16(0)) + " > " + dst + "." + std::to_string(b.u16(2)) +
         ": UDP, length " + (ulen >= 8 ? std::to_string(ulen - 8) : "bad " + std::to_string(ulen));
}

std::string icmp(const Bytes& b, std::size_t len) {
  if (!b.has(0, 4)) return "[|icmp]";
  std::uint8_t type = b.u8(0), code = b.u8(1);
  std::string tail = ", length " + std::to_string(len);
  if ((type == 8 || type == 0) && b.has(0, 8))
    return std::string("ICMP echo ") + (type == 8 ? "request" : "reply") + ", id " +
           std::to_string(b.u16(4)) + ", seq " + std::to_string(b.u16(6)) + tail;
  if (type == 3 && b.has(8, 20)) {
    // The offending datagram's header follows: name its destination as tcpdump does.
    Bytes inner = b.from(8);
    std::size_t ihl = std::size_t{inner.u8(0)} % 16 * 4;
    std::string dst = ip_text(inner, 16, false);
    std::uint8_t proto = inner.u8(9);
    static constexpr const char* why[] = {"net", "host", "protocol", "port"};
    if (code == 3 && (proto == 6 || proto == 17) && inner.has(ihl, 4))
      return "ICMP " + dst + (proto == 6 ? " tcp" : " udp") + " port " +
             std::to_string(inner.u16(ihl + 2)) + " unreachable" + tail;
    if (code == 2)
      return "ICMP " + dst + " protocol " + std::to_string(proto) + " unreachable" + tail;
    if (code < 3) return "ICMP " + std::string(why[code]) + " " + dst + " unreachable" + tail;
    return "ICMP " + dst + " unreachable - code " + std::to_string(code) + tail;
  }
  if (type == 11) return std::string("ICMP time exceeded in-transit") + tail;
  return "ICMP type-#" + std::to_string(type) + tail;
}

std::string icmp6(const Bytes& b, std::size_t len) {
  if (!b.has(0, 4)) return "[|icmp6]";
  std::uint8_t type = b.u8(0);
  std::string tail = ", length " + std::to_string(len);
  if ((type == 128 || type == 129) && b.has(0, 8))
    return std::string("ICMP6, echo ") + (type == 128 ? "request" : "reply") + ", id " +
           std::to_string(b.u16(4)) + ", seq " + std::to_string(b.u16(6)) + tail;
  if ((type == 135 || type == 136) && b.has(8, 16))
    return std::string("ICMP6, neighbor ") +
           (type == 135 ? "solicitation, who has " : "advertisement, tgt is ") +
           ip_text(b, 8, true) + tail;
  if (type == 1) return "ICMP6, destination unreachable" + tail;
  if (type == 133) return "ICMP6, router solicitation" + tail;
  if (type == 134) return "ICMP6, router advertisement" + tail;
  return "ICMP6, type " + std::to_string(type) + tail;
}

// The transport layer inside IPv4 or IPv6; `len` is the payload length the IP header states.
std::string transport(int proto, const Bytes& b, const std::string& src, const std::string& dst,
                      std::size_t len) {
  if (proto == 6) return tcp(b, src, dst, len);
  if (proto == 17) return udp(b, src, dst);
  std::string hosts = src + " > " + dst + ": ";
  if (proto == 1) return hosts + icmp(b, len);
  if (proto == 58) return hosts + icmp6(b, len);
  return hosts + "ip-proto-" + std::to_string(proto) + " " + std::to_string(len);
}

std::string ipv4(const Bytes& b) {
  if (!b.has(0, 20)) return "IP [|ip]";
  std::size_t ihl = std::size_t{b.u8(0)} % 16 * 4;
  if (ihl < 20) return "IP bad-hlen " + std::to_string(ihl);
  std::size_t total = b.u16(2);
  if (total < ihl) return "IP bad-len " + std::to_string(total);
  std::string src = ip_text(b, 12, false), dst = ip_text(b, 16, false);
  std::size_t frag = (b.u16(6) & 0x1fff) * 8u;
  if (frag != 0)
    return "IP " + src + " > " + dst + ": ip-proto-" + std::to_string(b.u8(9)) + " frag (offset " +
           std::to_string(frag) + "), length " + std::to_string(total - ihl);
  return "IP " + transport(b.u8(9), b.from(ihl, total - ihl), src, dst, total - ihl);
}

std::string ipv6(const Bytes& b) {
  if (!b.has(0, 40)) return "IP6 [|ip6]";
  std::string src = ip_text(b, 8, true), dst = ip_text(b, 24, true);
  std::size_t len = b.u16(4);
  int next = b.u8(6);
  std::size_t at = 40;
  // Skip hop-by-hop, routing and destination options headers; a fragment header ends the walk
  // unless it is the first fragment.
  for (int hops = 0; hops < 8 && (next == 0 || next == 43 || next == 60 || next == 44); ++hops) {
    std::string head = "IP6 ";
    head.append(src).append(" > ").append(dst).append(": ");
    if (!b.has(at, 8)) return head.append("[|ip6]");
    std::size_t ext = next == 44 ? 8 : (std::size_t{b.u8(at + 1)} + 1) * 8;
    if (next == 44 && (b.u16(at + 2) & 0xfff8) != 0)
      return head.append("frag (offset ")
          .append(std::to_string(b.u16(at + 2) & 0xfff8))
          .append(")");
    next = b.u8(at);
    at += ext;
    len = len >= ext ? len - ext : 0;
  }
  return "IP6 " + transport(next, b.from(at, len), src, dst, len);
}

std::string arp(const Bytes& b) {
  std::string tail = ", length " + std::to_string(b.size());
  if (!b.has(0, 8)) return "ARP, [|arp]";
  std::size_t hln = b.u8(4), pln = b.u8(5);
  std::uint16_t op = b.u16(6);
  if (b.u16(0) != 1 || b.u16(2) != 0x0800 || hln != 6 || pln != 4 || !b.has(8, 20))
    return "ARP, hardware " + std::to_string(b.u16(0)) + ", proto 0x" + [&] {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%04x", b.u16(2));
      return std::string(hex);
    }() + tail;
  std::string sha = mac_text(b, 8), spa = ip_text(b, 14, false), tpa = ip_text(b, 24, false);
  if (op == 1) return "ARP, Request who-has " + tpa + " tell " + spa + tail;
  if (op == 2) return "ARP, Reply " + spa + " is-at " + sha + tail;
  return "ARP, op " + std::to_string(op) + tail;
}

std::string by_ethertype(std::uint16_t type, const Bytes& b) {
  if (type == 0x0800) return ipv4(b);
  if (type == 0x86dd) return ipv6(b);
  if (type == 0x0806) return arp(b);
  char text[48];
  std::snprintf(text, sizeof text, "ethertype 0x%04x, length %zu", type, b.size());
  return text;
}

std::string ethernet(const Bytes& b) {
  if (!b.has(0, 14)) return "[|ether]";
  std::uint16_t type = b.u16(12);
  std::size_t at = 14;
  std::string prefix;
  // 802.1Q tags, as tcpdump -n shows them without -e.
  for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); ++tags) {
    if (!b.has(at, 4)) return prefix + "[|vlan]";
    std::uint16_t tci = b.u16(at);
    prefix += "vlan " + std::to_string(tci & 0x0fff) + ", p " + std::to_string(tci >> 13) + ", ";
    type = b.u16(at + 2);
    at += 4;
  }
  if (type < 0x0600) return prefix + "802.3, length " + std::to_string(type);
  return prefix + by_ethertype(type, b.from(at));
}

}  // namespace

std::string link_type_name(LinkType link) {
  switch (link) {
    case LinkType::ethernet: return "EN10MB (Ethernet)";
    case LinkType::raw: return "RAW (Raw IP)";
    case LinkType::linux_sll: return "LINUX_SLL (Linux cooked v1)";
  }
  return "LINKTYPE " + std::to_string(static_cast<std::uint32_t>(link));
}

std::string describe_packet(std::span<const std::uint8_t> frame, LinkType link,
                            std::size_t wire_length) {
  Bytes b(frame);
  std::string line;
  try {
    if (link == LinkType::ethernet) {
      line = ethernet(b);
    } else if (link == LinkType::linux_sll) {
      line = b.has(0, 16) ? by_ethertype(b.u16(14), b.from(16)) : "[|sll]";
    } else if (link == LinkType::raw) {
      int version = b.has(0, 1) ? b.u8(0) >> 4 : 0;
      line = version == 4 ? ipv4(b) : version == 6 ? ipv6(b) : "IP, unknown version";
    } else {
      line = "unknown link type " + std::to_string(static_cast<std::uint32_t>(link));
    }
  } catch (const std::exception&) {  // inet_ntop cannot fail on 4/16 bytes; bad_alloc can
    line = "[|memory]";
  }
  if (wire_length > frame.size() && line.find("[|") == std::string::npos)
    line +=
        " [captured " + std::to_string(frame.size()) + " of " + std::to_string(wire_length) + "]";
  return line;
}

std::string format_timestamp(std::int64_t seconds, std::uint32_t microseconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::snprintf(text, sizeof text, "%02d:%02d:%02d.%06u", local.tm_hour, local.tm_min, local.tm_sec,
                microseconds % 1000000u);
  return text;
}

}  // namespace soket::diag
