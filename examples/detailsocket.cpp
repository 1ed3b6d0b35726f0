// SPDX-License-Identifier: MIT
// The documents' detailsocket.py: every getaddrinfo(host, "http") result, printed as
// Family / Type / Protocol / Canonical name / Socket address.
//   usage: detailsocket [host] [service]     (defaults: localhost http)
#include <iostream>
#include <string>

#include <soket/soket.hpp>

int main(int argc, char** argv) try {
  std::string host = argc > 1 ? argv[1] : "localhost";  // the documents ask www.unmuhjember.ac.id
  std::string service = argc > 2 ? argv[2] : "http";
  for (const soket::AddrInfo& res : soket::getaddrinfo(host, service)) {
    std::string_view proto = soket::ipproto_name(res.proto);
    std::cout << "Family : " << soket::to_string(res.family) << '\n';
    std::cout << "Type : " << soket::to_string(res.type) << '\n';
    std::cout << "Protocol : " << (proto.empty() ? std::to_string(res.proto) : std::string(proto))
              << '\n';
    std::cout << "Canonical name: " << res.canonname << '\n';
    std::cout << "Socket address: " << res.address << '\n';
  }
} catch (const std::exception& e) {
  std::cerr << "detailsocket: " << e.what() << '\n';
  return 1;
}
