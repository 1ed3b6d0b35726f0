// SPDX-License-Identifier: MIT
#include "netcat.hpp"

#include <unistd.h>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "cli.hpp"

namespace soket::tools {

void add_netcat_options(CLI::App* cmd, NetcatArgs& args) {
  cmd->add_flag("-u,--udp", args.udp, "UDP instead of TCP (with -U: a Unix datagram socket)");
  cmd->add_option("-U,--unix", args.unix_path, "A Unix socket at PATH instead of HOST PORT")
      ->check(non_empty());
  cmd->add_flag("-4", args.ipv4, "IPv4 only");
  cmd->add_flag("-6", args.ipv6, "IPv6 only");
  cmd->add_option("-w,--wait", args.wait,
                  "Seconds before a connect, or a connection where nothing moves, times out "
                  "(0: never)")
      ->transform(seconds_in(0));
  cmd->add_flag("-v,--verbose", args.verbose, "Say on stderr what is listening and connecting");
  cmd->add_flag("-C,--crlf", args.crlf, "Send each input line ending as \\r\\n (SMTP by hand)");
}

namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

void check_port(const std::string& port, const NetcatArgs& args, bool listening) {
  if (all_digits(port)) {
    if (port.size() > 5 || std::stoul(port) > 65535 || (!listening && std::stoul(port) == 0))
      usage_error("port '" + port + "' is out of range (want " + (listening ? "0" : "1") +
                  "-65535)");
    return;
  }
  std::error_code ec;
  getservbyname(port, args.udp ? "udp" : "tcp", ec);
  if (ec)
    usage_error("port '" + port + "' is neither a number nor a known " +
                (args.udp ? "udp" : "tcp") + " service");
}

}  // namespace

void check_netcat_args(const NetcatArgs& args, bool listening) {
  if (args.ipv4 && args.ipv6) usage_error("-4 and -6 exclude each other");
  if (!args.unix_path.empty()) {
    if (!args.target.empty()) usage_error("-U PATH takes no HOST or PORT");
    if (args.ipv4 || args.ipv6) usage_error("-U is a Unix socket: -4/-6 do not apply");
    return;
  }
  std::size_t most = 2, least = listening ? 1 : 2;
  if (args.target.size() < least || args.target.size() > most)
    usage_error(listening ? "want [HOST] PORT, or -U PATH" : "want HOST PORT, or -U PATH");
  check_port(args.target.back(), args, listening);
}

Family family_of(const NetcatArgs& args) {
  return args.ipv4 ? Family::inet : args.ipv6 ? Family::inet6 : Family::unspec;
}

Type type_of(const NetcatArgs& args) {
  return args.udp ? Type::dgram : Type::stream;
}

std::vector<AddrInfo> resolve(const std::string& host, const std::string& port,
                              const NetcatArgs& args, bool passive) {
  return getaddrinfo(host, port, family_of(args), type_of(args), 0, passive ? ai::passive : 0);
}

std::string nc_name(const Address& address) {
  if (address.family() != Family::unix)
    return address.host() + " " + std::to_string(address.port());
  if (address.is_abstract()) return "@" + address.path();
  std::string path = address.path();
  return path.empty() ? "(unnamed)" : path;
}

void note(const NetcatArgs& args, const std::string& line) {
  if (args.verbose) std::fprintf(stderr, "%s\n", line.c_str());
}

io::RelayResult relay_stdio(io::RelayStream& stream, const NetcatArgs& args, bool input_open) {
  io::RelayOptions options;
  options.crlf = args.crlf;
  // A person typing sees the connection end when the peer ends it, as with telnet; a pipe
  // or a file is sent whole even after the peer's EOF, as with nc.
  options.end_on_peer_eof = input_open && ::isatty(STDIN_FILENO);
  if (args.wait > 0)
    options.idle_timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(args.wait));
  // A datagram per read: 16 KiB as OpenBSD nc, well under UDP's 65507-byte limit even
  // after --crlf doubles it.
  if (stream.datagrams()) options.chunk_size = 16 * 1024;
  auto result = relay(stream, input_open ? STDIN_FILENO : -1, STDOUT_FILENO, options);
  if (result.end == io::RelayEnd::idle_timeout) note(args, "Idle for the -w time: closing");
  return result;
}

std::size_t AnySenderStream::read_some(std::span<std::byte> buffer) {
  auto [n, from] = sock_.recvfrom_into(buffer, buffer.size());
  if (!last_ || !(*last_ == from)) note(args_, "Datagram from " + nc_name(from));
  // An unnamed Unix socket cannot be answered.
  bool unnamed = from.family() == Family::unix && from.path().empty() && !from.is_abstract();
  if (unnamed)
    last_.reset();
  else
    last_ = from;
  return n;
}

void AnySenderStream::write_all(std::span<const std::byte> data) {
  if (!last_) {
    note(args_, "Nobody has sent yet: input dropped");
    return;
  }
  sock_.sendto(data, *last_);
}

bool is_ipv4_multicast(const std::string& ip) {
  std::error_code ec;
  std::string packed = inet_pton(Family::inet, ip, ec);
  return !ec && (static_cast<unsigned char>(packed[0]) & 0xf0) == 0xe0;
}

}  // namespace soket::tools
