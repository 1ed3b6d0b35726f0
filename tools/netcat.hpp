// SPDX-License-Identifier: MIT
// What `soket connect` and `soket listen` share (netcat's options, resolving HOST PORT, the
// -v lines, relaying stdin/stdout over the connection), so each command file stays the steps
// that make it different.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <soket/io/relay.hpp>
#include <soket/soket.hpp>

namespace soket::tools {

struct NetcatArgs {
  std::vector<std::string> target;  // [HOST] PORT
  bool udp = false;
  std::string unix_path;
  bool ipv4 = false, ipv6 = false;
  double wait = 0;  // -w: connect and idle timeout in seconds, 0 none
  bool verbose = false;
  bool crlf = false;
};

/// Adds -u -U -4 -6 -w -v --crlf to `cmd`.
void add_netcat_options(CLI::App* cmd, NetcatArgs& args);

/// Checks the combinations CLI11 cannot (-U with HOST PORT, -4 with -6, the positional count,
/// the port) after parsing; usage_error() names what is wrong.
void check_netcat_args(const NetcatArgs& args, bool listening);

/// Family::inet / inet6 from -4 / -6, else unspec.
Family family_of(const NetcatArgs& args);
Type type_of(const NetcatArgs& args);

/// getaddrinfo for HOST PORT (a number or a service name) with -4/-6 and -u applied.
std::vector<AddrInfo> resolve(const std::string& host, const std::string& port,
                              const NetcatArgs& args, bool passive);

/// "127.0.0.1 5000", "::1 5000" or "/tmp/sock": how nc's -v lines name an address.
std::string nc_name(const Address& address);

/// A -v line on stderr ("Listening on 127.0.0.1 5000"), only with -v.
void note(const NetcatArgs& args, const std::string& line);

/// Relays stdin/stdout over `stream` with -w and --crlf; `input_open` false sends nothing
/// (stdin already ended for a previous client). Returns the relay's result.
io::RelayResult relay_stdio(io::RelayStream& stream, const NetcatArgs& args, bool input_open);

/// A datagram socket talking to whoever sent last (listen -u -k, --join): reads report the
/// sender with -v, writes go to the latest sender (and are dropped before anyone has sent).
class AnySenderStream final : public io::RelayStream {
 public:
  AnySenderStream(Socket& sock, const NetcatArgs& args) : sock_(sock), args_(args) {}
  int fileno() const noexcept override { return sock_.fileno(); }
  bool datagrams() const noexcept override { return true; }
  std::size_t read_some(std::span<std::byte> buffer) override;
  void write_all(std::span<const std::byte> data) override;
  void shutdown_write() override {}

 private:
  Socket& sock_;
  const NetcatArgs& args_;
  std::optional<Address> last_;
};

/// Whether `ip` is an IPv4 multicast group (224.0.0.0/4).
bool is_ipv4_multicast(const std::string& ip);

}  // namespace soket::tools
