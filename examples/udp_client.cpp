// SPDX-License-Identifier: MIT
// A UDP client: sendto one datagram, wait (at most 5 s: UDP may lose it) for the reply.
//   usage: udp_client [host] [port] [message]
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);
  std::string message = argc > 3 ? argv[3] : "Halo dari udp_client";

  soket::Socket s(soket::Family::inet, soket::Type::dgram);
  s.settimeout(5.0);  // nothing guarantees a reply will come
  s.sendto(message, {host, port});
  auto [reply, addr] = s.recvfrom(65535);
  std::cout << reply << std::endl;
} catch (const std::exception& e) {
  std::cerr << "udp_client: " << e.what() << '\n';
  return 1;
}
