// SPDX-License-Identifier: MIT
// A UDP server: recvfrom a datagram, print it with the sender's address, sendto a reply.
//   usage: udp_server [host] [port]    (defaults: 127.0.0.1 12345)
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);
  examples::exit_on_interrupt();

  soket::Socket s(soket::Family::inet, soket::Type::dgram);  // no listen/accept for UDP
  s.bind({host, port});
  std::cerr << "Listening on " << s.getsockname() << std::endl;
  while (true) {
    auto [data, addr] = s.recvfrom(65535);  // a whole datagram, whatever its size
    std::cout << "Received '" << data << "' from " << addr << std::endl;
    s.sendto("Got " + std::to_string(data.size()) + " bytes: " + data, addr);
  }
} catch (const std::exception& e) {
  std::cerr << "udp_server: " << e.what() << '\n';
  return 1;
}
