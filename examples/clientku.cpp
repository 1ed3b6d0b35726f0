// SPDX-License-Identifier: MIT
// The documents' clientku.py: print the server's greeting, answer it.
//   usage: clientku [host] [port]      (defaults: 127.0.0.1 12345)
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);

  soket::Socket s(soket::Family::inet, soket::Type::stream);
  s.connect({host, port});
  std::cout << s.recv(1024) << std::endl;
  s.sendall("Hai Serverku.py, Clientku.py ingin berkomunikasi");
  s.close();
} catch (const std::exception& e) {
  std::cerr << "clientku: " << e.what() << '\n';
  return 1;
}
